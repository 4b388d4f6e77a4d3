"""Working days in mainland China: weekends, official holidays and make-up working days (调休).

Three sources answer "is this a working day?", the first that knows the day wins:

1. the holiday schedule table (`stations.CalendarDay`), which staff fill in by hand from the
   State Council's notice as soon as it is published;
2. the maintained `chinesecalendar` package, which learns a year only with a new release;
3. Monday to Friday, for a year that neither holds (a warning is logged once per year). A year
   the package does not know counts as scheduled once the table has a holiday in it.

Caching the table. Deadlines are computed on every submission and transition, so reading the
table each time would add a query to each of them. Each process keeps the whole table instead
(a few dozen rows a year) and revalidates its copy at most every `RECHECK_SECONDS` with one
aggregate query, (row count, latest `updated_at`): every insert and every edit moves the latest
`updated_at` (auto_now), and a deletion alone lowers the count, so any change made through the
ORM from any process changes it. A save or a delete in this process drops the copy at once
(signals, connected in issues.apps), and again after the commit so that a thread which reloaded
in between does not keep the uncommitted view.

Why not a version number in the cache: without REDIS_URL the cache is each process's own
memory, so `make run`'s web server would never tell its Celery worker (which computes reopening
deadlines); with Redis it costs a round trip per deadline. The price of the chosen way is that
another process may use the previous schedule for up to `RECHECK_SECONDS` after an edit, which
is harmless for a schedule entered weeks before the days it describes. `QuerySet.update()`
bypasses auto_now and the signals: change rows through the admin or `save()`.
"""

import logging
import time
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from datetime import time as clock_time
from functools import lru_cache

import chinese_calendar
from django.db import transaction
from django.db.models import Count, Max
from django.utils import timezone

logger = logging.getLogger(__name__)

RECHECK_SECONDS = 60.0
# How far ahead the holiday schedule must be known before staff and operators are warned.
COVERAGE_DAYS = 60

# Seconds since an arbitrary point, never moved by the wall clock (nor by tests that travel).
_monotonic = time.monotonic


@dataclass(frozen=True)
class _Schedule:
    """This process's copy of the holiday schedule table."""

    working: dict[date, bool]  # date -> is it a working day
    scheduled_years: frozenset[int]  # years with at least one holiday in the table
    fingerprint: tuple
    checked_at: float


_schedule: _Schedule | None = None


def _fingerprint() -> tuple:
    from stations.models import CalendarDay

    figures = CalendarDay.objects.aggregate(rows=Count("pk"), last=Max("updated_at"))
    return (figures["rows"], figures["last"])


def _load(fingerprint: tuple, checked_at: float) -> _Schedule:
    from stations.models import CalendarDay

    working, scheduled_years = {}, set()
    for day, kind in CalendarDay.objects.values_list("date", "kind"):
        working[day] = kind == CalendarDay.Kind.WORKDAY
        if kind == CalendarDay.Kind.HOLIDAY:
            scheduled_years.add(day.year)
    return _Schedule(working, frozenset(scheduled_years), fingerprint, checked_at)


def _current_schedule() -> _Schedule:
    global _schedule
    current, now = _schedule, _monotonic()
    if current is not None and now - current.checked_at < RECHECK_SECONDS:
        return current
    # The fingerprint is read before the rows: a change landing in between makes the next check
    # reload once more, never keeps a stale copy.
    fingerprint = _fingerprint()
    if current is not None and current.fingerprint == fingerprint:
        current = replace(current, checked_at=now)
    else:
        current = _load(fingerprint, now)
    _schedule = current
    return current


def forget_schedule() -> None:
    """Drop this process's copy of the holiday schedule table: the next question reads it."""
    global _schedule
    _schedule = None


def calendar_changed(**_kwargs) -> None:
    """Receiver of CalendarDay's post_save and post_delete."""
    forget_schedule()
    transaction.on_commit(forget_schedule)


def package_covers(year: int) -> bool:
    """Whether the installed `chinesecalendar` holds the official schedule of `year`."""
    try:
        chinese_calendar.is_workday(date(year, 1, 1))
    except NotImplementedError:
        return False
    return True


def _is_working_day(day: date, schedule: _Schedule) -> bool:
    listed = schedule.working.get(day)
    if listed is not None:
        return listed
    try:
        return chinese_calendar.is_workday(day)
    except NotImplementedError:
        if day.year not in schedule.scheduled_years:
            _warn_uncovered_year(day.year)
        return day.weekday() < 5


def is_working_day(day: date) -> bool:
    return _is_working_day(day, _current_schedule())


@lru_cache(maxsize=16)
def _warn_uncovered_year(year: int) -> None:
    logger.warning(
        "No official holiday schedule for %s, neither in chinesecalendar nor in the holiday schedule table: "
        "counting Monday to Friday as working days.",
        year,
    )


def add_working_days(start: datetime, days: int) -> datetime:
    """The end (23:59:59 local time) of the `days`-th working day after `start`'s date.

    The day of `start` itself never counts, so a case submitted on a Friday evening and one
    submitted on the Friday morning share a deadline.
    """
    if days < 1:
        raise ValueError("days must be at least 1")
    schedule = _current_schedule()
    day = timezone.localtime(start).date()
    counted = 0
    while counted < days:
        day += timedelta(days=1)
        if _is_working_day(day, schedule):
            counted += 1
    return timezone.make_aware(datetime.combine(day, clock_time(23, 59, 59)))


def unscheduled_years(start: date, *, days: int = COVERAGE_DAYS, use_table: bool = True) -> list[int]:
    """The years of the `days` days from `start` on whose holidays neither the package nor (with
    `use_table`) the holiday schedule table holds: their deadlines would count every weekday,
    元旦 and 春节 included. `use_table=False` answers without touching the database."""
    scheduled = _current_schedule().scheduled_years if use_table else frozenset()
    years = range(start.year, (start + timedelta(days=days)).year + 1)
    return [year for year in years if not package_covers(year) and year not in scheduled]
