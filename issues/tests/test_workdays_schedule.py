"""The holiday schedule table (stations.CalendarDay) overrides the chinesecalendar package, and
fills in the years it does not know yet, such as 2027 for chinesecalendar 1.11.0.

The 2027 rows below stand for a schedule the State Council has not published in our data; they
are made up for the test, shaped like a real notice:
- 元旦: Friday 1 January off.
- 春节: Sunday 7 to Saturday 13 February off; Saturday 6 February is a make-up working day.
"""

import logging
from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from issues import services, workdays
from issues.tests.lifecycle import drive_to
from issues.workdays import add_working_days, is_working_day, unscheduled_years
from stations.models import CalendarDay

SHANGHAI = ZoneInfo("Asia/Shanghai")
HOLIDAY, WORKDAY = CalendarDay.Kind.HOLIDAY, CalendarDay.Kind.WORKDAY


def at(year, month, day, hour=10, minute=0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=SHANGHAI)


def end_of(year, month, day) -> datetime:
    return datetime(year, month, day, 23, 59, 59, tzinfo=SHANGHAI)


class FakeMonotonic:
    """Stands for time.monotonic in issues.workdays: the recheck interval passes on demand."""

    def __init__(self):
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


@pytest.fixture(autouse=True)
def monotonic(db, monkeypatch):
    """A fresh copy of the table for each test (each test's rows roll back with it)."""
    fake = FakeMonotonic()
    monkeypatch.setattr(workdays, "_monotonic", fake)
    workdays.forget_schedule()
    workdays._warn_uncovered_year.cache_clear()
    yield fake
    workdays.forget_schedule()
    workdays._warn_uncovered_year.cache_clear()


def schedule_2027() -> None:
    CalendarDay.objects.create(date=date(2027, 1, 1), kind=HOLIDAY, name="元旦")
    CalendarDay.objects.create(date=date(2027, 2, 6), kind=WORKDAY, name="春节", note="调休上班")
    for day in range(7, 14):
        CalendarDay.objects.create(date=date(2027, 2, day), kind=HOLIDAY, name="春节")


# --- 2027, which only the table knows ------------------------------------------------------------


@pytest.mark.parametrize(
    ("day", "working"),
    [
        (date(2027, 1, 1), False),  # 元旦, a Friday
        (date(2027, 1, 4), True),
        (date(2027, 2, 5), True),  # Friday before the festival
        (date(2027, 2, 6), True),  # Saturday, make-up working day
        (date(2027, 2, 8), False),  # Monday of the festival week
        (date(2027, 2, 12), False),
        (date(2027, 2, 13), False),  # Saturday inside the holiday
        (date(2027, 2, 14), False),  # an ordinary Sunday
        (date(2027, 2, 15), True),
    ],
)
def test_the_table_decides_the_working_days_of_a_year_the_package_does_not_know(day, working):
    schedule_2027()
    assert is_working_day(day) is working


@pytest.mark.parametrize(
    ("start", "days", "deadline"),
    [
        (at(2026, 12, 31), 1, end_of(2027, 1, 4)),  # 元旦 and the weekend are skipped
        (at(2026, 12, 31), 3, end_of(2027, 1, 6)),  # 4, 5, 6
        (at(2026, 12, 31, 23, 30), 1, end_of(2027, 1, 4)),  # late on New Year's Eve
        (at(2027, 2, 5), 1, end_of(2027, 2, 6)),  # Friday → the make-up Saturday
        (at(2027, 2, 5), 2, end_of(2027, 2, 15)),  # 6 (Sat), then over the festival
        (at(2027, 2, 5), 5, end_of(2027, 2, 18)),  # 6, 15, 16, 17, 18
        (at(2027, 2, 6), 1, end_of(2027, 2, 15)),  # from the make-up day over the festival
    ],
)
def test_deadlines_across_the_year_boundary_follow_the_table(start, days, deadline):
    schedule_2027()
    assert add_working_days(start, days) == deadline


def test_without_the_table_new_years_day_2027_counts_as_a_working_day():
    assert add_working_days(at(2026, 12, 31), 1) == end_of(2027, 1, 1)


def test_a_year_the_table_schedules_logs_no_fallback_warning(caplog):
    schedule_2027()
    with caplog.at_level(logging.WARNING, logger="issues.workdays"):
        assert add_working_days(at(2027, 3, 5), 1) == end_of(2027, 3, 8)
    assert not [r for r in caplog.records if r.name == "issues.workdays"]


def test_a_year_with_only_a_make_up_day_in_the_table_still_logs_the_fallback(caplog):
    CalendarDay.objects.create(date=date(2027, 2, 6), kind=WORKDAY, name="春节")
    with caplog.at_level(logging.WARNING, logger="issues.workdays"):
        assert add_working_days(at(2027, 2, 5), 2) == end_of(2027, 2, 8)  # the Saturday, then Monday
    assert any("2027" in r.getMessage() for r in caplog.records if r.name == "issues.workdays")


def test_a_case_sent_on_new_years_eve_is_due_for_acceptance_after_the_holiday(world):
    schedule_2027()
    with time_machine.travel(at(2026, 12, 31, 16, 0), tick=False):
        issue = world.submit()
    assert issue.deadline == end_of(2027, 1, 4)


def test_a_case_reviewed_before_the_spring_festival_2027_gets_its_reply_limit_after_it(world):
    schedule_2027()
    with time_machine.travel(at(2027, 2, 4, 9, 0), tick=False):
        issue = drive_to(world, "accepted")
        assert issue.deadline == end_of(2027, 2, 5)
    with time_machine.travel(at(2027, 2, 5, 17, 0), tick=False):
        issue = services.issue_review(actor=world.actor("station_staff"), issue_id=issue.pk)
    # 5 working days: 6 (Sat), 15, 16, 17, 18.
    assert issue.deadline == end_of(2027, 2, 18)


# --- rows override the package in a year it knows --------------------------------------------------


def test_a_row_overrides_the_package_in_a_year_it_knows():
    assert is_working_day(date(2026, 11, 6)) is True  # a Friday
    assert is_working_day(date(2026, 11, 7)) is False  # a Saturday
    CalendarDay.objects.create(date=date(2026, 11, 6), kind=HOLIDAY, name="台风停工")
    CalendarDay.objects.create(date=date(2026, 11, 7), kind=WORKDAY, name="台风停工", note="补班")
    assert is_working_day(date(2026, 11, 6)) is False
    assert is_working_day(date(2026, 11, 7)) is True
    # Thursday 5 November + 1 → the Saturday; + 2 → Monday 9.
    assert add_working_days(at(2026, 11, 5), 1) == end_of(2026, 11, 7)
    assert add_working_days(at(2026, 11, 5), 2) == end_of(2026, 11, 9)


def test_a_row_can_take_back_a_holiday_of_the_package():
    assert is_working_day(date(2026, 10, 1)) is False
    CalendarDay.objects.create(date=date(2026, 10, 1), kind=WORKDAY, name="国庆节")
    assert is_working_day(date(2026, 10, 1)) is True


# --- caching: no query per deadline in steady state, changes seen in every process ----------------


def test_the_table_is_read_once_and_then_not_again_within_the_recheck_interval(django_assert_num_queries):
    schedule_2027()
    workdays.forget_schedule()
    with django_assert_num_queries(2):  # the fingerprint, then the rows
        assert add_working_days(at(2026, 12, 31), 1) == end_of(2027, 1, 4)
    with django_assert_num_queries(0):
        for _ in range(50):
            assert add_working_days(at(2027, 2, 5), 2) == end_of(2027, 2, 15)
            assert is_working_day(date(2027, 2, 8)) is False


def test_after_the_interval_one_small_query_confirms_the_copy(monotonic, django_assert_num_queries):
    schedule_2027()
    add_working_days(at(2026, 12, 31), 1)
    monotonic.advance(workdays.RECHECK_SECONDS)
    with django_assert_num_queries(1):
        assert add_working_days(at(2026, 12, 31), 1) == end_of(2027, 1, 4)
    with django_assert_num_queries(0):
        add_working_days(at(2026, 12, 31), 1)


def test_submitting_cases_does_not_read_the_holiday_table_in_steady_state(world):
    schedule_2027()
    with time_machine.travel(at(2026, 12, 31, 9, 0), tick=False):
        world.submit()
        with CaptureQueriesContext(connection) as queries:
            for _ in range(3):
                issue = world.submit()
    assert issue.deadline == end_of(2027, 1, 4)
    assert not [q["sql"] for q in queries if "stations_calendarday" in q["sql"]]


def test_a_row_saved_in_this_process_counts_at_once():
    assert add_working_days(at(2026, 12, 31), 1) == end_of(2027, 1, 1)
    row = CalendarDay.objects.create(date=date(2027, 1, 1), kind=HOLIDAY, name="元旦")
    assert add_working_days(at(2026, 12, 31), 1) == end_of(2027, 1, 4)
    row.delete()
    assert add_working_days(at(2026, 12, 31), 1) == end_of(2027, 1, 1)


def test_a_row_added_by_another_process_counts_after_the_recheck_interval(monotonic):
    assert add_working_days(at(2026, 12, 31), 1) == end_of(2027, 1, 1)
    # bulk_create sends no signals: as if another process had saved the row.
    CalendarDay.objects.bulk_create([CalendarDay(date=date(2027, 1, 1), kind=HOLIDAY, name="元旦")])
    assert add_working_days(at(2026, 12, 31), 1) == end_of(2027, 1, 1)  # still this process's copy
    monotonic.advance(workdays.RECHECK_SECONDS)
    assert add_working_days(at(2026, 12, 31), 1) == end_of(2027, 1, 4)


def test_a_row_edited_by_another_process_counts_after_the_recheck_interval(monotonic):
    row = CalendarDay.objects.create(date=date(2027, 1, 1), kind=WORKDAY, name="元旦")
    assert is_working_day(date(2027, 1, 1)) is True
    # What another process's save() writes: the new kind and a later updated_at (no signal here).
    CalendarDay.objects.filter(pk=row.pk).update(kind=HOLIDAY, updated_at=timezone.now())
    assert is_working_day(date(2027, 1, 1)) is True
    monotonic.advance(workdays.RECHECK_SECONDS)
    assert is_working_day(date(2027, 1, 1)) is False


def test_a_row_deleted_by_another_process_stops_counting_after_the_recheck_interval(monotonic):
    schedule_2027()
    assert add_working_days(at(2026, 12, 31), 1) == end_of(2027, 1, 4)
    with connection.cursor() as cursor:  # another process's delete: no signal reaches this one
        cursor.execute("DELETE FROM stations_calendarday WHERE date = %s", [date(2027, 1, 1)])
    monotonic.advance(workdays.RECHECK_SECONDS - 1)
    assert add_working_days(at(2026, 12, 31), 1) == end_of(2027, 1, 4)
    monotonic.advance(1)
    assert add_working_days(at(2026, 12, 31), 1) == end_of(2027, 1, 1)


# --- coverage of the coming days ----------------------------------------------------------------


def test_the_coming_60_days_of_december_2026_reach_into_an_unscheduled_2027():
    assert unscheduled_years(date(2026, 12, 1)) == [2027]


def test_a_holiday_of_2027_in_the_table_schedules_the_year():
    CalendarDay.objects.create(date=date(2027, 1, 1), kind=HOLIDAY, name="元旦")
    assert unscheduled_years(date(2026, 12, 1)) == []


def test_a_make_up_day_alone_does_not_schedule_the_year():
    CalendarDay.objects.create(date=date(2027, 2, 6), kind=WORKDAY, name="春节")
    assert unscheduled_years(date(2026, 12, 1)) == [2027]


@pytest.mark.parametrize(
    ("today", "years"),
    [(date(2026, 6, 1), []), (date(2026, 11, 1), []), (date(2026, 11, 2), [2027]), (date(2027, 3, 1), [2027])],
)
def test_coverage_looks_exactly_60_days_ahead(today, years):
    assert unscheduled_years(today) == years


def test_coverage_without_the_table_touches_no_database(django_assert_num_queries):
    CalendarDay.objects.create(date=date(2027, 1, 1), kind=HOLIDAY, name="元旦")
    workdays.forget_schedule()
    with django_assert_num_queries(0):
        assert unscheduled_years(date(2026, 12, 1), use_table=False) == [2027]
