"""Reads of activities that depend on who asks. Every list, page, export and figure starts from
`activities_visible_to(user)`, scoped like the cases (issues.permissions.scope_of)."""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.db.models import Count, F, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from activities.models import Activity, ActivityItem, ItemRating, Kind, Participation, Status
from issues import clock
from issues.models import OPEN_STATES, Rating, State
from issues.permissions import scope_of


def activities_visible_to(user) -> QuerySet[Activity]:
    """All for superusers; otherwise the activities of the stations in the user's scope (station
    staff: theirs; township staff: their region's; deputies: the stations they serve now), and
    for a deputy also the activities they took part in."""
    scope = scope_of(user)
    if scope.is_superuser:
        return Activity.objects.all()
    if scope.is_empty:
        return Activity.objects.none()
    q = scope.station_filter("station__")
    if scope.deputy_id is not None:
        q |= Q(pk__in=Participation.objects.filter(deputy_id=scope.deputy_id).values("activity_id"))
    return Activity.objects.filter(q)


# --- the follow-up supervision list -----------------------------------------------------------


class PromiseStatus:
    NONE = "none"
    IN_PROGRESS = "in_progress"
    REHANDLING = "rehandling"
    OVERDUE = "overdue"
    KEPT = "kept"
    KEPT_LATE = "kept_late"

    @staticmethod
    def label(code: str) -> str:
        return {
            "none": _("no promise yet"),
            "in_progress": _("in progress"),
            "rehandling": _("handled again"),
            "overdue": pgettext("promise", "overdue"),  # 逾期未兑现, unlike an overdue case
            "kept": _("kept on time"),
            "kept_late": _("kept late"),
        }[code]


def promise_status(item: ActivityItem, today: date) -> str:
    if not item.measure:
        return PromiseStatus.NONE
    if item.kept_at is not None:
        return PromiseStatus.KEPT if item.kept_at <= item.deadline else PromiseStatus.KEPT_LATE
    if item.deadline < today:
        return PromiseStatus.OVERDUE
    if item.case.round > 1 and item.case.state in OPEN_STATES:
        return PromiseStatus.REHANDLING
    return PromiseStatus.IN_PROGRESS


@dataclass(frozen=True)
class SupervisionRow:
    """One line of the follow-up supervision list (跟踪督办清单)."""

    item: ActivityItem
    number: int
    title: str
    case_code: str
    department: str
    measure: str
    deadline: date | None
    first_deadline: date | None
    kept_at: date | None
    status: str
    status_label: str
    case_state: str
    round: int
    rating: str  # the deputies' ratings of the latest rated round, e.g. "满意 2、不满意 1"
    return_visits: int


def _rating_summary(ratings: list[ItemRating]) -> str:
    if not ratings:
        return ""
    latest = max(r.round for r in ratings)
    counts: dict[str, int] = {}
    for r in ratings:
        if r.round == latest:
            counts[r.rating] = counts.get(r.rating, 0) + 1
    parts = [f"{Rating(code).label} {counts[code]}" for code in Rating.values if code in counts]
    prefix = _("round %(n)d: ") % {"n": latest} if latest > 1 else ""
    return prefix + "、".join(parts)


def supervision_list(activity: Activity) -> list[SupervisionRow]:
    """The items of a session with their department, promise, deadline, status and rating, in
    three queries. The caller has taken `activity` from activities_visible_to."""
    today = timezone.localdate(clock.now())
    items = (
        activity.items.select_related("case", "department")
        .prefetch_related("ratings")
        .annotate(visits=Count("return_visits"))
        .order_by("number")
    )
    rows = []
    for item in items:
        status = promise_status(item, today)
        rows.append(
            SupervisionRow(
                item=item,
                number=item.number,
                title=item.title,
                case_code=item.case.short_code,
                department=item.department.name if item.department_id else "",
                measure=item.measure,
                deadline=item.deadline,
                first_deadline=item.first_deadline,
                kept_at=item.kept_at,
                status=status,
                status_label=str(PromiseStatus.label(status)),
                case_state=str(State(item.case.state).label),
                round=item.case.round,
                rating=_rating_summary(list(item.ratings.all())),
                return_visits=item.visits,
            )
        )
    return rows


# --- figures for the dashboard and /api/stats/ --------------------------------------------------


def _as_date(value) -> date | None:
    if value is None:
        return None
    if isinstance(value, datetime):
        return timezone.localdate(value) if timezone.is_aware(value) else value.date()
    return value


def _rate(numerator: int, denominator: int, definition: str) -> dict:
    return {
        "numerator": numerator,
        "denominator": denominator,
        "rate": numerator / denominator if denominator else None,
        "definition": definition,
    }


def _in_period(field: str, start: date | None, end: date | None) -> Q:
    q = Q()
    if start is not None:
        q &= Q(**{f"{field}__gte": start})
    if end is not None:
        q &= Q(**{f"{field}__lt": end})
    return q


def activity_figures(user, start=None, end=None) -> dict:
    """The activities' figures over what `user` may see, for the period [start, end) (dates or
    aware datetimes, either bound may be None). Every rate carries numerator, denominator and
    its definition, like issues.stats.issue_stats."""
    start, end = _as_date(start), _as_date(end)
    today = timezone.localdate(clock.now())
    activities = activities_visible_to(user)
    held = activities.filter(_in_period("date", start, end), status__in=[Status.HELD, Status.CLOSED])

    by_kind = dict(
        held.filter(preparatory_for__isnull=True).values_list("kind").annotate(n=Count("id")).values_list("kind", "n")
    )
    preparatory = held.filter(preparatory_for__isnull=False).count()

    items = ActivityItem.objects.filter(activity__in=activities).exclude(measure="")
    due = items.filter(_in_period("deadline", start, end)).filter(Q(deadline__lt=today) | Q(kept_at__isnull=False))
    promises = due.aggregate(due=Count("id"), met=Count("id", filter=Q(kept_at__lte=F("deadline"))))

    ratings = ItemRating.objects.filter(item__activity__in=activities)
    if start is not None:
        ratings = ratings.filter(created_at__gte=_start_of(start))
    if end is not None:
        ratings = ratings.filter(created_at__lt=_start_of(end))
    satisfaction = ratings.aggregate(
        all=Count("id"), good=Count("id", filter=Q(rating__in=[Rating.SATISFIED, Rating.BASICALLY_SATISFIED]))
    )

    participation = _participation(user, activities, start, end, today)
    return {
        "period": {"start": start, "end": end},
        "activities_held": {
            "total": sum(by_kind.values()),
            "by_kind": {code: {"label": str(label), "value": by_kind.get(code, 0)} for code, label in Kind.choices},
            "preparatory_meetings": preparatory,
            "definition": _(
                "Activities held (or held and closed) in the period, by kind; the preparatory meetings of "
                "questioning sessions are counted apart."
            ),
        },
        "promise_kept_rate": _rate(
            promises["met"],
            promises["due"],
            _(
                "Promises kept by their deadline ÷ promises due: promises whose deadline falls in the period and "
                "has passed, or that were already kept. A promise moved after an unsatisfied rating counts "
                "against its new deadline."
            ),
        ),
        "item_satisfaction": _rate(
            satisfaction["good"],
            satisfaction["all"],
            _("Deputies' ratings of activity items given in the period: satisfied or basically satisfied ÷ all."),
        ),
        "deputy_participation_rate": participation,
    }


def _start_of(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


def _participation(user, activities, start, end, today) -> dict:
    from deputies.models import Stationing
    from stations.models import DutySlot

    scope = scope_of(user)
    on = min(today, end - timedelta(days=1)) if end is not None else today
    stationings = Stationing.objects.current(on=on).filter(deputy__is_active=True)
    slots = DutySlot.objects.filter(_in_period("date", start, end), date__lte=today)
    if not scope.is_superuser:
        stationings = stationings.filter(scope.station_filter("station__"))
        slots = slots.filter(scope.station_filter("station__"))
    deputies = set(stationings.values_list("deputy_id", flat=True))
    took_part = set(
        Participation.objects.filter(
            attended=True,
            activity__in=activities.filter(_in_period("date", start, end), status__in=[Status.HELD, Status.CLOSED]),
        ).values_list("deputy_id", flat=True)
    )
    took_part |= set(slots.values_list("deputy_id", flat=True))
    return _rate(
        len(deputies & took_part),
        len(deputies),
        _(
            "Deputies stationed at the visible stations who took part in at least one activity or had a duty slot "
            "in the period ÷ those deputies."
        ),
    )


# --- the public station page ------------------------------------------------------------------------


@dataclass(frozen=True)
class PublicEvent:
    """An upcoming reception day or public activity, as a villager may see it."""

    date: date
    start_time: object
    end_time: object
    kind: str
    kind_label: str
    title: str
    deputy_name: str
    place: str


def upcoming_public_events(station, days: int = 60) -> list[PublicEvent]:
    """The station's next reception days (duty slots) and planned public activities, from today
    to `days` ahead, in date order. Public data only: no minutes, no internal meetings."""
    from stations.models import DutySlot

    today = timezone.localdate(clock.now())
    until = today + timedelta(days=days)
    events = [
        PublicEvent(
            date=slot.date,
            start_time=slot.start_time,
            end_time=slot.end_time,
            kind=Kind.RECEPTION_DAY.value,
            kind_label=str(Kind.RECEPTION_DAY.label),
            title=slot.note or str(Kind.RECEPTION_DAY.label),
            deputy_name=slot.deputy.name,
            place=station.address,
        )
        for slot in DutySlot.objects.filter(station=station, date__gte=today, date__lte=until).select_related("deputy")
    ]
    activities = Activity.objects.filter(
        station=station,
        status=Status.PLANNED,
        is_public=True,
        preparatory_for__isnull=True,
        date__gte=today,
        date__lte=until,
    )
    events += [
        PublicEvent(
            date=a.date,
            start_time=a.start_time,
            end_time=None,
            kind=a.kind,
            kind_label=str(a.get_kind_display()),
            title=a.theme,
            deputy_name="",
            place=a.place or station.address,
        )
        for a in activities
    ]
    return sorted(events, key=lambda e: (e.date, e.start_time or time.min))
