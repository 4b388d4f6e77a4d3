"""The villager's pages in Chinese whatever the phone's language, and their error pages: not
found and too many requests (429 with Retry-After). The CSRF failure page is in villagers.csrf."""

import functools

from django.conf import settings
from django.shortcuts import render
from django.utils import translation
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _

from liaison.ratelimit import RateLimited


def villager_page(view):
    """Render in the site language (Chinese) and answer a rate limit with the 429 page. Every page
    varies with the cookie that picks the elderly mode (villagers.elder)."""

    @functools.wraps(view)
    def wrapper(request, *args, **kwargs):
        with translation.override(settings.LANGUAGE_CODE):
            try:
                response = view(request, *args, **kwargs)
            except RateLimited as limited:
                response = too_many_requests(request, limited.retry_after)
            response.setdefault("Content-Language", settings.LANGUAGE_CODE)
            patch_vary_headers(response, ["Cookie"])  # drawn in the mode its cookie asks for (长辈版)
            return response

    return wrapper


def not_found(request, message: str = ""):
    return render(
        request,
        "public/message.html",
        {"title": _("Page not found"), "message": message or _("This link is not valid. Please check it.")},
        status=404,
    )


def too_many_requests(request, retry_after: int):
    minutes = max(1, (retry_after + 59) // 60)
    response = render(
        request,
        "public/message.html",
        {
            "title": _("Too many requests"),
            "message": _("Too many requests from your network. Please try again in %(minutes)d minutes.")
            % {"minutes": minutes},
            "kept_text": request.POST.get("content", "") if request.method == "POST" else "",
        },
        status=429,
    )
    response["Retry-After"] = str(retry_after)
    return response
