"""Working days in mainland China: weekends, official holidays and make-up working days (调休).

The holiday tables come from the maintained `chinesecalendar` package. For a year it does not
cover yet (the State Council publishes each year's schedule late in the year before), Monday to
Friday count as working days and a warning is logged once per year.
"""

import logging
from datetime import date, datetime, time, timedelta
from functools import lru_cache

import chinese_calendar
from django.utils import timezone

logger = logging.getLogger(__name__)


@lru_cache(maxsize=4096)
def is_working_day(day: date) -> bool:
    try:
        return chinese_calendar.is_workday(day)
    except NotImplementedError:
        _warn_uncovered_year(day.year)
        return day.weekday() < 5


@lru_cache(maxsize=16)
def _warn_uncovered_year(year: int) -> None:
    logger.warning("No official holiday table for %s: counting Monday to Friday as working days.", year)


def add_working_days(start: datetime, days: int) -> datetime:
    """The end (23:59:59 local time) of the `days`-th working day after `start`'s date.

    The day of `start` itself never counts, so a case submitted on a Friday evening and one
    submitted on the Friday morning share a deadline.
    """
    if days < 1:
        raise ValueError("days must be at least 1")
    day = timezone.localtime(start).date()
    counted = 0
    while counted < days:
        day += timedelta(days=1)
        if is_working_day(day):
            counted += 1
    return timezone.make_aware(datetime.combine(day, time(23, 59, 59)))
