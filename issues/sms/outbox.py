"""Sending the outbox: the same discipline as forwarding (issues.forwarding).

- `enqueue_after_commit` is called in the transaction that wrote the row; the task is asked for
  after commit; a broker outage only delays the text (the sweeper enqueues it again).
- `sms_send_batch` claims its row and other due rows in one statement (FOR UPDATE SKIP LOCKED,
  so that workers take disjoint batches), checks the opt-outs and the daily cap under per-number
  locks, asks the provider first whether an earlier attempt reached a row, sends, marks the sent
  rows in one UPDATE, and schedules retries in the database with exponential backoff and
  jitter; the last failure marks the row failed and alerts the station's staff. A row whose
  acceptance was not yet written down when the worker died is claimed again after its claim
  expires and found at the provider, not sent again.
"""

import logging
import random
import time
from collections import Counter
from datetime import datetime, timedelta

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Case, Count, F, Q, Value, When
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


def _claim_batch(message_id: int, limit: int) -> list[SmsMessage]:
    """Claim this row if it is due, and up to `limit` due rows in all (the oldest first), in one
    short transaction: SELECT … FOR UPDATE SKIP LOCKED, so that concurrent workers take disjoint
    batches, then one UPDATE that marks them sending until the claim expires."""
    now = clock.now()
    due = Q(status=Status.PENDING, next_attempt_at__lte=now) | Q(status=Status.SENDING, claimed_until__lt=now)
    until = now + timedelta(seconds=settings.SMS_CLAIM_SECONDS)
    with transaction.atomic():
        # One statement, its own row first: a task whose row another batch took costs one query.
        rows = SmsMessage.objects.filter(due) if limit > 1 else SmsMessage.objects.filter(due, pk=message_id)
        batch = list(
            rows.select_for_update(skip_locked=True, of=("self",))
            .select_related("issue")
            .order_by(Case(When(pk=message_id, then=Value(0)), default=Value(1)), "next_attempt_at", "pk")[:limit]
        )
        if not batch:
            return []
        ids = [message.pk for message in batch]
        claimed = SmsMessage.objects.filter(due, pk__in=ids).update(
            status=Status.SENDING, claimed_until=until, attempts=F("attempts") + 1
        )
    if claimed != len(batch):  # only where rows cannot be locked (SQLite): keep what this claim got
        mine = set(SmsMessage.objects.filter(pk__in=ids, claimed_until=until).values_list("pk", flat=True))
        batch = [message for message in batch if message.pk in mine]
    for message in batch:
        message.status, message.claimed_until, message.attempts = Status.SENDING, until, message.attempts + 1
    return batch


def _claim(message_id: int) -> SmsMessage | None:
    batch = _claim_batch(message_id, 1)
    return batch[0] if batch else None


def backoff_seconds(attempt: int) -> float:
    ceiling = min(settings.SMS_RETRY_MAX_SECONDS, settings.SMS_RETRY_BASE_SECONDS * 2 ** (attempt - 1))
    return max(0.2, random.uniform(ceiling / 2, ceiling))  # noqa: S311 - jitter, not security


def _release(message: SmsMessage, *, status: str, note: str, at: datetime | None = None) -> None:
    fields = {"status": status, "claimed_until": None, "last_error": note[:300]}
    if at is not None:
        fields["next_attempt_at"] = at
    SmsMessage.objects.filter(pk=message.pk, status=Status.SENDING).update(**fields)


def _lock_phones(phones: list[str]) -> None:
    """Serialise the cap check of these numbers across workers (PostgreSQL; elsewhere one
    worker), the locks taken in one order so that two batches never wait on each other."""
    if connection.vendor == "postgresql" and phones:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT count(pg_advisory_xact_lock(hashtext(p)))"
                " FROM (SELECT unnest(%s::text[]) AS p ORDER BY 1) AS t",
                [sorted(f"sms:{phone}" for phone in phones)],
            )


def _sent_today(phones: list[str], now: datetime, *, besides: list[int]) -> Counter:
    """Per number: texts sent today or being sent now, other than these rows."""
    start, end = day_bounds(now)
    rows = (
        SmsMessage.objects.filter(phone__in=phones)
        .exclude(pk__in=besides)
        .filter(Q(status=Status.SENT, sent_at__gte=start, sent_at__lt=end) | Q(status=Status.SENDING))
        .values_list("phone")
        .annotate(n=Count("pk"))
    )
    return Counter(dict(rows))


def _hold_reason(message: SmsMessage, now: datetime, opted_out: set, today: Counter):
    """Why this row must not go now: (status, note, when to try again), or None to send it."""
    if message.phone in opted_out:
        return Status.CANCELLED, "the villager opted out", None
    if message.template in RATING_TEMPLATES:
        issue = message.issue
        if issue.state != State.REPLIED or issue.round != message.params.get("round", issue.round):
            return Status.CANCELLED, "no longer needed: the answer was rated or the case moved on", None
    quiet = quiet_until(now)
    if quiet is not None:
        return Status.PENDING, "held for the quiet hours", quiet
    if today[message.phone] >= settings.SMS_DAILY_CAP_PER_PHONE:
        return Status.PENDING, "held: the daily limit for this number is reached", next_morning(now)
    return None


def _sort_out(batch: list[SmsMessage], now: datetime) -> tuple[list[SmsMessage], dict[int, float]]:
    """The rows that may go now; the others are released (cancelled, or held until a time, which
    is not a failed attempt) and their delays returned."""
    go, held = [], {}
    with transaction.atomic():
        phones = sorted({message.phone for message in batch})
        _lock_phones(phones)
        opted_out = set(SmsOptOut.objects.filter(phone__in=phones).values_list("phone", flat=True))
        today = _sent_today(phones, now, besides=[message.pk for message in batch])
        for message in batch:
            hold = _hold_reason(message, now, opted_out, today)
            if hold is None:
                go.append(message)
                today[message.phone] += 1
                continue
            status, note, at = hold
            message.attempts -= 1
            SmsMessage.objects.filter(pk=message.pk).update(attempts=F("attempts") - 1)
            _release(message, status=status, note=note, at=at)
            if status == Status.CANCELLED:
                logger.info("text %s to %s not sent: %s", message.pk, mask(message.phone), note)
            else:
                held[message.pk] = max(0.0, (at - now).total_seconds())
    return go, held


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
    return sms_send_batch(message_id, limit=1).get(message_id)


def sms_send_batch(message_id: int, *, limit: int | None = None) -> dict[int, float]:
    """Send this row if it is due and, with it, up to SMS_BATCH_SIZE due rows nobody else
    holds. Returns {row: delay} for the rows that must be asked for again (a retry, a text held
    until morning, rows left over when the claim ran short)."""
    batch = _claim_batch(message_id, limit or settings.SMS_BATCH_SIZE)
    if not batch:
        return {}
    now = clock.now()
    go, later = _sort_out(batch, now)
    # Stop while the claim still holds with a whole attempt to spare: past it, another worker
    # may take the rows, and a row must never be with two senders.
    spare = timedelta(seconds=settings.SMS_PROVIDER_TIMEOUT + 5)
    stop_at = min(message.claimed_until for message in batch) - spare
    backend = get_backend()
    sent = []
    for n, message in enumerate(go):
        if n and clock.now() > stop_at:
            _give_back(go[n:])
            later.update(dict.fromkeys((message.pk for message in go[n:]), 0.0))
            break
        outgoing = _outgoing(message)
        try:
            provider_id = None
            if message.attempts > 1:  # an earlier attempt may have reached the provider
                provider_id = backend.lookup(outgoing, since=message.created_at)
            if provider_id is None:
                provider_id = backend.send(outgoing)
        except SmsError as error:
            delay = _failed_attempt(message, error)
            if delay is not None:
                later[message.pk] = delay
            continue
        sent.append((message, provider_id[:64], clock.now()))
    _mark_sent(sent)
    return later


def _give_back(messages: list[SmsMessage]) -> None:
    """Rows claimed but not tried: due again at once, the claim not counted as an attempt."""
    SmsMessage.objects.filter(pk__in=[message.pk for message in messages], status=Status.SENDING).update(
        status=Status.PENDING, claimed_until=None, attempts=F("attempts") - 1, next_attempt_at=clock.now()
    )


def _mark_sent(sent: list[tuple[SmsMessage, str, datetime]]) -> None:
    """One UPDATE for the batch: each row's provider id and the moment the provider accepted it."""
    if not sent:
        return
    SmsMessage.objects.filter(pk__in=[message.pk for message, *rest in sent], status=Status.SENDING).update(
        status=Status.SENT,
        provider_id=Case(*(When(pk=message.pk, then=Value(provider_id)) for message, provider_id, at in sent)),
        sent_at=Case(*(When(pk=message.pk, then=Value(at)) for message, provider_id, at in sent)),
        claimed_until=None,
        last_error="",
    )
    for message, *_rest in sent:
        logger.info("text %s (%s) sent to %s", message.pk, message.template, mask(message.phone))


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
