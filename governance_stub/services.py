"""What the stub platform does: take cases idempotently, route them, answer them, and deliver
the answers to the sender by signed callbacks, retried until the sender answers 2xx."""

import hashlib
import hmac
import json
import logging
import random
import time
import uuid
from datetime import datetime, timedelta

import requests
from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from governance_stub import replies
from governance_stub.models import FaultSettings, PlatformCase, PlatformReply, RoutingRule
from liaison import jobs

logger = logging.getLogger(__name__)

DEFAULT_DEPARTMENT = "综合信息指挥室"
AUTO_REPLY_HANDLER = "自动答复"
# The automatic reply (a demo mode) answers only cases assigned after this process started: the
# backlog a demo starts with (seed_demo's assigned cases, sent by the worker's sweeper in its
# first minute) keeps its state and dates instead of all coming back "replied today".
STARTED_AT = timezone.now()


def current_faults() -> FaultSettings:
    """The fault settings in force: the row edited at run time, else the environment's."""
    row = FaultSettings.objects.first()
    if row is None:
        row = FaultSettings(failure_rate=settings.GOVERNANCE_STUB_FAILURE_RATE)
        row.timeout_rate = settings.GOVERNANCE_STUB_TIMEOUT_RATE
    if row.auto_reply_seconds is None:
        row.auto_reply_seconds = settings.GOVERNANCE_STUB_AUTO_REPLY_SECONDS
    return row


def set_faults(**values) -> FaultSettings:
    row = FaultSettings.objects.first() or FaultSettings()
    for name, value in values.items():
        setattr(row, name, value)
    row.save()
    return row


def route(category: str, department: str = "") -> str:
    """The department the sender chose, else the platform's own rule for the category, else the
    township's hub."""
    if department:
        return department
    rule = RoutingRule.objects.filter(category=category).first() if category else None
    return rule.department if rule else DEFAULT_DEPARTMENT


def _assigned_at(data: dict, received: datetime) -> datetime:
    """When the sender assigned the case (ISO 8601 `assigned_at`); the receipt time if not given
    or unreadable, as an older sender does not send it."""
    try:
        moment = datetime.fromisoformat(str(data["assigned_at"]))
    except (KeyError, ValueError):
        return received
    return moment if timezone.is_aware(moment) else received


def _names(value) -> list[str]:
    """The co-handling departments the sender named (a list of names; anything else is none)."""
    if not isinstance(value, list):
        return []
    return [str(name).strip()[:100] for name in value if str(name).strip()][:20]


def _round(data: dict) -> int:
    try:
        return min(max(1, int(data.get("round") or 1)), 32767)  # the column's range
    except (TypeError, ValueError):
        return 1


def case_create(*, key: str, data: dict, faults: FaultSettings | None = None) -> tuple[PlatformCase, bool]:
    """The same key always gives the same case: (case, created)."""
    existing = PlatformCase.objects.filter(idempotency_key=key).first()
    if existing is not None:
        return existing, False
    faults = faults or current_faults()
    now = timezone.now()
    assigned_at = _assigned_at(data, now)
    auto = (faults.auto_reply_seconds or 0) if assigned_at >= STARTED_AT else 0
    category = str(data.get("category", ""))[:50]
    try:
        with transaction.atomic():
            case = PlatformCase.objects.create(
                idempotency_key=key,
                reference=str(data.get("reference", ""))[:100],
                title=str(data["title"])[:200],
                content=str(data["content"]),
                category=category,
                department=route(category, str(data.get("department", "")).strip()[:100]),
                co_departments=_names(data.get("co_departments")),
                round=_round(data),
                callback_url=str(data["callback_url"]),
                signing_secret=settings.GOVERNANCE_STUB_SIGNING_SECRET,
                received_at=now,
                assigned_at=assigned_at,
                auto_reply_at=now + timedelta(seconds=auto) if auto > 0 else None,
            )
    except IntegrityError:  # a concurrent request with the same key won
        return PlatformCase.objects.get(idempotency_key=key), False
    if case.auto_reply_at is not None:
        transaction.on_commit(lambda: _schedule_auto_reply(case.pk, auto))
    return case, True


def _schedule_auto_reply(case_id: int, delay: float) -> None:
    if not jobs.enqueue("governance_stub.tasks.auto_reply", case_id, countdown=delay):
        logger.warning("stub: could not schedule the auto reply of %s; deliver_due will", case_id)


def case_answer(
    *, case: PlatformCase, text: str, handler: str = "", only_if_handling: bool = False
) -> PlatformReply | None:
    """The lead department's handler answers; the answer is delivered to the sender. With
    `only_if_handling` (automatic answers) a case already answered is left alone, so two
    concurrent runs never answer it twice."""
    return say(
        case=case,
        kind=PlatformReply.Kind.REPLY,
        text=text,
        handler=handler,
        new_status=PlatformCase.Status.ANSWERED,
        only_if_handling=only_if_handling,
    )


def case_return(*, case: PlatformCase, reason: str, handler: str = "") -> PlatformReply:
    """退办: the department sends the case back to the sender ("not ours"), with the reason."""
    return say(
        case=case, kind=PlatformReply.Kind.RETURN, text=reason, handler=handler, new_status=PlatformCase.Status.RETURNED
    )


def case_request_extension(*, case: PlatformCase, deadline: datetime, reason: str, handler: str = "") -> PlatformReply:
    """延期申请: the department asks the sender for a later deadline; the sender decides."""
    return say(case=case, kind=PlatformReply.Kind.EXTENSION, text=reason, handler=handler, deadline=deadline)


def case_post_progress(
    *, case: PlatformCase, text: str, public: bool = False, department: str = "", handler: str = ""
) -> PlatformReply:
    """过程反馈: a note on how the work goes, from the lead or a co-handling department."""
    return say(
        case=case, kind=PlatformReply.Kind.PROGRESS, text=text, handler=handler, public=public, department=department
    )


def say(
    *,
    case: PlatformCase,
    kind: str,
    text: str,
    handler: str = "",
    new_status: str | None = None,
    only_if_handling: bool = False,
    **fields,
) -> PlatformReply | None:
    """Record one message of a department about a case and deliver it to the sender."""
    with transaction.atomic():
        case = PlatformCase.objects.select_for_update().get(pk=case.pk)
        if only_if_handling and case.status != PlatformCase.Status.HANDLING:
            return None
        fields.setdefault("department", "")
        fields["department"] = fields["department"] or case.department
        reply = PlatformReply.objects.create(case=case, kind=kind, text=text, handler=handler, **fields)
        if new_status is not None:
            case.status = new_status
            case.auto_reply_at = None
            case.save(update_fields=["status", "auto_reply_at"])
    transaction.on_commit(lambda: _schedule_delivery(reply.pk))
    return reply


def extension_decided(*, request_id: str, approved: bool, note: str = "") -> PlatformReply | None:
    """The sender's decision on an extension request (told by its API call); the same decision
    told again changes nothing. None when no such request exists."""
    try:
        uuid_value = uuid.UUID(str(request_id))
    except ValueError:
        return None
    with transaction.atomic():
        reply = (
            PlatformReply.objects.select_for_update()
            .filter(reply_id=uuid_value, kind=PlatformReply.Kind.EXTENSION)
            .first()
        )
        if reply is None or reply.decision:
            return reply
        reply.decision = PlatformReply.Decision.APPROVED if approved else PlatformReply.Decision.REFUSED
        reply.decision_note = note[:2000]
        reply.decided_at = timezone.now()
        reply.save(update_fields=["decision", "decision_note", "decided_at"])
    return reply


def auto_answer_due() -> int:
    """Answer every case whose automatic reply is due (the demo/test mode)."""
    answered = 0
    for case in PlatformCase.objects.filter(status=PlatformCase.Status.HANDLING, auto_reply_at__lte=timezone.now()):
        if returns_automatically(case):
            said = say(
                case=case,
                kind=PlatformReply.Kind.RETURN,
                text=AUTO_RETURN_REASON.format(department=case.department),
                handler=AUTO_REPLY_HANDLER,
                new_status=PlatformCase.Status.RETURNED,
                only_if_handling=True,
            )
        else:
            text = automatic_reply_text(case)
            said = case_answer(case=case, text=text, handler=AUTO_REPLY_HANDLER, only_if_handling=True)
        answered += said is not None
    return answered


AUTO_RETURN_REASON = "经核实，该事项不属于{department}职责范围，请转交相关部门办理。"


def returns_automatically(case: PlatformCase) -> bool:
    """Whether the automatic answer to this case is a return (退办): a share
    GOVERNANCE_STUB_AUTO_RETURN_RATE of the cases, chosen by a hash of the key (the same case is
    always treated alike; the same case handed on again has another key)."""
    rate = settings.GOVERNANCE_STUB_AUTO_RETURN_RATE
    if rate <= 0:
        return False
    digest = hashlib.sha256(f"return:{case.idempotency_key}".encode()).digest()
    return int.from_bytes(digest[:8], "big") / 2**64 < rate


def automatic_reply_text(case: PlatformCase) -> str:
    return replies.compose(
        department=case.department,
        category=case.category,
        content=case.content,
        round=case.round,
        key=case.idempotency_key,
    )


def _schedule_delivery(reply_id: int, delay: float = 0) -> None:
    if not jobs.enqueue("governance_stub.tasks.deliver", reply_id, countdown=delay):
        logger.warning("stub: could not schedule delivery of %s; deliver_due will", reply_id)


def signing_secret(case: PlatformCase) -> str:
    """The secret the stub signs a case's callbacks with: that of the stub instance that took it."""
    return case.signing_secret or settings.GOVERNANCE_CALLBACK_SECRET


def sign(secret: str, timestamp: str, body: bytes) -> str:
    return "sha256=" + hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256).hexdigest()


def reply_deliver(reply_id: int) -> bool:
    """POST one reply to the sender's callback URL; True when the sender answered 2xx.

    The row is claimed by pushing its next attempt into the future (a lease), so two deliverers
    never send it at once, and no transaction is held open during the HTTP call."""
    now = timezone.now()
    claimed = PlatformReply.objects.filter(pk=reply_id, delivered_at__isnull=True, next_attempt_at__lte=now).update(
        next_attempt_at=now + timedelta(seconds=30), attempts=F("attempts") + 1
    )
    if not claimed:
        return False
    reply = PlatformReply.objects.select_related("case").get(pk=reply_id)
    message = {
        "kind": reply.kind,
        "reply_id": str(reply.reply_id),
        "case_id": reply.case_id,
        "reference": reply.case.reference,
        "department": reply.department or reply.case.department,
        "text": reply.text,
        "answered_at": reply.created_at.isoformat(),
    }
    if reply.kind == PlatformReply.Kind.PROGRESS:
        message["public"] = reply.public
    if reply.kind == PlatformReply.Kind.EXTENSION and reply.deadline is not None:
        message["deadline"] = reply.deadline.isoformat()
    body = json.dumps(message, ensure_ascii=False).encode()
    timestamp = str(int(time.time()))
    headers = {
        "Content-Type": "application/json",
        "X-Platform-Timestamp": timestamp,
        "X-Platform-Signature": sign(signing_secret(reply.case), timestamp, body),
    }
    try:
        response = requests.post(reply.case.callback_url, data=body, headers=headers, timeout=10)
        ok = 200 <= response.status_code < 300
        error = "" if ok else f"HTTP {response.status_code}"
    except requests.RequestException as exc:
        ok, error = False, type(exc).__name__
    if ok:
        PlatformReply.objects.filter(pk=reply_id).update(delivered_at=timezone.now(), last_error="")
    elif error == "HTTP 409":
        # The sender refused the message for good (the case is no longer with this department):
        # no retry would change its mind. Kept undelivered with the error, for the handler to see.
        PlatformReply.objects.filter(pk=reply_id).update(
            attempts=settings.GOVERNANCE_STUB_CALLBACK_MAX_ATTEMPTS, last_error="HTTP 409 (refused by the sender)"
        )
    else:
        delay = min(300.0, 2.0 ** min(reply.attempts, 8)) * random.uniform(0.5, 1.0)  # noqa: S311
        PlatformReply.objects.filter(pk=reply_id).update(
            next_attempt_at=timezone.now() + timedelta(seconds=delay), last_error=error[:300]
        )
    return ok


def deliver_due() -> int:
    """Deliver answers that are due (first try or retry), up to the attempt limit."""
    auto_answer_due()
    due = PlatformReply.objects.filter(
        delivered_at__isnull=True,
        next_attempt_at__lte=timezone.now(),
        attempts__lt=settings.GOVERNANCE_STUB_CALLBACK_MAX_ATTEMPTS,
    ).values_list("pk", flat=True)
    delivered = 0
    for reply_id in list(due[:500]):
        delivered += reply_deliver(reply_id)
    return delivered
