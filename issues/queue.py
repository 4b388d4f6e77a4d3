"""My queue (我的待办): the cases waiting for the signed-in user's own action, read through the
one scope (issues.permissions.scope_of) and nothing else.

Which states wait for whom is one table, QUEUE_STATES: a deputy accepts or rejects what was sent
to them or to their stations; station staff accept, review, and assign or answer their stations'
cases, and chase those a department has let run past the deadline (催办). Township staff act on
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
        waiting = Q(state__in=QUEUE_STATES[Role.STATION_STAFF]) | Q(
            state__in=CHASED_WHEN_OVERDUE[Role.STATION_STAFF], deadline__lt=now
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
