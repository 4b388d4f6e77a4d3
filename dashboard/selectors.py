"""What the dashboard shows, for one user and one set of filters. The headline figures come from
`issues.stats.issue_stats` (the same computation as /api/stats/); the charts and tables are
grouped aggregates over the same `figure_cases`. A fixed number of queries whatever the data."""

from dataclasses import asdict, dataclass
from datetime import datetime, timedelta

from django.db.models import Count, F, Min, Q
from django.db.models.functions import TruncMonth, TruncWeek
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _

from dashboard.forms import Filters
from dashboard.models import ExportJob
from dashboard.returns import returns_by_department
from issues import clock
from issues.deadlines import deadline_label
from issues.models import OPEN_STATES, Action, Issue, IssueEvent, Rating, State
from issues.stats import Median, Seconds, figure_cases, figure_stations, issue_stats

# Fewer cases than this and a station gets no rank: one quick fix must not top the table.
MIN_CASES_TO_RANK = 10
OVERDUE_LIST_LIMIT = 50
EXTENDED_LIST_LIMIT = 20
DEPUTY_LIST_LIMIT = 30
STATION_LIST_LIMIT = 40  # on the screen; the print view and the exports have them all

_SATISFIED = Q(rating__in=[Rating.SATISFIED, Rating.BASICALLY_SATISFIED])
_ACCEPTED = Q(accepted_at__isnull=False) & ~Q(state=State.REJECTED)

# The states grouped as a township head reads them, in the order of the lifecycle.
STATE_GROUPS = [
    ("waiting", [State.SUBMITTED]),
    ("handling", [State.ACCEPTED, State.REVIEWED, State.ASSIGNED]),
    ("replied", [State.REPLIED]),
    ("finished", [State.EVALUATED, State.CLOSED]),
    ("rejected", [State.REJECTED]),
]


def state_group_labels() -> dict[str, str]:
    return {
        "waiting": _("Waiting to be accepted"),
        "handling": _("Being handled"),
        "replied": _("Replied, awaiting rating"),
        "finished": _("Finished"),
        "rejected": _("Not accepted"),
    }


def _pct(n: int, d: int) -> float | None:
    return n / d if d else None


@dataclass
class StationRow:
    station_id: int
    name: str
    region: str
    received: int
    rejected: int
    accepted: int
    replied: int
    reply_timed: int
    reply_on_time: int
    solved: int
    evaluated: int
    satisfied: int
    overdue: int
    rank: int | None = None

    @property
    def handled(self) -> int:
        return self.received - self.rejected

    @property
    def reply_rate(self):
        return _pct(self.replied, self.accepted)

    @property
    def on_time_rate(self):
        return _pct(self.reply_on_time, self.reply_timed)

    @property
    def solved_rate(self):
        return _pct(self.solved, self.handled)

    @property
    def satisfaction_rate(self):
        return _pct(self.satisfied, self.evaluated)


def _rate_counts(now: datetime) -> dict:
    return {
        "received": Count("pk"),
        "rejected": Count("pk", filter=Q(state=State.REJECTED)),
        "accepted": Count("pk", filter=_ACCEPTED),
        "replied": Count("pk", filter=_ACCEPTED & Q(first_replied_at__isnull=False)),
        "reply_timed": Count("pk", filter=Q(last_reply_on_time__isnull=False)),
        "reply_on_time": Count("pk", filter=Q(last_reply_on_time=True)),
        "solved": Count("pk", filter=Q(state__in=[State.EVALUATED, State.CLOSED])),
        "evaluated": Count("pk", filter=~Q(rating="")),
        "satisfied": Count("pk", filter=_SATISFIED),
        "overdue": Count("pk", filter=Q(state__in=OPEN_STATES, deadline__lt=now)),
    }


def station_table(user, cases, f: Filters, now: datetime) -> list[StationRow]:
    """Every station covered, with its counts; ranked by solved rate (then satisfaction, then
    cases), only those with at least MIN_CASES_TO_RANK cases."""
    counts = {row.pop("station_id"): row for row in cases.order_by().values("station_id").annotate(**_rate_counts(now))}
    stations = figure_stations(
        user, station_id=f.station.pk if f.station else None, region_id=f.region.pk if f.region else None
    )
    rows = []
    zero = dict.fromkeys(_rate_counts(now), 0)
    for pk, name, region in stations.order_by("region__path", "name").values_list("pk", "name", "region__name"):
        rows.append(StationRow(station_id=pk, name=name, region=region, **counts.get(pk, zero)))
    rankable = [r for r in rows if r.received >= MIN_CASES_TO_RANK]
    rankable.sort(key=lambda r: (-(r.solved_rate or 0), -(r.satisfaction_rate or 0), -r.received, r.name))
    for i, row in enumerate(rankable, start=1):
        row.rank = i
    unranked = sorted((r for r in rows if r.rank is None), key=lambda r: (-r.received, r.name))
    return rankable + unranked


def deputy_table(user, cases, f: Filters) -> list[dict]:
    """Deputies with cases addressed to them in the period: received, accepted, replied, the
    median time to accept, and the activities they attended when the activities app is there."""
    rows = list(
        cases.filter(deputy__isnull=False)
        .order_by()
        .values("deputy_id", "deputy__name")
        .annotate(
            received=Count("pk"),
            accepted=Count("pk", filter=_ACCEPTED),
            replied=Count("pk", filter=_ACCEPTED & Q(first_replied_at__isnull=False)),
            median_to_accept=Median(Seconds(F("accepted_at"), F("created_at"))),
        )
        .order_by("-received", "deputy__name")[:DEPUTY_LIST_LIMIT]
    )
    # The deputies as a subquery, not a list: the same query even when there is none.
    attended = _activities_attended(user, f, cases.filter(deputy__isnull=False).values("deputy_id"))
    for r in rows:
        r["activities"] = attended.get(r["deputy_id"], 0) if attended is not None else None
    return rows


def _activities_attended(user, f: Filters, deputy_ids) -> dict | None:
    try:
        from activities.models import Participation, Status
        from activities.selectors import activities_visible_to
    except ImportError:
        return None
    held = activities_visible_to(user).filter(
        date__gte=f.first_day, date__lte=f.last_day, status__in=[Status.HELD, Status.CLOSED]
    )
    return dict(
        Participation.objects.filter(attended=True, activity__in=held, deputy_id__in=deputy_ids)
        .values("deputy_id")
        .annotate(n=Count("pk"))
        .values_list("deputy_id", "n")
    )


def weekly_states(cases, f: Filters) -> list[dict]:
    """Cases per week of submission (per month beyond a year), by group of current state."""
    span = (f.last_day - f.first_day).days
    trunc = TruncWeek("created_at") if span <= 370 else TruncMonth("created_at")
    rows = (
        cases.order_by()
        .annotate(bucket=trunc)
        .values("bucket")
        .annotate(**{key: Count("pk", filter=Q(state__in=states)) for key, states in STATE_GROUPS})
        .order_by("bucket")
    )
    return [{**r, "bucket": None, "label": _label(r["bucket"])} for r in rows]


def monthly_satisfaction(cases) -> list[dict]:
    rows = (
        cases.order_by()
        .annotate(month=TruncMonth("created_at"))
        .values("month")
        .annotate(evaluated=Count("pk", filter=~Q(rating="")), satisfied=Count("pk", filter=_SATISFIED))
        .order_by("month")
    )
    return [
        {**r, "month": None, "label": _label(r["month"], month=True), "rate": _pct(r["satisfied"], r["evaluated"])}
        for r in rows
    ]


def by_category(cases) -> list[dict]:
    rows = cases.order_by().values("category__name").annotate(n=Count("pk")).order_by("-n", "category__name")
    return [{"name": r["category__name"] or _("Uncategorised"), "n": r["n"]} for r in rows]


def _label(value, *, month=False) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        value = timezone.localtime(value) if timezone.is_aware(value) else value
    return value.strftime("%Y-%m") if month else value.strftime("%m-%d")


def activity_figures(user, f: Filters) -> dict | None:
    """The activities' figures (兑现率, 参与率, by kind) when the activities app provides them."""
    try:
        from activities.selectors import activity_figures as figures
    except ImportError:
        return None
    return figures(user, f.first_day, f.last_day + timedelta(days=1))


def overdue_cases(cases, now: datetime) -> list[dict]:
    rows = (
        cases.filter(state__in=OPEN_STATES, deadline__lt=now)
        .select_related("station", "category")
        .only("pk", "short_code", "state", "deadline", "station__name", "category__name")
        .order_by("deadline", "pk")[:OVERDUE_LIST_LIMIT]
    )
    return [
        {
            "pk": i.pk,
            "short_code": i.short_code,
            "station_name": i.station.name,
            "category_name": i.category.name if i.category else "",
            "state_label": str(i.get_state_display()),
            "deadline": i.deadline,
            "deadline_kind": deadline_label(i.state),
        }
        for i in rows
    ]


def extended_cases(cases) -> dict:
    """Open cases whose deadline was extended in their current round: how many, and the ones with
    the most extensions, each with the deadline it had before the first of them. Extensions are
    bounded (issues.services.lifecycle), and shown here so that supervisors see them."""
    events = (
        IssueEvent.objects.filter(
            action=Action.EXTEND, round=F("issue__round"), issue__in=cases.filter(state__in=OPEN_STATES)
        )
        .values("issue_id")
        .annotate(times=Count("id"), first_at=Min("created_at"))
    )
    total = events.count()
    top = list(events.order_by("-times", "first_at")[:EXTENDED_LIST_LIMIT])
    issues = {
        i.pk: i
        for i in Issue.objects.filter(pk__in=[row["issue_id"] for row in top])
        .select_related("station")
        .only("pk", "short_code", "state", "round", "deadline", "station__name")
    }
    firsts: dict[int, str | None] = {}
    for issue_id, data in (
        IssueEvent.objects.filter(issue_id__in=issues, action=Action.EXTEND, round=F("issue__round"))
        .order_by("created_at", "id")
        .values_list("issue_id", "data")
    ):
        firsts.setdefault(issue_id, data.get("from"))
    rows = []
    for row in top:
        issue = issues[row["issue_id"]]
        first = firsts.get(issue.pk)
        rows.append(
            {
                "pk": issue.pk,
                "short_code": issue.short_code,
                "station_name": issue.station.name,
                "state_label": str(issue.get_state_display()),
                "times": row["times"],
                "original_deadline": parse_datetime(first) if isinstance(first, str) else None,
                "deadline": issue.deadline,
            }
        )
    return {"total": total, "rows": rows}


def dashboard_data(user, f: Filters) -> dict:
    """Everything the page shows, as plain data (JSON-serialisable: it may be kept as a snapshot)."""
    now = clock.now()
    kwargs = f.stats_kwargs()
    cases = figure_cases(user, **kwargs)
    figures = issue_stats(user, **kwargs, extra_figures=True)
    return {
        "figures": figures,
        "weekly": weekly_states(cases, f),
        "satisfaction": monthly_satisfaction(cases),
        "categories": by_category(cases),
        "stations": [asdict(row) for row in station_table(user, cases, f, now)],
        "stations_shown": STATION_LIST_LIMIT,
        "deputies": deputy_table(user, cases, f),
        "overdue": overdue_cases(cases, now),
        "extended": extended_cases(cases),
        "returns": returns_by_department(cases),
        "activities": activity_figures(user, f),
        "min_cases_to_rank": MIN_CASES_TO_RANK,
    }


def export_jobs_of(user):
    """The background exports this user asked for, newest first: nobody else's, superusers'
    neither (the files hold villagers' masked names and phones and their words)."""
    return ExportJob.objects.filter(user=user).order_by("-created_at", "-id")
