"""My queue (我的待办): the cases waiting for the signed-in user's own action, read through the
one scope (issues.permissions.scope_of) and nothing else.

Which states wait for whom is one table, QUEUE_STATES: a deputy accepts or rejects what was sent
to them or to their stations; station staff accept, review, and assign or answer their stations'
cases, chase those a department has let run past the deadline (催办), and take up (or not) the
cases the escalation chain proposed for an appointment (issues.escalation). Township staff act on
nothing (read-only) and superusers see everything: neither has a queue, their list opens on all
cases.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from issues import clock
from issues.models import Issue, State
from issues.permissions import Role, scope_of
from issues.selectors import issues_visible_to

# role -> the states in which a case waits for that role's next step.
QUEUE_STATES: dict[str, frozenset[str]] = {
    Role.DEPUTY: frozenset({State.SUBMITTED}),
    Role.STATION_STAFF: frozenset({State.SUBMITTED, State.ACCEPTED, State.REVIEWED}),
}
# States that wait for someone else (a department) but come back to station staff once overdue.
CHASED_WHEN_OVERDUE: dict[str, frozenset[str]] = {Role.STATION_STAFF: frozenset({State.ASSIGNED})}


def queue_filter(user, *, now: datetime | None = None) -> Q | None:
    """The Q of the cases waiting for this user, or None when the user has no queue."""
    scope = scope_of(user)
    now = now or clock.now()
    parts = []
    if scope.staff_station_ids:
        waiting = (
            Q(state__in=QUEUE_STATES[Role.STATION_STAFF])
            | Q(state__in=CHASED_WHEN_OVERDUE[Role.STATION_STAFF], deadline__lt=now)
            | Q(escalation_proposed_at__isnull=False)  # proposed for escalation: theirs to take up
        )
        parts.append(Q(station_id__in=scope.staff_station_ids) & waiting)
    if scope.deputy_id is not None:
        own = Q(deputy_id=scope.deputy_id) | Q(station_id__in=scope.deputy_station_ids)
        parts.append(own & Q(state__in=QUEUE_STATES[Role.DEPUTY]))
    if not parts:
        return None
    combined = parts[0]
    for part in parts[1:]:
        combined |= part
    # A merged duplicate is no work item of its own: it waits with its main case.
    return combined & Q(merged_into__isnull=True)


def has_queue(user) -> bool:
    """Whether the user acts on cases (a deputy or station staff): their list opens on the queue."""
    scope = scope_of(user)
    return not scope.is_superuser and (scope.deputy_id is not None or bool(scope.staff_station_ids))


def my_queue(user, *, now: datetime | None = None) -> QuerySet[Issue]:
    """The cases waiting for this user's action, oldest deadline first (none for those without a
    queue)."""
    q = queue_filter(user, now=now)
    if q is None:
        return Issue.objects.none()
    return issues_visible_to(user).filter(q).order_by("deadline", "created_at")


def end_of_today(now: datetime) -> datetime:
    """Midnight at the end of `now`'s day in the portal's time zone: "due today" is before it."""
    local = timezone.localtime(now)
    return local.replace(hour=0, minute=0, second=0, microsecond=0) + timedelta(days=1)


@dataclass(frozen=True)
class QueueCounts:
    total: int
    overdue: int
    due_today: int


def queue_counts(user, *, now: datetime | None = None) -> QueueCounts | None:
    """How many cases wait for this user, how many of them are past the deadline and how many
    fall due before midnight; None when the user has no queue. One query."""
    if not has_queue(user):
        return None
    now = now or clock.now()
    figures = my_queue(user, now=now).aggregate(
        total=Count("pk"),
        overdue=Count("pk", filter=Q(deadline__lt=now)),
        due_today=Count("pk", filter=Q(deadline__gte=now, deadline__lt=end_of_today(now))),
    )
    return QueueCounts(**figures)


def who_must_act(issues: list[Issue], *, on=None) -> dict[int, list]:
    """The users in whose queue each case stands, by QUEUE_STATES and CHASED_WHEN_OVERDUE (the
    case counted as overdue): the station's staff, and while it waits to be accepted the case's
    deputy and the deputies stationed at its station. Active users only, ordered by id."""
    from deputies.models import Stationing
    from stations.models import StaffMembership

    station_ids = {issue.station_id for issue in issues}
    staff: dict[int, set] = {}
    for m in StaffMembership.objects.filter(
        station_id__in=station_ids, role=StaffMembership.Role.STATION_STAFF, user__is_active=True
    ).select_related("user"):
        staff.setdefault(m.station_id, set()).add(m.user)
    deputies: dict[int, set] = {}
    stationings = Stationing.objects.current(on).filter(
        station_id__in=station_ids, deputy__is_active=True, deputy__user__is_active=True
    )
    for s in stationings.select_related("deputy__user"):
        deputies.setdefault(s.station_id, set()).add(s.deputy.user)
    staff_states = QUEUE_STATES[Role.STATION_STAFF] | CHASED_WHEN_OVERDUE[Role.STATION_STAFF]
    result = {}
    for issue in issues:
        users = set()
        if issue.state in staff_states:
            users |= staff.get(issue.station_id, set())
        if issue.state in QUEUE_STATES[Role.DEPUTY]:
            users |= deputies.get(issue.station_id, set())
            deputy = issue.deputy if issue.deputy_id else None
            if deputy is not None and deputy.is_active and deputy.user_id and deputy.user.is_active:
                users.add(deputy.user)
        result[issue.pk] = sorted(users, key=lambda u: u.pk)
    return result
