"""One error shape for the whole API, whatever raised the error:

    {"error": {"code": "not_found", "message": "没有这个案件。", "fields": {"content": ["…"]}}}

`exception_handler` (wired in by every API view, see api.views) maps the lifecycle's
IssueError subclasses, liaison.ratelimit's RateLimited and DRF's own exceptions onto it."""

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import RequestDataTooBig
from django.http import Http404
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from liaison.errors import (
    ActionForbidden,
    IdempotencyConflict,
    IllegalTransition,
    InvalidInput,
    IssueError,
    IssueNotFound,
    error_body,
)
from liaison.ratelimit import RateLimited

ISSUE_ERROR_STATUS: dict[type[IssueError], int] = {
    IssueNotFound: status.HTTP_404_NOT_FOUND,
    ActionForbidden: status.HTTP_403_FORBIDDEN,
    IllegalTransition: status.HTTP_409_CONFLICT,
    InvalidInput: status.HTTP_400_BAD_REQUEST,
    # The key was used for another request: the request itself is well-formed (RFC 9110 §15.5.21).
    IdempotencyConflict: status.HTTP_422_UNPROCESSABLE_ENTITY,
}


class PayloadTooLarge(exceptions.APIException):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_code = "too_large"
    default_detail = gettext_lazy("The request is too large.")


class TooManyRequests(exceptions.Throttled):
    """liaison.ratelimit's RateLimited, as DRF sees it."""

    default_code = "rate_limited"


def _flatten(detail) -> dict[str, list[str]]:
    """DRF's nested ValidationError detail as {"field": ["message", ...]} ("a.0.b" for nesting)."""
    out: dict[str, list[str]] = {}

    def walk(prefix: str, value) -> None:
        if isinstance(value, dict):
            for key, sub in value.items():
                walk(f"{prefix}.{key}" if prefix else str(key), sub)
        elif isinstance(value, list) and value and not all(isinstance(v, str) for v in value):
            for i, sub in enumerate(value):
                walk(f"{prefix}.{i}" if prefix else str(i), sub)
        elif isinstance(value, list):
            out.setdefault(prefix or "non_field_errors", []).extend(str(v) for v in value)
        else:
            out.setdefault(prefix or "non_field_errors", []).append(str(value))

    walk("", detail)
    return out


# DRF exception class -> (machine code, message). The messages are ours, in the user's language.
_DRF_MESSAGES = {
    exceptions.NotAuthenticated: ("not_authenticated", gettext_lazy("Log in first: send a valid token.")),
    exceptions.AuthenticationFailed: ("authentication_failed", gettext_lazy("The token or session is not valid.")),
    exceptions.PermissionDenied: ("forbidden", gettext_lazy("You may not do this.")),
    exceptions.NotFound: ("not_found", gettext_lazy("Not found.")),
    exceptions.MethodNotAllowed: ("method_not_allowed", gettext_lazy("This method is not allowed here.")),
    exceptions.NotAcceptable: ("not_acceptable", gettext_lazy("We cannot answer in the format you asked for.")),
    exceptions.UnsupportedMediaType: ("unsupported_media_type", gettext_lazy("We cannot read this kind of body.")),
    exceptions.ParseError: ("malformed", gettext_lazy("The request body could not be read.")),
    exceptions.Throttled: ("rate_limited", gettext_lazy("Too many requests. Please wait a moment and try again.")),
    PayloadTooLarge: ("too_large", gettext_lazy("The request is too large.")),
}


def exception_handler(exc, context):
    """DRF's EXCEPTION_HANDLER hook, set on our views (settings.py is not ours to change)."""
    if isinstance(exc, IssueError):
        code = ISSUE_ERROR_STATUS.get(type(exc))
        if code is None:  # a subclass we do not know: fall back on its nearest known parent
            code = next((s for cls, s in ISSUE_ERROR_STATUS.items() if isinstance(exc, cls)), 400)
        fields = {exc.field: [str(exc.message)]} if exc.field else {}
        return Response(error_body(exc.code, exc.message, fields), status=code)
    if isinstance(exc, RateLimited):
        exc = TooManyRequests(wait=exc.retry_after)
    if isinstance(exc, RequestDataTooBig):
        exc = PayloadTooLarge()
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied()

    response = drf_exception_handler(exc, context)
    if response is None:
        return None  # a real bug: let it be a 500 with a traceback in the logs
    if isinstance(exc, exceptions.ValidationError):
        response.data = error_body("invalid", _("The input is not valid."), _flatten(exc.detail))
        return response
    known = next((cls for cls in type(exc).__mro__ if cls in _DRF_MESSAGES), None)
    if known is not None:
        code, message = _DRF_MESSAGES[known]
    else:
        code, message = getattr(exc, "default_code", "error"), getattr(exc, "detail", "") or _("The request failed.")
    response.data = error_body(code, message)
    if isinstance(exc, exceptions.Throttled) and exc.wait is not None:
        response["Retry-After"] = str(max(1, int(exc.wait)))
    return response
