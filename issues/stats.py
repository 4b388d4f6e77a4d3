"""The network's figures (答复率, 办结率, 满意率, …) for whoever asks, computed in SQL.

`issue_stats` is the one computation behind `/api/stats/` and the dashboard. Its core is one
conditional aggregate over `issues_visible_to(user)` (medians included), whatever the number of
cases; `extra_figures=True` adds three more queries for the figures that need other tables
(forwardings, reception days, deputies). Every figure carries its definition, and every rate its
numerator and denominator, so that a reader can check it and nobody has to guess what was
divided by what. `figure_cases` is the filtered case set the figures are taken over: the
dashboard's charts, tables and exports start from it too.
"""

import statistics
from datetime import date, datetime, timedelta

from django.db.models import Aggregate, Count, Exists, F, FloatField, Func, OuterRef, Q, QuerySet, Subquery
from django.utils import timezone
from django.utils.translation import gettext as _

from issues import clock
from issues.models import OPEN_STATES, Forwarding, Issue, IssueEvent, Rating, State
from issues.permissions import scope_of
from issues.selectors import issues_visible_to

_REJECTED = Q(state=State.REJECTED)
_ACCEPTED_NOT_REJECTED = Q(accepted_at__isnull=False) & ~_REJECTED
_SATISFIED = Q(rating__in=[Rating.SATISFIED, Rating.BASICALLY_SATISFIED])
_SOLVED = Q(state__in=[State.EVALUATED, State.CLOSED])

# Upper bounds (in days) of the time-to-first-reply distribution; the last bucket is open.
REPLY_BUCKET_DAYS = (1, 2, 5, 10)


class Seconds(Func):
    """`end - start` in seconds as a float (NULL when either is NULL), on PostgreSQL and SQLite."""

    output_field = FloatField()

    def __init__(self, end, start, **extra):
        super().__init__(end, start, **extra)

    def as_sql(self, compiler, connection, **extra):  # pragma: no cover - other backends
        raise NotImplementedError(connection.vendor)

    def as_postgresql(self, compiler, connection, **extra):
        return super().as_sql(
            compiler, connection, template="(EXTRACT(EPOCH FROM (%(expressions)s))::double precision)", arg_joiner=" - "
        )

    def as_sqlite(self, compiler, connection, **extra):
        # Django registers django_timestamp_diff (microseconds) on every SQLite connection.
        return super().as_sql(compiler, connection, template="(django_timestamp_diff(%(expressions)s) / 1000000.0)")


class _SqliteMedian:
    def __init__(self):
        self.values = []

    def step(self, value):
        if value is not None:
            self.values.append(value)

    def finalize(self):
        return statistics.median(self.values) if self.values else None


class Median(Aggregate):
    """The median of a numeric expression, NULLs ignored; the mean of the middle two of an even
    sample (PostgreSQL's percentile_cont(0.5); a Python aggregate registered on SQLite)."""

    name = "Median"
    output_field = FloatField()
    allow_distinct = False

    def as_sql(self, compiler, connection, **extra):  # pragma: no cover - other backends
        raise NotImplementedError(connection.vendor)

    def as_postgresql(self, compiler, connection, **extra):
        return super().as_sql(
            compiler, connection, function="", template="percentile_cont(0.5) WITHIN GROUP (ORDER BY %(expressions)s)"
        )

    def as_sqlite(self, compiler, connection, **extra):
        connection.ensure_connection()
        connection.connection.create_aggregate("liaison_median", 1, _SqliteMedian)
        return super().as_sql(compiler, connection, function="liaison_median")


def _rate(numerator: int, denominator: int, definition: str) -> dict:
    return {
        "numerator": numerator,
        "denominator": denominator,
        "rate": numerator / denominator if denominator else None,
        "definition": definition,
    }


def _count(value: int, definition: str) -> dict:
    return {"value": value, "definition": definition}


def stations_in_region(region_id: int) -> QuerySet:
    """The stations of a region and of every region under it, as a subquery (no query of its own)."""
    from stations.models import Region, Station

    path = Region.objects.filter(pk=region_id).values("path")[:1]
    return Station.objects.filter(region__path__startswith=Subquery(path)).values("pk")


def figure_cases(
    user,
    *,
    start: datetime | None = None,
    end: datetime | None = None,
    station_id: int | None = None,
    category_id: int | None = None,
    channel: str | None = None,
    region_id: int | None = None,
    deputy_id: int | None = None,
) -> QuerySet[Issue]:
    """The cases this user may see that were submitted in [start, end) (either bound may be
    open), optionally of one station, region (and the regions under it), category, channel or
    deputy (the cases addressed to them: their duty record). A group of duplicates merged into
    one main case is one problem: only the main case is in the set (`merged_reports` counts the
    reports merged into them)."""
    cases = issues_visible_to(user).filter(merged_into__isnull=True)
    if start is not None:
        cases = cases.filter(created_at__gte=start)
    if end is not None:
        cases = cases.filter(created_at__lt=end)
    if station_id is not None:
        cases = cases.filter(station_id=station_id)
    if region_id is not None:
        cases = cases.filter(station_id__in=stations_in_region(region_id))
    if category_id is not None:
        cases = cases.filter(category_id=category_id)
    if channel:
        cases = cases.filter(channel=channel)
    if deputy_id is not None:
        cases = cases.filter(deputy_id=deputy_id)
    return cases


def figure_stations(user, *, station_id: int | None = None, region_id: int | None = None) -> QuerySet:
    """The stations the figures cover: those in the user's scope, narrowed like the cases."""
    from stations.models import Station

    scope = scope_of(user)
    stations = Station.objects.all()
    if not scope.is_superuser:
        stations = stations.filter(scope.station_filter())
    if station_id is not None:
        stations = stations.filter(pk=station_id)
    if region_id is not None:
        stations = stations.filter(pk__in=stations_in_region(region_id))
    return stations


def reply_bucket_filters() -> list[tuple[str, Q]]:
    """(key, condition) of each bucket of the time to the first reply."""
    buckets, lower = [], None
    for days in REPLY_BUCKET_DAYS:
        q = Q(first_replied_at__isnull=False) & Q(first_replied_at__lte=F("created_at") + timedelta(days=days))
        if lower is not None:
            q &= Q(first_replied_at__gt=F("created_at") + timedelta(days=lower))
        buckets.append((f"le_{days}d", q))
        lower = days
    buckets.append((f"gt_{lower}d", Q(first_replied_at__gt=F("created_at") + timedelta(days=lower))))
    return buckets


def issue_stats(
    user,
    *,
    start: datetime | None = None,
    end: datetime | None = None,
    station_id: int | None = None,
    category_id: int | None = None,
    channel: str | None = None,
    region_id: int | None = None,
    deputy_id: int | None = None,
    extra_figures: bool = False,
) -> dict:
    """The figures over the cases this user may see that were submitted in [start, end) (either
    bound may be open), optionally of one station, region, category or channel. Two queries; with
    `extra_figures`, three more: voter contacts, time to the department, deputies active."""
    now = clock.now()
    cases = figure_cases(
        user,
        start=start,
        end=end,
        station_id=station_id,
        category_id=category_id,
        channel=channel,
        region_id=region_id,
        deputy_id=deputy_id,
    )
    buckets = reply_bucket_filters()
    c = cases.aggregate(
        received=Count("pk"),
        rejected=Count("pk", filter=_REJECTED),
        accepted=Count("pk", filter=_ACCEPTED_NOT_REJECTED),
        replied=Count("pk", filter=_ACCEPTED_NOT_REJECTED & Q(first_replied_at__isnull=False)),
        first_replied=Count("pk", filter=Q(first_replied_at__isnull=False)),
        reply_timed=Count("pk", filter=Q(last_reply_on_time__isnull=False)),
        reply_on_time=Count("pk", filter=Q(last_reply_on_time=True)),
        solved=Count("pk", filter=_SOLVED),
        evaluated=Count("pk", filter=~Q(rating="")),
        satisfied=Count("pk", filter=_SATISFIED),
        rehandled=Count("pk", filter=Q(round__gt=1)),
        overdue=Count("pk", filter=Q(state__in=OPEN_STATES, deadline__lt=now)),
        median_to_reply=Median(Seconds(F("first_replied_at"), F("created_at"))),
        **{f"bucket_{key}": Count("pk", filter=q) for key, q in buckets},
    )
    merged = merged_reports(cases)
    figures = {
        "start": start,
        "end": end,
        "computed_at": now,
        "received": _count(
            c["received"], _("Problems submitted in the period; duplicates merged into one case count once.")
        ),
        "reports": _count(
            c["received"] + merged, _("Reports behind those problems: each case, and each duplicate merged into it.")
        ),
        "rejected": _count(c["rejected"], _("Cases of the period that were not accepted (不予受理).")),
        "rehandled": _count(
            c["rehandled"], _("Cases of the period handled more than once (reopened after an unsatisfied rating).")
        ),
        "overdue_now": _count(
            c["overdue"], _("Cases of the period still being handled whose current deadline has passed, now.")
        ),
        "reply_rate": _rate(
            c["replied"],
            c["accepted"],
            _("Cases replied to at least once ÷ cases accepted and not rejected afterwards."),
        ),
        "on_time_reply_rate": _rate(
            c["reply_on_time"],
            c["reply_timed"],
            _("Cases whose latest reply came before its deadline ÷ cases replied to at least once."),
        ),
        "solved_rate": _rate(
            c["solved"],
            c["received"] - c["rejected"],
            _(
                "Cases finished (rated satisfied or basically satisfied, or closed without a rating) ÷ cases received "
                "minus rejected ones."
            ),
        ),
        "satisfaction_rate": _rate(
            c["satisfied"],
            c["evaluated"],
            _(
                "Cases whose latest rating is satisfied or basically satisfied ÷ cases rated at least once. Cases "
                "closed without a rating are not in it and never count as satisfied."
            ),
        ),
        "median_seconds_to_first_reply": {
            "seconds": c["median_to_reply"] if c["first_replied"] else None,
            "sample": c["first_replied"],
            "definition": _("Median time from submission to the first reply, over the cases replied to."),
        },
        "reply_time_distribution": {
            "buckets": [{"key": key, "value": c[f"bucket_{key}"]} for key, _q in buckets],
            "definition": _(
                "Cases replied to, by the time from submission to the first reply (calendar time, holidays included)."
            ),
        },
    }
    if extra_figures:
        stations = figure_stations(user, station_id=station_id, region_id=region_id)
        figures.update(_forwarding_figures(cases))
        figures["voter_contacts"] = _voter_contacts(
            c["received"], stations, start, end, now, cases_only=bool(category_id or channel)
        )
        figures["deputies_active"] = _deputies_active(stations, start, end, now)
    return figures


def merged_reports(cases: QuerySet[Issue]) -> int:
    """How many duplicates were merged into these (main) cases. Said "not NULL" so that PostgreSQL
    starts from the few merged cases (their index) instead of the whole selection (1.2 s for a
    province's year at 5 M cases)."""
    return Issue.objects.filter(merged_into__isnull=False, merged_into__in=cases.values("pk")).count()


def _forwarding_figures(cases: QuerySet[Issue]) -> dict:
    """One query over the first-round forwardings of the cases that were delivered."""
    delivered = Forwarding.objects.filter(round=1, delivered_at__isnull=False, issue_id__in=cases.values("pk"))
    f = delivered.aggregate(
        n=Count("pk"),
        to_department=Median(Seconds(F("delivered_at"), F("issue__created_at"))),
        transmission=Median(Seconds(F("delivered_at"), F("created_at"))),
    )
    return {
        "median_seconds_to_department": {
            "seconds": f["to_department"] if f["n"] else None,
            "sample": f["n"],
            "definition": _(
                "Median time from submission to the delivery of the case to the department through the governance "
                "platform (Forwarding.delivered_at − submission, first round), over the cases delivered. It includes "
                "the deputy's acceptance and the station's review."
            ),
        },
        "median_seconds_transmission": {
            "seconds": f["transmission"] if f["n"] else None,
            "sample": f["n"],
            "definition": _(
                "Median time from the station's hand-over (assignment) to the delivery to the department: the "
                "platform's own part, which the source promises within 5 seconds."
            ),
        },
    }


def _day(value: datetime) -> date:
    return timezone.localdate(value)


def _voter_contacts(received: int, stations, start, end, now, *, cases_only: bool) -> dict:
    from stations.models import DutySlot

    receptions = 0
    if not cases_only:
        slots = DutySlot.objects.filter(station__in=stations, date__lte=_day(now))
        if start is not None:
            slots = slots.filter(date__gte=_day(start))
        if end is not None:
            slots = slots.filter(date__lt=_day(end))
        receptions = slots.count()
    return {
        "value": received + receptions,
        "cases": received,
        "receptions": receptions,
        "definition": _(
            "Cases received (every channel: QR codes, visits, walk-ins) + reception days (接待日) held at the "
            "stations in the period (one per deputy and day, whatever the number of visitors, which is not "
            "recorded). With a category or channel filter only the cases count."
        ),
    }


def _deputies_active(stations, start, end, now) -> dict:
    from deputies.models import Deputy, Stationing
    from stations.models import DutySlot

    on = _day(now)
    if end is not None:
        on = min(on, _day(end - timedelta(microseconds=1)))
    serving = Stationing.objects.current(on=on).filter(station__in=stations).values("deputy_id")
    acted = IssueEvent.objects.filter(actor_id=OuterRef("user_id"), created_at__lte=now)
    duty = DutySlot.objects.filter(deputy_id=OuterRef("pk"), date__lte=_day(now))
    if start is not None:
        acted = acted.filter(created_at__gte=start)
        duty = duty.filter(date__gte=_day(start))
    if end is not None:
        acted = acted.filter(created_at__lt=end)
        duty = duty.filter(date__lt=_day(end))
    d = Deputy.objects.filter(is_active=True, pk__in=serving).aggregate(
        serving=Count("pk"), active=Count("pk", filter=Q(Exists(acted)) | Q(Exists(duty)))
    )
    return _rate(
        d["active"],
        d["serving"],
        _(
            "Deputies stationed at the stations covered who, in the period, acted on at least one case with their "
            "own account (accepted, rejected, replied…) or held a reception day ÷ those deputies."
        ),
    )
