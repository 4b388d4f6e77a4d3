"""The in-portal inbox and the senders behind it.

`notify` writes a Notification (never twice for the same dedupe key) and, after commit, hands it
to every sender in settings.NOTIFICATION_SENDERS. The logging sender stands for 浙政钉 and SMS."""

import logging
from datetime import timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _

from issues import clock
from issues.models import OPEN_STATES, Issue, Notification
from issues.worknotice.service import plan as work_notice_plan

logger = logging.getLogger(__name__)


class LoggingSender:
    """Writes what would go out over 浙政钉 or SMS to the log."""

    def send(self, notification: Notification) -> None:
        logger.info("notify user=%s kind=%s: %s", notification.user_id, notification.kind, notification.message)


def _senders():
    return [import_string(path)() for path in settings.NOTIFICATION_SENDERS]


def notify(*, user, kind: str, message: str, dedupe_key: str, issue: Issue | None = None) -> Notification | None:
    """Put a message in the user's inbox unless this dedupe key was used before."""
    try:
        with transaction.atomic():
            notification = Notification.objects.create(
                user=user, kind=kind, issue=issue, message=message[:300], dedupe_key=dedupe_key, created_at=clock.now()
            )
            work_notice_plan(notification)  # 浙政钉, as the user chose for this kind
    except IntegrityError:
        return None

    def send():
        for sender in _senders():
            try:
                sender.send(notification)
            except Exception:  # one broken sender must not stop the others
                logger.exception("notification sender %s failed", type(sender).__name__)

    transaction.on_commit(send)
    return notification


def recipients_for(issue: Issue) -> list:
    """Who answers for a case: its station's staff and the deputy it was sent to."""
    return _recipients([issue])[issue.pk]


def _recipients(issues: list[Issue]) -> dict[int, list]:
    from stations.models import StaffMembership

    staff: dict[int, set] = {}
    memberships = StaffMembership.objects.filter(
        station_id__in={i.station_id for i in issues}, role=StaffMembership.Role.STATION_STAFF, user__is_active=True
    ).select_related("user")
    for membership in memberships:
        staff.setdefault(membership.station_id, set()).add(membership.user)
    result = {}
    for issue in issues:
        users = set(staff.get(issue.station_id, ()))
        if issue.deputy_id and issue.deputy.user_id and issue.deputy.user.is_active:
            users.add(issue.deputy.user)
        result[issue.pk] = sorted(users, key=lambda u: u.pk)
    return result


def send_deadline_reminders() -> int:
    """Warn before each deadline (within REMINDER_DUE_SOON_HOURS) and once it has passed: one
    reminder per case, state, deadline, threshold and person, ever. Returns how many were written."""
    now = clock.now()
    soon = now + timedelta(hours=settings.REMINDER_DUE_SOON_HOURS)
    candidates = Issue.objects.filter(state__in=OPEN_STATES, deadline__isnull=False, deadline__lte=soon).select_related(
        "deputy__user", "station"
    )
    written = 0
    batch: list[Issue] = []
    for issue in candidates.iterator(chunk_size=500):
        batch.append(issue)
        if len(batch) == 500:
            written += _remind(batch, now)
            batch = []
    if batch:
        written += _remind(batch, now)
    return written


def _remind(issues: list[Issue], now) -> int:
    planned = []
    recipients = _recipients(issues)
    for issue in issues:
        users = recipients[issue.pk]
        overdue = issue.deadline < now
        kind = Notification.Kind.OVERDUE if overdue else Notification.Kind.DUE_SOON
        text = (
            _("Case %(code)s at %(station)s is overdue (deadline %(deadline)s).")
            if overdue
            else _("Case %(code)s at %(station)s is due by %(deadline)s.")
        )
        message = text % {
            "code": issue.short_code,
            "station": issue.station.name,
            "deadline": f"{timezone.localtime(issue.deadline):%Y-%m-%d %H:%M}",
        }
        for user in users:
            key = f"{kind}:{issue.pk}:{issue.round}:{issue.state}:{issue.deadline:%Y%m%d%H%M}:{user.pk}"
            planned.append((user, kind, issue, message, key))
    sent = set(Notification.objects.filter(dedupe_key__in=[p[4] for p in planned]).values_list("dedupe_key", flat=True))
    written = 0
    for user, kind, issue, message, key in planned:
        if key not in sent and notify(user=user, kind=kind, issue=issue, message=message, dedupe_key=key):
            written += 1
    return written
