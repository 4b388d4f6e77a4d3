"""Handing cases to departments through the governance platform: nothing lost, nothing twice.

- `forwarding_create_locked` writes the outbox row inside the assignment's transaction and
  enqueues the task after commit; a broker outage only delays it (the sweeper re-enqueues).
- `forwarding_send` claims the row atomically, sends it with its idempotency key (the platform
  answers a repeated key with the same case), and schedules retries in the database with
  exponential backoff and jitter; the last failure marks the row failed and alerts the staff.
- `platform_reply_received` applies a signed callback through the lifecycle service, once.
"""

import hashlib
import hmac
import json
import logging
import math
import random
import time
from datetime import timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.urls import reverse
from django.utils.translation import gettext as _

from issues import clock, platform
from issues.errors import IssueError, IssueNotFound, StaleRound
from issues.models import Action, Forwarding, Issue, Notification, PlatformCallback
from issues.permissions import PLATFORM, Actor, authorize

logger = logging.getLogger(__name__)


# --- the outbox ---------------------------------------------------------------------------------


def forwarding_create_locked(issue: Issue) -> Forwarding:
    """Call inside the transaction that assigns the case (the row is locked there)."""
    forwarding = Forwarding.objects.create(
        issue=issue,
        round=issue.round,
        key=f"liaison-{issue.pk}-r{issue.round}",
        next_attempt_at=clock.now(),
        created_at=clock.now(),
    )
    transaction.on_commit(lambda: enqueue(forwarding.pk))
    return forwarding


def enqueue(forwarding_id: int, *, countdown: float = 0) -> bool:
    """Ask a worker to send the row. Never raises: if the broker is down, the sweeper (or
    `drain_outbox`) sends it later, so a saved case never becomes an error page."""
    from issues.tasks import forward_case

    try:
        forward_case.apply_async(args=[forwarding_id], countdown=countdown, retry=False)
    except Exception:
        logger.warning("could not enqueue forwarding %s; the sweeper will pick it up", forwarding_id, exc_info=True)
        return False
    return True


def _claim(forwarding_id: int) -> Forwarding | None:
    now = clock.now()
    claimed = (
        Forwarding.objects.filter(pk=forwarding_id)
        .filter(
            Q(status=Forwarding.Status.PENDING, next_attempt_at__lte=now)
            | Q(status=Forwarding.Status.SENDING, claimed_until__lt=now)
        )
        .update(
            status=Forwarding.Status.SENDING,
            claimed_until=now + timedelta(seconds=settings.GOVERNANCE_CLAIM_SECONDS),
            attempts=F("attempts") + 1,
        )
    )
    if not claimed:
        return None
    return Forwarding.objects.select_related("issue__category", "issue__station__region", "issue__department").get(
        pk=forwarding_id
    )


def backoff_seconds(attempt: int) -> float:
    """Exponential backoff with full jitter: up to base·2^(attempt-1), capped."""
    ceiling = min(settings.GOVERNANCE_RETRY_MAX_SECONDS, settings.GOVERNANCE_RETRY_BASE_SECONDS * 2 ** (attempt - 1))
    return max(0.2, random.uniform(ceiling / 2, ceiling))  # noqa: S311 - jitter, not security


def _payload(forwarding: Forwarding) -> dict:
    issue = forwarding.issue
    category = issue.category.name if issue.category_id else ""
    # Only what the department needs; the villager's name and number stay with the station.
    return {
        "reference": forwarding.key,
        "title": f"{category or '群众反映'}：{issue.content[:30]}",
        "content": issue.content,
        "category": category,
        "department": issue.department.name if issue.department_id else "",
        "station": issue.station.name,
        "region": issue.station.region.full_name,
        "round": forwarding.round,
        "assigned_at": forwarding.created_at.isoformat(),
        "deadline": issue.deadline.isoformat() if issue.deadline else None,
        "callback_url": settings.PUBLIC_BASE_URL + reverse("governance-callback"),
        "instructions": _instructions(forwarding),
    }


def _instructions(forwarding: Forwarding) -> str:
    """What the station asked the department to do differently this round (after 不满意)."""
    data = (
        forwarding.issue.events.filter(action="assign", round=forwarding.round)
        .order_by("-pk")
        .values_list("data", flat=True)
        .first()
    )
    return (data or {}).get("instructions", "")


def forwarding_send(forwarding_id: int) -> float | None:
    """Send one row if it is due and nobody else holds it. Returns the delay before the next
    attempt when a retry was scheduled, else None."""
    forwarding = _claim(forwarding_id)
    if forwarding is None:
        return None
    try:
        answer = platform.create_case(key=forwarding.key, payload=_payload(forwarding))
    except platform.PlatformError as error:
        return _failed_attempt(forwarding, error)
    now = clock.now()
    Forwarding.objects.filter(pk=forwarding.pk, status=Forwarding.Status.SENDING).update(
        status=Forwarding.Status.DELIVERED,
        platform_case_id=str(answer["id"]),
        delivered_at=now,
        claimed_until=None,
        last_error="",
    )
    return None


def _failed_attempt(forwarding: Forwarding, error: platform.PlatformError) -> float | None:
    message = str(error)[:300]
    if error.retryable and forwarding.attempts < settings.GOVERNANCE_MAX_ATTEMPTS:
        delay = max(backoff_seconds(forwarding.attempts), error.retry_after or 0)
        Forwarding.objects.filter(pk=forwarding.pk, status=Forwarding.Status.SENDING).update(
            status=Forwarding.Status.PENDING,
            next_attempt_at=clock.now() + timedelta(seconds=delay),
            claimed_until=None,
            last_error=message,
        )
        return delay
    with transaction.atomic():
        updated = Forwarding.objects.filter(pk=forwarding.pk, status=Forwarding.Status.SENDING).update(
            status=Forwarding.Status.FAILED, claimed_until=None, last_error=message
        )
        if updated:
            _alert_failure(forwarding, message)
    return None


def _alert_failure(forwarding: Forwarding, message: str) -> None:
    from issues.notifications import notify, recipients_for

    issue = forwarding.issue
    text = _("Case %(code)s could not be forwarded to the governance platform: %(error)s") % {
        "code": issue.short_code,
        "error": message,
    }
    for user in recipients_for(issue):
        notify(
            user=user,
            kind=Notification.Kind.FORWARDING_FAILED,
            issue=issue,
            message=text,
            dedupe_key=f"forwarding_failed:{forwarding.pk}:{forwarding.attempts}:{user.pk}",
        )
    logger.error("forwarding %s of case %s failed: %s", forwarding.pk, issue.pk, message)


def forwarding_retry_now(*, actor: Actor, forwarding_id: int) -> Forwarding:
    """Staff send a failed (or waiting) row again at once."""
    with transaction.atomic():
        forwarding = Forwarding.objects.select_for_update().filter(pk=forwarding_id).first()
        if forwarding is None:
            raise IssueNotFound()
        authorize(actor, Action.RETRY_FORWARDING, forwarding.issue)
        if forwarding.status == Forwarding.Status.DELIVERED:
            return forwarding
        if forwarding.status == Forwarding.Status.FAILED:
            forwarding.attempts = 0
        forwarding.status = Forwarding.Status.PENDING
        forwarding.next_attempt_at = clock.now()
        forwarding.save(update_fields=["status", "attempts", "next_attempt_at"])
        transaction.on_commit(lambda: enqueue(forwarding.pk))
    return forwarding


def forwarding_settle_history(*, issue_id: int) -> int:
    """For replayed or imported history only (seed_demo): the rows of a case whose reply is part
    of that history are recorded as delivered then, so they are never sent to the platform now."""
    return Forwarding.objects.filter(
        issue_id=issue_id, status__in=[Forwarding.Status.PENDING, Forwarding.Status.SENDING, Forwarding.Status.FAILED]
    ).update(
        # History does not say when the platform acknowledged; take the hand-over itself, so the
        # figures of replayed history do not pretend the platform took days.
        status=Forwarding.Status.DELIVERED,
        delivered_at=F("created_at"),
        platform_case_id="history",
        last_error="",
    )


def due_forwardings():
    now = clock.now()
    return Forwarding.objects.filter(
        Q(status=Forwarding.Status.PENDING, next_attempt_at__lte=now)
        | Q(status=Forwarding.Status.SENDING, claimed_until__lt=now)
    )


def outbox_readiness() -> str:
    """/readyz: the oldest forwarding that is due has not waited too long (else the worker or
    the platform is stuck, and cases pile up unsent)."""
    from liaison.health import NotReady

    oldest = due_forwardings().order_by("next_attempt_at").values_list("next_attempt_at", flat=True).first()
    if oldest is None:
        return "ok (nothing due)"
    waited = (clock.now() - oldest).total_seconds()
    if waited > settings.READYZ_OUTBOX_MAX_AGE:
        raise NotReady(f"the oldest due forwarding has waited {waited:.0f} s")
    return f"ok (oldest due {waited:.0f} s ago)"


def sweep() -> int:
    """Re-enqueue rows whose message must have been lost (a killed worker, an emptied broker):
    due, or held by a worker, for longer than GOVERNANCE_SWEEP_GRACE_SECONDS, and not re-enqueued
    within that time already, so that rows merely waiting in a long queue are not copied into it
    again and again."""
    now = clock.now()
    grace = now - timedelta(seconds=settings.GOVERNANCE_SWEEP_GRACE_SECONDS)
    lost = Forwarding.objects.filter(
        Q(status=Forwarding.Status.PENDING, next_attempt_at__lte=grace)
        | Q(status=Forwarding.Status.SENDING, claimed_until__lt=now)
    ).filter(Q(swept_at__isnull=True) | Q(swept_at__lte=grace))
    ids = list(lost.order_by("next_attempt_at").values_list("pk", flat=True)[:1000])
    Forwarding.objects.filter(pk__in=ids).update(swept_at=now)
    for forwarding_id in ids:
        enqueue(forwarding_id)
    return len(ids)


def drain(*, wait: bool = False, timeout: float = 600) -> dict:
    """Send every due row in this process, without a broker. With `wait`, keep going until no
    row is pending or sending (sleeping until the next retry is due), or until `timeout`."""
    deadline = time.monotonic() + timeout
    while True:
        for forwarding_id in list(due_forwardings().values_list("pk", flat=True)):
            forwarding_send(forwarding_id)
        open_rows = Forwarding.objects.filter(status__in=[Forwarding.Status.PENDING, Forwarding.Status.SENDING])
        if not wait or not open_rows.exists() or time.monotonic() > deadline:
            break
        time.sleep(0.2)
    counts = dict.fromkeys(Forwarding.Status.values, 0)
    for status in Forwarding.Status.values:
        counts[status] = Forwarding.objects.filter(status=status).count()
    return counts


# --- the platform's callback ------------------------------------------------------------------------


class CallbackRejected(IssueError):
    code = "callback_rejected"

    def __init__(self, message: str, *, status: int, stale: bool = False):
        super().__init__(message)
        self.status = status
        self.stale = stale


def callback_signature(secret: str, timestamp: str, body: bytes) -> str:
    digest = hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256).hexdigest()
    return f"sha256={digest}"


REPLY_ID_MAX = PlatformCallback._meta.get_field("reply_id").max_length


def _callback_fields(body: bytes) -> tuple[str, str, str]:
    """The reply id, the forwarding reference and the text of a callback body, each a non-empty
    string without NUL (which PostgreSQL cannot store), or CallbackRejected (400)."""
    try:
        data = json.loads(body)
    except (ValueError, RecursionError):  # RecursionError: nesting deeper than the parser goes
        raise CallbackRejected("malformed body", status=400) from None
    if not isinstance(data, dict):
        raise CallbackRejected("malformed body", status=400)
    values = []
    for name, maximum in (("reply_id", REPLY_ID_MAX), ("reference", 100), ("text", 20000)):
        value = data.get(name)
        if not isinstance(value, str) or not value.strip():
            raise CallbackRejected(f"{name} must be a non-empty string", status=400)
        if "\x00" in value:
            raise CallbackRejected(f"{name} must not contain NUL", status=400)
        if len(value) > maximum:
            raise CallbackRejected(f"{name} is longer than {maximum} characters", status=400)
        values.append(value)
    return values[0], values[1], values[2]


def platform_reply_received(*, body: bytes, timestamp: str, signature: str) -> str:
    """Verify and apply one callback. Returns "applied" or "duplicate" (the same reply id was
    applied before, e.g. the platform retried after our answer was lost); raises
    CallbackRejected with the HTTP status otherwise, having changed nothing.

    A reply to an earlier round (the villager was unsatisfied and the case went out again while
    the platform still held the old round) is refused with 409 and recorded for the staff: it
    must not stand as the answer of the new round, whose real answer would then be refused."""
    secret = settings.GOVERNANCE_CALLBACK_SECRET
    if not secret:
        raise CallbackRejected("callbacks are not configured", status=503)
    expected = callback_signature(secret, timestamp or "", body)
    if not signature or not hmac.compare_digest(expected, signature):
        raise CallbackRejected("bad signature", status=401)
    try:
        sent_at = float(timestamp)
    except ValueError:
        raise CallbackRejected("bad timestamp", status=400) from None
    if not math.isfinite(sent_at):
        raise CallbackRejected("bad timestamp", status=400)
    if abs(time.time() - sent_at) > settings.GOVERNANCE_CALLBACK_WINDOW_SECONDS:
        raise CallbackRejected("timestamp outside the replay window", status=401)
    reply_id, reference, text = _callback_fields(body)

    from issues.services import issue_reply

    try:
        with transaction.atomic():
            try:
                with transaction.atomic():
                    PlatformCallback.objects.create(signature=signature, reply_id=reply_id, outcome="received")
            except IntegrityError:
                raise CallbackRejected("replayed request", status=409) from None
            forwarding = Forwarding.objects.filter(key=reference).only("issue_id", "round").first()
            if forwarding is None:
                raise CallbackRejected("unknown case", status=404)
            try:
                issue = issue_reply(
                    actor=PLATFORM,
                    issue_id=forwarding.issue_id,
                    text=text,
                    external_ref=reply_id,
                    round=forwarding.round,
                )
            except IssueError as error:
                raise CallbackRejected(str(error.message), status=409, stale=isinstance(error, StaleRound)) from None
    except CallbackRejected as rejected:
        if rejected.stale:
            _record_stale_reply(forwarding, reply_id=reply_id, signature=signature)
        raise
    return "duplicate" if issue.replayed else "applied"


def _record_stale_reply(forwarding: Forwarding, *, reply_id: str, signature: str) -> None:
    """Keep the refused reply where staff see it: the callback record and their inbox."""
    from issues.notifications import notify, recipients_for

    issue = Issue.objects.get(pk=forwarding.issue_id)
    with transaction.atomic():
        PlatformCallback.objects.create(
            signature=signature, reply_id=reply_id, outcome=f"refused: round {forwarding.round} < {issue.round}"
        )
        text = _(
            "The platform's reply %(reply)s to round %(old)d of case %(code)s came after the case went out again "
            "(round %(new)d) and was refused; the department's answer to the new round is awaited."
        ) % {"reply": reply_id, "old": forwarding.round, "code": issue.short_code, "new": issue.round}
        for user in recipients_for(issue):
            notify(
                user=user,
                kind=Notification.Kind.STALE_REPLY,
                issue=issue,
                message=text,
                dedupe_key=f"stale_reply:{issue.pk}:{reply_id}:{user.pk}",
            )
    logger.warning(
        "stale platform reply %s for round %s of case %s (now round %s)",
        reply_id,
        forwarding.round,
        issue.pk,
        issue.round,
    )
