"""Sending the outbox: the same discipline as forwarding (issues.forwarding).

- `enqueue_after_commit` is called in the transaction that wrote the row; the task is asked for
  after commit; a broker outage only delays the text (the sweeper enqueues it again).
- `sms_send` claims the row atomically, checks the opt-out and the daily cap under a per-number
  lock, asks the provider first whether an earlier attempt reached it, sends, and schedules
  retries in the database with exponential backoff and jitter; the last failure marks the row
  failed and alerts the station's staff.
"""

import logging
import random
import time
from datetime import datetime, timedelta

from django.conf import settings
from django.db import connection, transaction
from django.db.models import F, Q
from django.utils.translation import gettext as _

from issues import clock
from issues.models import Issue, Notification, State
from issues.sms.backends import Outgoing, SmsError, get_backend
from issues.sms.models import SmsMessage, SmsOptOut
from issues.sms.policy import day_bounds, mask, next_morning, quiet_until
from issues.sms.templates import RATING_TEMPLATES, render
from liaison import jobs

logger = logging.getLogger(__name__)
Status = SmsMessage.Status


# A text held longer (until morning, past the daily cap) is left to the sweeper: a broker keeps
# a delayed task only so long before handing it out again.
LONGEST_COUNTDOWN = 600


def enqueue(message_id: int, *, countdown: float = 0) -> bool:
    """Ask a worker to send the row; never raises (the sweeper picks up what this misses)."""
    if countdown > LONGEST_COUNTDOWN:
        return True
    if not jobs.enqueue("issues.tasks.send_sms", message_id, countdown=countdown):
        logger.warning("could not enqueue text %s; the sweeper will pick it up", message_id)
        return False
    return True


def enqueue_after_commit(message: SmsMessage) -> None:
    countdown = max(0.0, (message.next_attempt_at - clock.now()).total_seconds())
    transaction.on_commit(lambda: enqueue(message.pk, countdown=countdown))


def _claim(message_id: int) -> SmsMessage | None:
    now = clock.now()
    claimed = (
        SmsMessage.objects.filter(pk=message_id)
        .filter(Q(status=Status.PENDING, next_attempt_at__lte=now) | Q(status=Status.SENDING, claimed_until__lt=now))
        .update(
            status=Status.SENDING,
            claimed_until=now + timedelta(seconds=settings.SMS_CLAIM_SECONDS),
            attempts=F("attempts") + 1,
        )
    )
    if not claimed:
        return None
    return SmsMessage.objects.select_related("issue").get(pk=message_id)


def backoff_seconds(attempt: int) -> float:
    ceiling = min(settings.SMS_RETRY_MAX_SECONDS, settings.SMS_RETRY_BASE_SECONDS * 2 ** (attempt - 1))
    return max(0.2, random.uniform(ceiling / 2, ceiling))  # noqa: S311 - jitter, not security


def _release(message: SmsMessage, *, status: str, note: str, at: datetime | None = None) -> None:
    fields = {"status": status, "claimed_until": None, "last_error": note[:300]}
    if at is not None:
        fields["next_attempt_at"] = at
    SmsMessage.objects.filter(pk=message.pk, status=Status.SENDING).update(**fields)


def _lock_phone(phone: str) -> None:
    """Serialise the cap check of one number across workers (PostgreSQL; elsewhere one worker)."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(hashtext(%s))", [f"sms:{phone}"])


def _hold_reason(message: SmsMessage, now: datetime) -> tuple[str, str, datetime | None] | None:
    """Why this row must not go now: (status, note, when to try again), or None to send it."""
    if SmsOptOut.objects.filter(phone=message.phone).exists():
        return Status.CANCELLED, "the villager opted out", None
    if message.template in RATING_TEMPLATES:
        issue = message.issue
        if issue.state != State.REPLIED or issue.round != message.params.get("round", issue.round):
            return Status.CANCELLED, "no longer needed: the answer was rated or the case moved on", None
    quiet = quiet_until(now)
    if quiet is not None:
        return Status.PENDING, "held for the quiet hours", quiet
    start, end = day_bounds(now)
    today = (
        SmsMessage.objects.filter(phone=message.phone)
        .exclude(pk=message.pk)
        .filter(Q(status=Status.SENT, sent_at__gte=start, sent_at__lt=end) | Q(status=Status.SENDING))
        .count()
    )
    if today >= settings.SMS_DAILY_CAP_PER_PHONE:
        return Status.PENDING, "held: the daily limit for this number is reached", next_morning(now)
    return None


def _outgoing(message: SmsMessage) -> Outgoing:
    return Outgoing(
        key=message.key,
        to=message.phone,
        template=message.template,
        params={k: v for k, v in message.params.items() if k != "round"},
        text=render(message.template, message.params),
        tracking_code=message.params.get("track", ""),  # none in a text to a villager who said "me too"
    )


def sms_send(message_id: int) -> float | None:
    """Send one row if it is due and nobody else holds it. Returns the delay before the next
    attempt when one was scheduled (a retry, or a text held until morning), else None."""
    message = _claim(message_id)
    if message is None:
        return None
    now = clock.now()
    with transaction.atomic():
        _lock_phone(message.phone)
        hold = _hold_reason(message, now)
        if hold is not None:
            status, note, at = hold
            attempts = F("attempts") - 1  # a hold is not a failed attempt
            SmsMessage.objects.filter(pk=message.pk).update(attempts=attempts)
            _release(message, status=status, note=note, at=at)
            if status == Status.CANCELLED:
                logger.info("text %s to %s not sent: %s", message.pk, mask(message.phone), note)
                return None
            return max(0.0, (at - now).total_seconds())
    outgoing = _outgoing(message)
    backend = get_backend()
    try:
        provider_id = None
        if message.attempts > 1:  # an earlier attempt may have reached the provider
            provider_id = backend.lookup(outgoing, since=message.created_at)
        if provider_id is None:
            provider_id = backend.send(outgoing)
    except SmsError as error:
        return _failed_attempt(message, error)
    SmsMessage.objects.filter(pk=message.pk, status=Status.SENDING).update(
        status=Status.SENT, provider_id=provider_id[:64], sent_at=clock.now(), claimed_until=None, last_error=""
    )
    logger.info("text %s (%s) sent to %s", message.pk, message.template, mask(message.phone))
    return None


def _failed_attempt(message: SmsMessage, error: SmsError) -> float | None:
    note = str(error)[:300]
    if error.retryable and message.attempts < settings.SMS_MAX_ATTEMPTS:
        delay = max(backoff_seconds(message.attempts), error.retry_after or 0)
        _release(message, status=Status.PENDING, note=note, at=clock.now() + timedelta(seconds=delay))
        logger.warning("text %s to %s: attempt %s failed (%s)", message.pk, mask(message.phone), message.attempts, note)
        return delay
    with transaction.atomic():
        updated = SmsMessage.objects.filter(pk=message.pk, status=Status.SENDING).update(
            status=Status.FAILED, claimed_until=None, last_error=note
        )
        if updated:
            _alert_failure(message, note)
    return None


def _alert_failure(message: SmsMessage, note: str) -> None:
    from issues.notifications import notify, recipients_for

    issue = Issue.objects.select_related("deputy__user").get(pk=message.issue_id)
    text = _("A text message to the villager of case %(code)s could not be sent: %(error)s") % {
        "code": issue.short_code,
        "error": note,
    }
    for user in recipients_for(issue):
        notify(
            user=user,
            kind=Notification.Kind.SMS_FAILED,
            issue=issue,
            message=text,
            dedupe_key=f"sms_failed:{message.pk}:{user.pk}",
        )
    logger.error("text %s to %s failed: %s", message.pk, mask(message.phone), note)


def due_messages():
    now = clock.now()
    return SmsMessage.objects.filter(
        Q(status=Status.PENDING, next_attempt_at__lte=now) | Q(status=Status.SENDING, claimed_until__lt=now)
    )


def sweep() -> int:
    """Enqueue again the rows whose task must have been lost (a killed worker, an emptied broker),
    at most once per SMS_SWEEP_GRACE_SECONDS each."""
    now = clock.now()
    grace = now - timedelta(seconds=settings.SMS_SWEEP_GRACE_SECONDS)
    lost = SmsMessage.objects.filter(
        Q(status=Status.PENDING, next_attempt_at__lte=grace) | Q(status=Status.SENDING, claimed_until__lt=now)
    ).filter(Q(swept_at__isnull=True) | Q(swept_at__lte=grace))
    ids = list(lost.order_by("next_attempt_at", "pk").values_list("pk", flat=True)[:1000])
    SmsMessage.objects.filter(pk__in=ids).update(swept_at=now)
    for message_id in ids:
        enqueue(message_id)
    return len(ids)


def drain(*, wait: bool = False, timeout: float = 600) -> dict:
    """Send every due row in this process, without a broker (tests, `manage.py`)."""
    deadline = time.monotonic() + timeout
    while True:
        for message_id in list(due_messages().order_by("next_attempt_at", "pk").values_list("pk", flat=True)):
            sms_send(message_id)
        # Rows held past the timeout (until morning, past the daily cap) are not waited for.
        remaining = timedelta(seconds=max(0.0, deadline - time.monotonic()))
        open_rows = SmsMessage.objects.filter(
            status__in=[Status.PENDING, Status.SENDING], next_attempt_at__lte=clock.now() + remaining
        )
        if not wait or not open_rows.exists() or time.monotonic() > deadline:
            break
        time.sleep(0.2)
    return {status: SmsMessage.objects.filter(status=status).count() for status in Status.values}


def sms_retry_now(*, actor, message_id: int) -> bool:
    """Staff send a failed text again (its earlier attempts are checked with the provider first)."""
    from issues.models import Action
    from issues.permissions import authorize

    message = SmsMessage.objects.select_related("issue").filter(pk=message_id).first()
    if message is None:
        return False
    authorize(actor, Action.RETRY_FORWARDING, message.issue)
    updated = SmsMessage.objects.filter(pk=message_id, status=Status.FAILED).update(
        status=Status.PENDING, next_attempt_at=clock.now(), attempts=1
    )
    if updated:
        transaction.on_commit(lambda: enqueue(message_id))
    return bool(updated)
