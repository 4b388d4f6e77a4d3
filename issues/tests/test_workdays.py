"""Deadlines count mainland working days: official holidays are off, make-up working days (调休)
are on, and a year without an official table falls back to Monday to Friday.

The dates below are the State Council's schedules as the `chinesecalendar` package holds them:
- National Day and Mid-Autumn 2025: 1–8 October off; Sunday 28 September and Saturday
  11 October were working days.
- Spring Festival 2026: 15–23 February off; Saturday 14 and Saturday 28 February were working days.
"""

import logging
from datetime import date, datetime
from zoneinfo import ZoneInfo

import chinese_calendar
import pytest
import time_machine

from issues import services, workdays
from issues.models import State
from issues.tests.lifecycle import drive_to
from issues.workdays import add_working_days, is_working_day

SHANGHAI = ZoneInfo("Asia/Shanghai")


def at(year, month, day, hour=10, minute=0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=SHANGHAI)


def end_of(year, month, day) -> datetime:
    return datetime(year, month, day, 23, 59, 59, tzinfo=SHANGHAI)


@pytest.fixture(autouse=True)
def _forget_cached_days(db):
    """The holiday schedule table and the uncovered-year warning are cached per process; the
    table is read from the database (empty here, so the package decides)."""
    workdays.forget_schedule()
    workdays._warn_uncovered_year.cache_clear()
    yield
    workdays.forget_schedule()
    workdays._warn_uncovered_year.cache_clear()


@pytest.mark.parametrize(
    ("day", "working"),
    [
        (date(2025, 9, 27), False),  # Saturday before the holiday
        (date(2025, 9, 28), True),  # Sunday, make-up working day
        (date(2025, 10, 1), False),
        (date(2025, 10, 6), False),  # Mid-Autumn Festival inside the week
        (date(2025, 10, 8), False),
        (date(2025, 10, 9), True),
        (date(2025, 10, 11), True),  # Saturday, make-up working day
        (date(2025, 10, 12), False),
        (date(2026, 2, 14), True),  # Saturday, make-up working day
        (date(2026, 2, 16), False),  # Monday of the Spring Festival week
        (date(2026, 2, 23), False),
        (date(2026, 2, 24), True),
        (date(2026, 2, 28), True),  # Saturday, make-up working day
    ],
)
def test_working_days_follow_the_official_schedule(day, working):
    assert chinese_calendar.is_workday(day) is working  # the table the package ships agrees
    assert is_working_day(day) is working


@pytest.mark.parametrize(
    ("start", "days", "deadline"),
    [
        (at(2025, 9, 30), 1, end_of(2025, 10, 9)),  # the whole holiday is skipped
        (at(2025, 9, 26), 1, end_of(2025, 9, 28)),  # Friday → the working Sunday
        (at(2025, 10, 10), 1, end_of(2025, 10, 11)),  # Friday → the working Saturday
        (at(2025, 9, 30), 5, end_of(2025, 10, 14)),  # 9, 10, 11 (Sat), 13, 14
        (at(2025, 9, 26), 3, end_of(2025, 9, 30)),  # 28 (Sun), 29, 30
        (at(2026, 2, 13), 1, end_of(2026, 2, 14)),  # Friday → the working Saturday
        (at(2026, 2, 14), 1, end_of(2026, 2, 24)),  # from the make-up day over the festival
        (at(2026, 2, 13), 5, end_of(2026, 2, 27)),  # 14, 24, 25, 26, 27
        (at(2026, 2, 20), 5, end_of(2026, 2, 28)),  # 24, 25, 26, 27, 28 (Sat)
    ],
)
def test_deadline_is_the_end_of_the_nth_working_day_after_the_start(start, days, deadline):
    assert add_working_days(start, days) == deadline


def test_the_start_day_counts_in_local_time_not_utc():
    # 00:30 on 30 September in Shanghai is still 29 September in UTC.
    start = at(2025, 9, 30, 0, 30).astimezone(ZoneInfo("UTC"))
    assert start.date() == date(2025, 9, 29)
    assert add_working_days(start, 1) == end_of(2025, 10, 9)


def test_morning_and_evening_of_one_day_share_a_deadline():
    assert add_working_days(at(2025, 9, 26, 0, 1), 2) == add_working_days(at(2025, 9, 26, 23, 59), 2)


def test_zero_working_days_is_refused():
    with pytest.raises(ValueError):
        add_working_days(at(2025, 9, 30), 0)


def test_year_without_an_official_table_counts_monday_to_friday(caplog):
    with pytest.raises(NotImplementedError):
        chinese_calendar.is_workday(date(2027, 1, 1))  # the package does not know 2027 yet
    with caplog.at_level(logging.WARNING, logger="issues.workdays"):
        # Thursday 31 December 2026 → Friday 1 January 2027, a working day by the fallback.
        assert add_working_days(at(2026, 12, 31), 1) == end_of(2027, 1, 1)
        # Friday 8 January 2027 → Monday 11 January: the weekend is still off.
        assert add_working_days(at(2027, 1, 8), 1) == end_of(2027, 1, 11)
        assert add_working_days(at(2027, 1, 8), 6) == end_of(2027, 1, 18)
    warnings = [r for r in caplog.records if r.name == "issues.workdays"]
    assert len(warnings) == 1  # once per year, not once per day
    assert "2027" in warnings[0].getMessage()


# --- the lifecycle's deadlines over the holidays ------------------------------------------------


def test_case_sent_the_day_before_national_day_is_due_for_acceptance_after_the_holiday(world):
    with time_machine.travel(at(2025, 9, 30, 16, 45), tick=False):
        issue = world.submit()
    assert issue.deadline == end_of(2025, 10, 9)


def test_case_sent_on_a_friday_before_a_make_up_sunday_is_due_that_sunday(world):
    with time_machine.travel(at(2025, 9, 26, 18, 0), tick=False):
        issue = world.submit()
    assert issue.deadline == end_of(2025, 9, 28)


def test_reply_limit_set_at_review_skips_the_spring_festival(world):
    with time_machine.travel(at(2026, 2, 12, 9, 0), tick=False):
        issue = drive_to(world, State.ACCEPTED)
        assert issue.deadline == end_of(2026, 2, 13)
    with time_machine.travel(at(2026, 2, 13, 17, 0), tick=False):
        issue = services.issue_review(actor=world.actor("station_staff"), issue_id=issue.pk)
    # The category allows 5 working days: 14 (Sat), 24, 25, 26, 27.
    assert world.category.reply_working_days == 5
    assert issue.deadline == end_of(2026, 2, 27)


def test_accepted_on_the_make_up_saturday_the_review_is_due_after_the_festival(world):
    with time_machine.travel(at(2026, 2, 14, 11, 0), tick=False):
        issue = drive_to(world, State.ACCEPTED)
    assert issue.deadline == end_of(2026, 2, 24)
