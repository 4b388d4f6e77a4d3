"""Bad input and a database at its limits answer clearly instead of with a 500.

- `RejectNulMiddleware`: a NUL byte in the path or the query string can never be meant, and
  PostgreSQL refuses it in any text it is given, so a request carrying one (`/t/%00/`,
  `?state__exact=%00`) is a 400 before any view or admin filter turns it into a query.
- `SafeJSONParser`: JSON nested too deeply for Python's parser is a 400 like any malformed JSON.
- `server_error` (handler500): when the database cannot be reached or has run out of
  connections, the answer is a 503 with Retry-After (a Chinese page, or the API's JSON error)
  rather than a plain 500: the request may well succeed in a moment.

Both know no domain model; the messages are the villager's words."""

import sys
from urllib.parse import unquote_to_bytes

from django.db import OperationalError
from django.http import HttpResponse, JsonResponse
from django.utils.html import escape
from django.utils.translation import gettext as _
from rest_framework.exceptions import ParseError
from rest_framework.parsers import JSONParser

RETRY_AFTER_SECONDS = 30
# The pages' only style, inline (no other request while the site is failing); liaison.csp allows
# it by its hash.
PAGE_STYLE = "body{font:18px/1.6 system-ui,sans-serif;margin:0;padding:24px;color:#1a1a1a}h1{font-size:1.3em}"


def _page(title: str, message: str, *, status: int) -> HttpResponse:
    html = (
        '<!doctype html><html lang="zh-Hans"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{escape(title)}</title>"
        f"<style>{PAGE_STYLE}</style></head>"
        f'<body><main><h1>{escape(title)}</h1><p>{escape(message)}</p><p><a href="/">{escape(_("Home"))}</a></p>'
        "</main></body></html>"
    )
    return HttpResponse(html, status=status, content_type="text/html; charset=utf-8")


def _wants_json(request) -> bool:
    return request.path.startswith("/api/")


def _error(request, *, status: int, code: str, title: str, message: str) -> HttpResponse:
    if _wants_json(request):
        return JsonResponse({"error": {"code": code, "message": message, "fields": {}}}, status=status)
    return _page(title, message, status=status)


class RejectNulMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        raw_query = request.META.get("QUERY_STRING", "")
        if "\x00" in request.path or b"\x00" in unquote_to_bytes(raw_query.replace("+", " ")):
            return _error(
                request,
                status=400,
                code="bad_request",
                title=_("This address is not valid"),
                message=_("The address contains characters that cannot be used. Please check the link."),
            )
        return self.get_response(request)


def server_error(request, *args, **kwargs):
    """Django's handler500, which runs inside the `except` that caught the error."""
    error = sys.exc_info()[1]
    if isinstance(error, OperationalError):
        response = _error(
            request,
            status=503,
            code="unavailable",
            title=_("The service is busy"),
            message=_("Too many people are using the service right now. Please try again in a minute."),
        )
        response["Retry-After"] = str(RETRY_AFTER_SECONDS)
        return response
    return _error(
        request,
        status=500,
        code="server_error",
        title=_("Something went wrong"),
        message=_("Something went wrong on our side. Please try again later."),
    )


class SafeJSONParser(JSONParser):
    """DRF's JSON parser, with nesting deeper than Python's parser goes (`[` × 5000) refused as
    malformed (400) instead of escaping as a RecursionError (500)."""

    def parse(self, stream, media_type=None, parser_context=None):
        try:
            return super().parse(stream, media_type, parser_context)
        except RecursionError:
            raise ParseError(_("The JSON is nested too deeply.")) from None
