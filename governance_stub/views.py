"""The stub platform's HTTP API (bearer token), with fault injection on every request."""

import json
import random
import secrets
import time
from datetime import datetime
from functools import wraps

from django.conf import settings
from django.http import JsonResponse
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from governance_stub import services
from governance_stub.models import PlatformCase


def _error(status: int, message: str, **headers) -> JsonResponse:
    response = JsonResponse({"error": message}, status=status)
    for name, value in headers.items():
        response[name] = value
    return response


def token_accepted(request) -> bool:
    """The bearer token is the current one or, while the sender rotates, the next one."""
    given = request.headers.get("Authorization", "").removeprefix("Bearer ").strip().encode()
    tokens = [t for t in (settings.GOVERNANCE_PLATFORM_TOKEN, settings.GOVERNANCE_PLATFORM_TOKEN_NEXT) if t]
    return bool(given) and any(secrets.compare_digest(given, token.encode()) for token in tokens)


def platform_api(view):
    """Bearer-token check and injected faults: down, random 503s, latency, and hangs that
    happen after the work is done (the nastiest kind for the sender: did it arrive or not?)."""

    @csrf_exempt
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not token_accepted(request):
            return _error(401, "invalid token")
        faults = services.current_faults()
        if faults.down:
            return _error(503, "platform down for maintenance", **{"Retry-After": "1"})
        if faults.failure_rate and random.random() < faults.failure_rate:  # noqa: S311
            return _error(503, "injected failure")
        if faults.latency_seconds:
            time.sleep(faults.latency_seconds)
        request.platform_faults = faults  # read once per request
        response = view(request, *args, **kwargs)
        if faults.timeout_rate and random.random() < faults.timeout_rate:  # noqa: S311
            time.sleep(settings.GOVERNANCE_STUB_HANG_SECONDS)
        return response

    return wrapper


def _case_json(case: PlatformCase, *, new: bool = False) -> dict:
    return {
        "id": case.pk,
        "reference": case.reference,
        "title": case.title,
        "category": case.category,
        "department": case.department,
        "round": case.round,
        "status": case.status,
        "received_at": case.received_at.isoformat(),
        "co_departments": case.co_departments,
        "replies": [
            {
                "reply_id": str(r.reply_id),
                "kind": r.kind,
                "text": r.text,
                "delivered": r.delivered_at is not None,
                "decision": r.decision,
            }
            for r in ([] if new else case.replies.all())  # a case just created has none
        ],
    }


@platform_api
@require_http_methods(["GET", "POST"])
def cases(request):
    if request.method == "GET":
        queryset = PlatformCase.objects.prefetch_related("replies").order_by("pk")
        if request.GET.get("reference"):
            queryset = queryset.filter(reference=request.GET["reference"])
        return JsonResponse({"count": queryset.count(), "results": [_case_json(c) for c in queryset[:500]]})
    key = request.headers.get("Idempotency-Key", "").strip()
    if not key or len(key) > 100:
        return _error(400, "Idempotency-Key header required")
    try:
        data = json.loads(request.body)
        if not data.get("title") or not data.get("content") or not data.get("callback_url"):
            raise ValueError
    except (ValueError, AttributeError):
        return _error(400, "title, content and callback_url are required")
    case, created = services.case_create(key=key, data=data, faults=request.platform_faults)
    return JsonResponse(_case_json(case, new=created), status=201 if created else 200)


@platform_api
@require_http_methods(["GET"])
def case_detail(request, pk: int):
    case = PlatformCase.objects.prefetch_related("replies").filter(pk=pk).first()
    if case is None:
        return _error(404, "no such case")
    return JsonResponse(_case_json(case))


@platform_api
@require_http_methods(["POST"])
def case_answer(request, pk: int):
    case = PlatformCase.objects.filter(pk=pk).first()
    if case is None:
        return _error(404, "no such case")
    try:
        data = json.loads(request.body)
        text = str(data["text"]).strip()
        if not text:
            raise ValueError
    except (ValueError, KeyError, TypeError):
        return _error(400, "text is required")
    reply = services.case_answer(case=case, text=text, handler=str(data.get("handler", ""))[:100])
    return JsonResponse({"reply_id": str(reply.reply_id)}, status=201)


def _json_object(request) -> dict | None:
    try:
        data = json.loads(request.body)
    except ValueError:
        return None
    return data if isinstance(data, dict) else None


def _text(data: dict | None, name: str = "text") -> str:
    value = data.get(name) if data else None
    return value.strip() if isinstance(value, str) else ""


def _said(reply) -> JsonResponse:
    return JsonResponse({"reply_id": str(reply.reply_id), "kind": reply.kind}, status=201)


@platform_api
@require_http_methods(["POST"])
def case_return(request, pk: int):
    """退办, as the department: {"reason": ...}."""
    case = PlatformCase.objects.filter(pk=pk).first()
    if case is None:
        return _error(404, "no such case")
    data = _json_object(request)
    reason = _text(data, "reason")
    if not reason:
        return _error(400, "reason is required")
    if case.status != PlatformCase.Status.HANDLING:
        return _error(409, f"the case is {case.status}")
    return _said(services.case_return(case=case, reason=reason, handler=_text(data, "handler")[:100]))


@platform_api
@require_http_methods(["POST"])
def case_extension(request, pk: int):
    """延期申请, as the department: {"deadline": ISO 8601 with offset, "reason": ...}."""
    case = PlatformCase.objects.filter(pk=pk).first()
    if case is None:
        return _error(404, "no such case")
    data = _json_object(request)
    reason = _text(data, "reason")
    try:
        deadline = datetime.fromisoformat(_text(data, "deadline"))
    except ValueError:
        deadline = None
    if not reason or deadline is None or timezone.is_naive(deadline):
        return _error(400, "reason and deadline (ISO 8601 with its offset) are required")
    reply = services.case_request_extension(
        case=case, deadline=deadline, reason=reason, handler=_text(data, "handler")[:100]
    )
    return _said(reply)


@platform_api
@require_http_methods(["POST"])
def case_progress(request, pk: int):
    """过程反馈: {"text": ..., "public": bool, "department": optional co-handler's name}."""
    case = PlatformCase.objects.filter(pk=pk).first()
    if case is None:
        return _error(404, "no such case")
    data = _json_object(request)
    text = _text(data)
    public = data.get("public", False) if data else False
    if not text or not isinstance(public, bool):
        return _error(400, "text is required; public is true or false")
    reply = services.case_post_progress(
        case=case,
        text=text,
        public=public,
        department=_text(data, "department")[:100],
        handler=_text(data, "handler")[:100],
    )
    return _said(reply)


@platform_api
@require_http_methods(["POST"])
def extension_decision(request, request_id: str):
    """The sender tells its decision on an extension request (idempotent)."""
    data = _json_object(request)
    approved = data.get("approved") if data else None
    if not isinstance(approved, bool):
        return _error(400, "approved (true or false) is required")
    reply = services.extension_decided(request_id=request_id, approved=approved, note=_text(data, "note"))
    if reply is None:
        return _error(404, "no such extension request")
    return JsonResponse({"request_id": str(reply.reply_id), "decision": reply.decision})


@csrf_exempt
@require_http_methods(["GET", "PUT"])
def faults(request):
    """Read or change the injected faults while the stub runs (token required; no faults applied)."""
    if not token_accepted(request):
        return _error(401, "invalid token")
    if request.method == "PUT":
        try:
            data = json.loads(request.body)
            allowed = {"failure_rate", "timeout_rate", "latency_seconds", "down", "auto_reply_seconds"}
            values = {k: v for k, v in data.items() if k in allowed}
        except (ValueError, AttributeError):
            return _error(400, "JSON object expected")
        services.set_faults(**values)
    row = services.current_faults()
    return JsonResponse(
        {
            "failure_rate": row.failure_rate,
            "timeout_rate": row.timeout_rate,
            "latency_seconds": row.latency_seconds,
            "down": row.down,
            "auto_reply_seconds": row.auto_reply_seconds,
        }
    )
