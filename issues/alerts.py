"""Alerts to deputies and station staff beyond the deadline reminders: a new case addressed to
the deputy or their station, and an unsatisfied rating. Each goes to the inbox through
issues.notifications.notify (never twice for the same key), and from there to the senders."""

from datetime import timedelta

from django.conf import settings
from django.utils.translation import gettext as _

from issues import clock
from issues.models import Action, Issue, IssueEvent, Notification, Rating, State
from issues.notifications import _recipients, notify, recipients_for


def alerts_for_event(issue: Issue, event: IssueEvent) -> int:
    """Called in the transaction of the event (issues.services.core.record_event)."""
    if event.action != Action.EVALUATE or (event.data or {}).get("rating") != Rating.UNSATISFIED:
        return 0
    text = _("The villager is unsatisfied with the answer to case %(code)s: %(comment)s") % {
        "code": issue.short_code,
        "comment": event.public_note[:120],
    }
    written = 0
    for user in recipients_for(issue):
        key = f"unsatisfied:{issue.pk}:{event.round}:{user.pk}"
        if notify(user=user, kind=Notification.Kind.UNSATISFIED, issue=issue, message=text, dedupe_key=key):
            written += 1
    unsatisfied = issue.evaluations.filter(rating=Rating.UNSATISFIED).count()
    if unsatisfied >= 2:  # the second time in the same case: the township takes it up
        escalated = _("Case %(code)s was rated unsatisfied %(n)d times: it is escalated to the township.") % {
            "code": issue.short_code,
            "n": unsatisfied,
        }
        for user in township_staff_for(issue):
            key = f"unsatisfied_township:{issue.pk}:{event.round}:{user.pk}"
            if notify(user=user, kind=Notification.Kind.UNSATISFIED, issue=issue, message=escalated, dedupe_key=key):
                written += 1
    return written


def township_staff_for(issue: Issue) -> list:
    """The township staff whose region holds the case's station."""
    from stations.models import StaffMembership

    station_path = issue.station.region.path
    memberships = StaffMembership.objects.filter(
        role=StaffMembership.Role.TOWNSHIP_STAFF, user__is_active=True
    ).select_related("user", "region")
    users = {m.user for m in memberships if station_path.startswith(m.region.path)}
    return sorted(users, key=lambda u: u.pk)


def send_new_case_alerts() -> int:
    """Tell the deputy and the station's staff of each case that arrived and waits to be accepted
    (within the last ALERT_NEW_CASE_LOOKBACK_HOURS): once per case and person. Runs on a short
    beat, so that the villager's submission itself writes nothing more."""
    since = clock.now() - timedelta(hours=settings.ALERT_NEW_CASE_LOOKBACK_HOURS)
    fresh = list(
        Issue.objects.filter(state=State.SUBMITTED, created_at__gte=since)
        .select_related("deputy__user", "station")
        .order_by("created_at")[:2000]
    )
    if not fresh:
        return 0
    recipients = _recipients(fresh)
    planned = []
    for issue in fresh:
        text = _("New case %(code)s at %(station)s: %(content)s") % {
            "code": issue.short_code,
            "station": issue.station.name,
            "content": issue.content[:60],
        }
        for user in recipients[issue.pk]:
            planned.append((user, issue, text, f"new_case:{issue.pk}:{user.pk}"))
    done = set(Notification.objects.filter(dedupe_key__in=[p[3] for p in planned]).values_list("dedupe_key", flat=True))
    written = 0
    for user, issue, text, key in planned:
        if key not in done and notify(
            user=user, kind=Notification.Kind.NEW_CASE, issue=issue, message=text, dedupe_key=key
        ):
            written += 1
    return written


def unread_count(user) -> int:
    if not user.is_authenticated:
        return 0
    return Notification.objects.filter(user=user, read_at__isnull=True).count()
