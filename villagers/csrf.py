"""settings.CSRF_FAILURE_VIEW: a villager whose form's security check failed (a page left open
for hours, cookies blocked) gets their form back with their text, in Chinese."""

from django.conf import settings
from django.shortcuts import render
from django.urls import Resolver404, resolve
from django.utils import translation
from django.utils.translation import gettext as _

from villagers import views


def csrf_failure(request, reason: str = ""):
    """settings.CSRF_FAILURE_VIEW. On a villager's form, show the form again with their text and
    a fresh token; elsewhere, a plain Chinese page."""
    with translation.override(settings.LANGUAGE_CODE):
        try:
            match = resolve(request.path_info)
        except Resolver404:
            match = None
        if match is not None and match.func in (views.deputy, views.station):
            return views.submission_after_csrf_failure(request, match)
        return render(
            request,
            "public/message.html",
            {
                "title": _("Please try again"),
                "message": _(
                    "Your browser did not send the page's security check. Open the page again and "
                    "make sure cookies are allowed."
                ),
                "kept_text": request.POST.get("content", ""),
            },
            status=403,
        )
