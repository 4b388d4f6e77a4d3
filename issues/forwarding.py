"""Handing cases to departments through the governance platform: nothing lost, nothing twice.

- `forwarding_create_locked` writes the outbox row inside the assignment's transaction and
  enqueues the task after commit; a broker outage only delays it (the sweeper re-enqueues).
- `forwarding_send` claims the row atomically, sends it with its idempotency key (the platform
  answers a repeated key with the same case), and schedules retries in the database with
  exponential backoff and jitter; the last failure marks the row failed and alerts the staff.
- the platform's signed callbacks (reply, return, progress, extension request) are verified and
  applied in issues.platform_callbacks.
"""

import logging
import random
import time
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import F, Q
from django.utils.translation import gettext as _

from issues import clock, platform
from issues.models import Action, Forwarding, Issue, Notification
from issues.notifications import notify, recipients_for
from issues.permissions import Actor, authorize
from issues.platform_routing import endpoint, platform_for_region
from liaison import jobs
from liaison.errors import IssueNotFound

logger = logging.getLogger(__name__)


# --- the outbox ---------------------------------------------------------------------------------


def forwarding_create_locked(issue: Issue, *, co_departments=None) -> Forwarding:
    """Call inside the transaction that assigns the case (the row is locked there). The lead
    department is the case's; `co_departments` (协办) go with it. Without them (a reopened
    round), the co-handlers of the lead's last hand-over of this case go again."""
    earlier = Forwarding.objects.filter(issue=issue).order_by("-round", "-sequence").first()
    if co_departments is None:
        same_lead = earlier is not None and earlier.department_id == issue.department_id
        co_departments = list(earlier.co_departments.all()) if same_lead else []
    sequence = 1
    if earlier is not None and earlier.round == issue.round:
        sequence = earlier.sequence + 1  # the case came back (退办) and goes out again
    suffix = f"-{sequence}" if sequence > 1 else ""
    forwarding = Forwarding.objects.create(
        issue=issue,
        round=issue.round,
        sequence=sequence,
        platform=platform_for_region(issue.station.region),
        department_id=issue.department_id,
        key=f"liaison-{issue.pk}-r{issue.round}{suffix}",
        next_attempt_at=clock.now(),
        created_at=clock.now(),
    )
    forwarding.co_departments.set([d for d in co_departments if d.pk != issue.department_id])
    transaction.on_commit(lambda: enqueue(forwarding.pk))
    return forwarding


def enqueue(forwarding_id: int, *, countdown: float = 0) -> bool:
    """Ask a worker to send the row. Never raises: if the broker is down, the sweeper (or
    `drain_outbox`) sends it later, so a saved case never becomes an error page."""
    if not jobs.enqueue("issues.tasks.forward_case", forwarding_id, countdown=countdown):
        logger.warning("could not enqueue forwarding %s; the sweeper will pick it up", forwarding_id)
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
    return Forwarding.objects.select_related(
        "issue__category", "issue__station__region", "issue__department", "department", "platform"
    ).get(pk=forwarding_id)


def backoff_seconds(attempt: int) -> float:
    """Exponential backoff with full jitter: up to base·2^(attempt-1), capped."""
    ceiling = min(settings.GOVERNANCE_RETRY_MAX_SECONDS, settings.GOVERNANCE_RETRY_BASE_SECONDS * 2 ** (attempt - 1))
    return max(0.2, random.uniform(ceiling / 2, ceiling))  # noqa: S311 - jitter, not security


def _payload(forwarding: Forwarding) -> dict:
    issue = forwarding.issue
    category = issue.category.name if issue.category_id else ""
    lead = forwarding.department or issue.department  # rows older than the lead column have none
    # Only what the department needs; the villager's name and number stay with the station.
    return {
        "reference": forwarding.key,
        "title": f"{category or '群众反映'}：{issue.content[:30]}",
        "content": issue.content,
        "category": category,
        "department": lead.name if lead else "",
        # 协办: the platform hands the case to these too; the lead (主办) replies.
        "co_departments": [d.name for d in forwarding.co_departments.all()],
        "station": issue.station.name,
        "region": issue.station.region.full_name,
        "round": forwarding.round,
        "assigned_at": forwarding.created_at.isoformat(),
        "deadline": issue.deadline.isoformat() if issue.deadline else None,
        "callback_url": endpoint(forwarding.platform).callback_url,
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
        where = endpoint(forwarding.platform)
        answer = platform.create_case(
            key=forwarding.key, payload=_payload(forwarding), base_url=where.url, token=where.token
        )
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
