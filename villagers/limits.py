"""A villager's form refused before its body is read when the body is longer than a form can be.

Django reads a multipart body in full (to temporary files) before any view runs: the CSRF check
reads request.POST. DATA_UPLOAD_MAX_MEMORY_SIZE counts only the plain fields, never the files, so
a 200 MB post would be read whole, and written to disk, before the photo check refused it. The
declared length (Content-Length) is known before a byte of the body is read: a post to a QR
code's form (/d/<token>/, /s/<token>/) declaring more than three photos and their text can hold
(issues.photos.MAX_FORM_BYTES) is answered 413 with a Chinese page at once. The API's
submission endpoint checks the same in its view (api.views)."""

import re

from django.conf import settings
from django.shortcuts import render
from django.utils import translation
from django.utils.translation import gettext as _

from issues.photos import MAX_BYTES, MAX_FORM_BYTES, MAX_PHOTOS

# The form pages' paths (villagers.urls); a plain match, so that a large post costs no URL
# resolution.
_FORM_PATH = re.compile(r"^/[ds]/[^/]+/$")


class FormBodyLimitMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        too_long = request.method == "POST" and _declared_length(request) > MAX_FORM_BYTES
        if too_long and _FORM_PATH.match(request.path_info):
            return too_large(request)
        return self.get_response(request)


def _declared_length(request) -> int:
    try:
        return int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return 0


def too_large(request):
    """413, with what to do instead. The text typed cannot be shown again: it is in the body that
    is not read; the page says so, and how to send the case without the photos."""
    with translation.override(settings.LANGUAGE_CODE):
        response = render(
            request,
            "public/message.html",
            {
                "title": _("The photos are too large to send"),
                "message": _(
                    "What you sent is larger than %(total)d MB, so it was not received. Each photo may "
                    "be at most %(each)d MB, and at most %(n)d photos. Go back with your phone's back "
                    "button (what you wrote is still there), choose smaller photos or fewer of them, "
                    "and send again."
                )
                % {"total": MAX_FORM_BYTES // (1024 * 1024), "each": MAX_BYTES // (1024 * 1024), "n": MAX_PHOTOS},
                "retry_url": request.path,
            },
            status=413,
        )
    response["Content-Language"] = settings.LANGUAGE_CODE
    return response
