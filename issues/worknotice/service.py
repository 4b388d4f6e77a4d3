"""Which inbox alerts go out over 浙政钉, and when: at once (up to the daily cap), in the day's
digest, or not at all, as the user chose for that kind; and the outbox that sends them."""

import logging
import random
from datetime import datetime, time, timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from issues import clock
from issues.worknotice.backends import WorkNoticeError, get_backend
from issues.worknotice.models import AlertMode, AlertPreference, WorkAccount, WorkNotice, WorkNoticeItem
from liaison import jobs

logger = logging.getLogger(__name__)
Status = WorkNotice.Status


def mode_for(user_id: int, kind: str) -> str:
    row = AlertPreference.objects.filter(user_id=user_id, kind=kind).values_list("mode", flat=True).first()
    return row or AlertMode.IMMEDIATE


def preferences_set(*, user, modes: dict[str, str]) -> None:
    """The user's choice per kind (kinds not named keep theirs)."""
    from issues.models import Notification
    from liaison.errors import InvalidInput

    for kind, mode in modes.items():
        if kind not in Notification.Kind.values or mode not in AlertMode.values:
            raise InvalidInput(_("Choose how each kind of alert reaches you."), field=kind)
    with transaction.atomic():
        for kind, mode in modes.items():
            AlertPreference.objects.update_or_create(user=user, kind=kind, defaults={"mode": mode})


def _day_start(moment: datetime) -> datetime:
    local = timezone.localtime(moment).date()
    return timezone.make_aware(datetime.combine(local, time()), timezone.get_default_timezone())


def _link(notification) -> str:
    if notification.issue_id is None:
        return ""
    return settings.PUBLIC_BASE_URL + reverse("admin:issues_issue_change", args=[notification.issue_id])


def plan(notification) -> WorkNotice | None:
    """Called in the transaction that writes the inbox alert: its work notification, if the user
    wants it at once, has a 浙政钉 account and is under today's cap (one kept for the digest)."""
    if not WorkAccount.objects.filter(user_id=notification.user_id).exists():
        return None
    if mode_for(notification.user_id, notification.kind) != AlertMode.IMMEDIATE:
        return None
    now = clock.now()
    sent_today = WorkNotice.objects.filter(user_id=notification.user_id, created_at__gte=_day_start(now)).count()
    if sent_today >= settings.DINGTALK_DAILY_CAP - 1:
        return None  # past the cap: it goes in the digest
    link = _link(notification)
    notice = WorkNotice.objects.create(
        user_id=notification.user_id,
        key=f"alert-{notification.pk}",
        text=notification.message + (f"\n{link}" if link else ""),
        created_at=now,
        next_attempt_at=now,
    )
    WorkNoticeItem.objects.create(notice=notice, notification=notification)
    transaction.on_commit(lambda: enqueue(notice.pk))
    return notice


def send_digests(*, now: datetime | None = None) -> int:
    """Once a day after DINGTALK_DIGEST_HOUR: one work notification per user with the alerts of
    the last two days that did not go out at once (chosen so, or past the cap), except the
    kinds the user keeps in the inbox."""
    from issues.models import Notification

    now = now or clock.now()
    if timezone.localtime(now).hour < settings.DINGTALK_DIGEST_HOUR:
        return 0
    day = timezone.localtime(now).date()
    waiting = Notification.objects.filter(
        work_item__isnull=True,
        created_at__gte=now - timedelta(days=2),
        user_id__in=WorkAccount.objects.values("user_id"),
    ).order_by("user_id", "created_at", "pk")
    inbox_only = set(AlertPreference.objects.filter(mode=AlertMode.INBOX).values_list("user_id", "kind"))
    by_user: dict[int, list] = {}
    for notification in waiting:
        if (notification.user_id, notification.kind) not in inbox_only:
            by_user.setdefault(notification.user_id, []).append(notification)
    written = 0
    for user_id, items in by_user.items():
        lines = [_("Your alerts today (%(n)d):") % {"n": len(items)}]
        lines += [f"· {n.message[:80]}" for n in items[:20]]
        if len(items) > 20:
            lines.append(_("… and %(n)d more in the portal.") % {"n": len(items) - 20})
        lines.append(settings.PUBLIC_BASE_URL + reverse("admin:issues_notification_changelist"))
        try:
            with transaction.atomic():
                notice = WorkNotice.objects.create(
                    user_id=user_id, key=f"digest-{user_id}-{day:%Y%m%d}", is_digest=True, text="\n".join(lines)
                )
                WorkNoticeItem.objects.bulk_create([WorkNoticeItem(notice=notice, notification=n) for n in items])
        except IntegrityError:
            continue  # today's digest went already; the rest waits for tomorrow's
        transaction.on_commit(lambda pk=notice.pk: enqueue(pk))
        written += 1
    return written


# --- the outbox --------------------------------------------------------------------------------


def enqueue(notice_id: int, *, countdown: float = 0) -> bool:
    if not jobs.enqueue("issues.tasks.send_work_notice", notice_id, countdown=countdown):
        logger.warning("could not enqueue work notice %s; the sweeper will pick it up", notice_id)
        return False
    return True


def work_notice_send(notice_id: int) -> float | None:
    now = clock.now()
    claimed = (
        WorkNotice.objects.filter(pk=notice_id)
        .filter(Q(status=Status.PENDING, next_attempt_at__lte=now) | Q(status=Status.SENDING, claimed_until__lt=now))
        .update(status=Status.SENDING, claimed_until=now + timedelta(seconds=60), attempts=F("attempts") + 1)
    )
    if not claimed:
        return None
    notice = WorkNotice.objects.get(pk=notice_id)
    account = WorkAccount.objects.filter(user_id=notice.user_id).values_list("account_id", flat=True).first()
    try:
        if not account:
            raise WorkNoticeError("the user has no 浙政钉 account", retryable=False)
        get_backend().send(key=notice.key, account_id=account, text=notice.text)
    except WorkNoticeError as error:
        retry = error.retryable and notice.attempts < settings.DINGTALK_MAX_ATTEMPTS
        delay = min(600.0, settings.SMS_RETRY_BASE_SECONDS * 2 ** (notice.attempts - 1)) if retry else None
        if delay is not None:
            delay = max(0.2, random.uniform(delay / 2, delay))  # noqa: S311 - jitter
        WorkNotice.objects.filter(pk=notice.pk, status=Status.SENDING).update(
            status=Status.PENDING if retry else Status.FAILED,
            next_attempt_at=clock.now() + timedelta(seconds=delay or 0),
            claimed_until=None,
            last_error=str(error)[:300],
        )
        return delay
    WorkNotice.objects.filter(pk=notice.pk, status=Status.SENDING).update(
        status=Status.SENT, sent_at=clock.now(), claimed_until=None, last_error=""
    )
    return None


def sweep() -> int:
    now = clock.now()
    lost = WorkNotice.objects.filter(
        Q(status=Status.PENDING, next_attempt_at__lte=now - timedelta(seconds=60))
        | Q(status=Status.SENDING, claimed_until__lt=now)
    )
    ids = list(lost.order_by("next_attempt_at", "pk").values_list("pk", flat=True)[:1000])
    for notice_id in ids:
        enqueue(notice_id)
    return len(ids)


def drain() -> int:
    due = WorkNotice.objects.filter(
        Q(status=Status.PENDING, next_attempt_at__lte=clock.now())
        | Q(status=Status.SENDING, claimed_until__lt=clock.now())
    )
    ids = list(due.order_by("pk").values_list("pk", flat=True))
    for notice_id in ids:
        work_notice_send(notice_id)
    return len(ids)
