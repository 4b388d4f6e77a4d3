"""The outbox of what we tell the governance platform about a case it holds (PlatformNotice):
written in the transaction of the decision, sent by a task after commit with its idempotency key,
retried with backoff, and swept up again when a message or a worker was lost, as the forwarding
outbox (issues.forwarding) is."""

import logging
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import F, Q

from issues import clock, platform
from issues.forwarding import backoff_seconds
from issues.models import Issue, PlatformNotice
from issues.platform_routing import endpoint
from liaison import jobs

logger = logging.getLogger(__name__)


def notice_create_locked(
    *, issue: Issue, kind: str, key: str, path: str, payload: dict, platform=None
) -> PlatformNotice:
    """Call inside the transaction that decided what the platform is told; `platform` is the one
    that holds the case (its forwarding's), None for the global settings'."""
    notice = PlatformNotice.objects.create(
        issue=issue, platform=platform, kind=kind, key=key, path=path, payload=payload, next_attempt_at=clock.now()
    )
    transaction.on_commit(lambda: enqueue(notice.pk))
    return notice


def enqueue(notice_id: int, *, countdown: float = 0) -> bool:
    """Ask a worker to send the notice; never raises (the sweeper sends it if the broker is down)."""
    if not jobs.enqueue("issues.tasks.send_platform_notice", notice_id, countdown=countdown):
        logger.warning("could not enqueue platform notice %s; the sweeper will pick it up", notice_id)
        return False
    return True


def _claim(notice_id: int) -> PlatformNotice | None:
    now = clock.now()
    claimed = (
        PlatformNotice.objects.filter(pk=notice_id)
        .filter(
            Q(status=PlatformNotice.Status.PENDING, next_attempt_at__lte=now)
            | Q(status=PlatformNotice.Status.SENDING, claimed_until__lt=now)
        )
        .update(
            status=PlatformNotice.Status.SENDING,
            claimed_until=now + timedelta(seconds=settings.GOVERNANCE_CLAIM_SECONDS),
            attempts=F("attempts") + 1,
        )
    )
    return PlatformNotice.objects.select_related("platform").get(pk=notice_id) if claimed else None


def notice_send(notice_id: int) -> float | None:
    """Send one notice if it is due and nobody else holds it; the delay before its retry when
    one was scheduled, else None."""
    notice = _claim(notice_id)
    if notice is None:
        return None
    try:
        where = endpoint(notice.platform)
        platform.post(notice.path, key=notice.key, payload=notice.payload, base_url=where.url, token=where.token)
    except platform.PlatformError as error:
        message = str(error)[:300]
        if error.retryable and notice.attempts < settings.GOVERNANCE_MAX_ATTEMPTS:
            delay = max(backoff_seconds(notice.attempts), error.retry_after or 0)
            PlatformNotice.objects.filter(pk=notice.pk, status=PlatformNotice.Status.SENDING).update(
                status=PlatformNotice.Status.PENDING,
                next_attempt_at=clock.now() + timedelta(seconds=delay),
                claimed_until=None,
                last_error=message,
            )
            return delay
        PlatformNotice.objects.filter(pk=notice.pk, status=PlatformNotice.Status.SENDING).update(
            status=PlatformNotice.Status.FAILED, claimed_until=None, last_error=message
        )
        logger.error("platform notice %s of case %s failed: %s", notice.pk, notice.issue_id, message)
        return None
    PlatformNotice.objects.filter(pk=notice.pk, status=PlatformNotice.Status.SENDING).update(
        status=PlatformNotice.Status.DELIVERED, delivered_at=clock.now(), claimed_until=None, last_error=""
    )
    return None


def due_notices():
    now = clock.now()
    return PlatformNotice.objects.filter(
        Q(status=PlatformNotice.Status.PENDING, next_attempt_at__lte=now)
        | Q(status=PlatformNotice.Status.SENDING, claimed_until__lt=now)
    )


def sweep() -> int:
    """Re-enqueue notices whose message must have been lost (due for longer than the grace)."""
    now = clock.now()
    grace = now - timedelta(seconds=settings.GOVERNANCE_SWEEP_GRACE_SECONDS)
    lost = PlatformNotice.objects.filter(
        Q(status=PlatformNotice.Status.PENDING, next_attempt_at__lte=grace)
        | Q(status=PlatformNotice.Status.SENDING, claimed_until__lt=now)
    )
    ids = list(lost.order_by("next_attempt_at").values_list("pk", flat=True)[:1000])
    for notice_id in ids:
        enqueue(notice_id)
    return len(ids)


def drain() -> int:
    """Send every due notice in this process, without a broker; how many were sent."""
    sent = 0
    for notice_id in list(due_notices().values_list("pk", flat=True)):
        notice_send(notice_id)
        sent += PlatformNotice.objects.filter(pk=notice_id, status=PlatformNotice.Status.DELIVERED).exists()
    return sent
