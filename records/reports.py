"""What the two reports say, as plain data for their templates: the deputy's annual report
(述职报告) is their duty record for the year; the station's quarterly report (工作报告) is the
dashboard's figures for the station and quarter, its deputies' records and its activities.
Both are computed as the user who asked for the report sees them."""

from datetime import date, timedelta

from django.db.models import Count
from django.db.models.functions import TruncMonth
from django.utils import timezone

from activities.models import Status
from activities.selectors import activities_visible_to
from dashboard.selectors import by_category
from deputies.models import Deputy, Stationing
from issues.stats import figure_cases, issue_stats
from records.charts import bar_chart, column_chart
from records.selectors import day_start, duty_record


def quarter_days(year: int, quarter: int) -> tuple[date, date]:
    first = date(year, 3 * (quarter - 1) + 1, 1)
    following = date(year + (quarter == 4), 1 if quarter == 4 else 3 * quarter + 1, 1)
    return first, following - timedelta(days=1)


def _months(cases) -> list[tuple[str, int]]:
    rows = (
        cases.order_by()
        .annotate(month=TruncMonth("created_at", tzinfo=timezone.get_current_timezone()))
        .values("month")
        .annotate(n=Count("pk"))
        .order_by("month")
    )
    return [(f"{r['month']:%m}月", r["n"]) for r in rows]


def deputy_annual(user, deputy: Deputy, year: int) -> dict:
    first, last = date(year, 1, 1), date(year, 12, 31)
    record = duty_record(user, deputy, first, last)
    cases = figure_cases(user, start=day_start(first), end=day_start(last + timedelta(days=1)), deputy_id=deputy.pk)
    return {
        "year": year,
        "r": record,
        "months_chart": column_chart(_months(cases)),
        "categories_chart": bar_chart([(c["name"], c["value"]) for c in record["by_category"]]),
    }


def station_quarterly(user, station, year: int, quarter: int, progress=None) -> dict:
    first, last = quarter_days(year, quarter)
    start, end = day_start(first), day_start(last + timedelta(days=1))
    figures = issue_stats(user, start=start, end=end, station_id=station.pk, extra_figures=True)
    cases = figure_cases(user, start=start, end=end, station_id=station.pk)
    categories = by_category(cases)
    held = (
        activities_visible_to(user)
        .filter(station=station, date__gte=first, date__lte=last, status__in=[Status.HELD, Status.CLOSED])
        .order_by("date", "pk")
    )
    activities = [
        {"date": a.date, "kind": a.get_kind_display(), "theme": a.theme, "attendance": a.attendance} for a in held
    ]
    serving = (
        Stationing.objects.filter(station=station, start_date__lte=last).exclude(end_date__lt=first).values("deputy_id")
    )
    deputies = list(Deputy.objects.filter(pk__in=serving).order_by("name"))
    records = []
    for i, deputy in enumerate(deputies, start=1):
        records.append(duty_record(user, deputy, first, last))
        if progress is not None:
            progress(10 + 40 * i // len(deputies))
    return {
        "year": year,
        "quarter": quarter,
        "station": station,
        "first_day": first,
        "last_day": last,
        "f": figures,
        "empty": not figures["received"]["value"] and not activities and not figures["voter_contacts"]["receptions"],
        "categories": categories,
        "categories_chart": bar_chart([(c["name"], c["n"]) for c in categories]),
        "months_chart": column_chart(_months(cases)),
        "activities": activities,
        "activity_kinds": bar_chart(sorted(_count_by(a["kind"] for a in activities).items(), key=lambda kv: -kv[1])),
        "records": records,
    }


def _count_by(values) -> dict:
    out: dict = {}
    for v in values:
        out[str(v)] = out.get(str(v), 0) + 1
    return out
