"""On a hand-built set of cases, every figure of the dashboard equals what we count by hand."""

from datetime import timedelta

import pytest

from dashboard.forms import FilterForm
from dashboard.selectors import dashboard_data
from dashboard.tests.conftest import PERIOD
from issues.models import Issue
from issues.stats import issue_stats


def _filters(user, **extra):
    form = FilterForm({**PERIOD, **extra}, user=user)
    assert form.is_valid(), form.errors
    return form.filters()


def test_every_figure_matches_the_hand_count(world, cases, frozen_now):
    f = issue_stats(world.township_staff, **_filters(world.township_staff).stats_kwargs(), extra_figures=True)
    rate = lambda name: (f[name]["numerator"], f[name]["denominator"])  # noqa: E731
    assert f["received"]["value"] == 8  # the 秀山乡 case is outside the scope
    assert f["rejected"]["value"] == 1
    assert f["rehandled"]["value"] == 1  # the unsatisfied one, round 2
    assert f["overdue_now"]["value"] == 3  # waiting, accepted, and the reopened case
    assert rate("reply_rate") == (5, 6)  # of 7 accepted, the rejected one never was: 6
    assert rate("on_time_reply_rate") == (5, 5)  # the holiday case too
    assert rate("solved_rate") == (3, 7)  # satisfied + basically + closed, of 8 − 1 rejected
    assert rate("satisfaction_rate") == (2, 3)  # closed-without-rating is not rated, not satisfied
    assert rate("deputies_active") == (1, 1)  # deputy A accepted a case with their account
    assert f["median_seconds_to_first_reply"]["seconds"] == 3 * 3600  # 1 2 [3] 4 h, 9 d
    assert f["median_seconds_to_department"]["seconds"] == pytest.approx(2 * 3600 + 5)
    assert f["median_seconds_transmission"]["seconds"] == pytest.approx(5)
    assert f["median_seconds_to_department"]["sample"] == 1
    contacts = f["voter_contacts"]
    assert (contacts["value"], contacts["cases"], contacts["receptions"]) == (9, 8, 1)
    buckets = [b["value"] for b in f["reply_time_distribution"]["buckets"]]
    assert buckets == [4, 0, 0, 1, 0]  # ≤1 d ×4, the holiday case in 5–10 d


def test_a_reply_nine_calendar_days_later_across_the_holiday_is_on_time(world, cases):
    holiday = Issue.objects.get(pk=cases["holiday"].pk)
    assert holiday.first_replied_at - holiday.created_at == timedelta(days=9)
    assert holiday.last_reply_on_time is True


def test_the_satisfaction_of_a_reopened_case_follows_its_latest_rating(world, cases, frozen_now):
    f = issue_stats(world.township_staff, **_filters(world.township_staff).stats_kwargs())
    reopened = Issue.objects.get(pk=cases["unsatisfied"].pk)
    assert reopened.round == 2 and reopened.rating == "unsatisfied"
    assert f["satisfaction_rate"]["numerator"] == 2


def test_the_category_and_channel_filters_leave_reception_days_out(world, cases, frozen_now):
    user = world.township_staff
    f = issue_stats(user, **_filters(user, channel="deputy_qr").stats_kwargs(), extra_figures=True)
    assert (f["voter_contacts"]["value"], f["voter_contacts"]["receptions"]) == (8, 0)


def test_the_station_table_ranks_no_station_with_fewer_than_ten_cases(world, cases, frozen_now):
    data = dashboard_data(world.admin, _filters(world.admin))
    rows = {r["name"]: r for r in data["stations"]}
    railway = rows[world.railway_point.name]
    assert (railway["received"], railway["rank"], railway["solved"], railway["rejected"]) == (8, None, 3, 1)
    assert rows[world.xiushan_station.name]["received"] == 1


def test_a_station_with_ten_cases_gets_a_rank(world, cases, frozen_now):
    for _ in range(2):
        world.submit()
    with_more = dashboard_data(world.township_staff, _filters(world.township_staff))
    assert [r["rank"] for r in with_more["stations"]] == [1]


def test_the_deputy_table_counts_the_cases_addressed_to_each_deputy(world, cases, frozen_now):
    data = dashboard_data(world.township_staff, _filters(world.township_staff))
    (row,) = data["deputies"]
    assert (row["deputy__name"], row["received"], row["accepted"], row["replied"]) == ("陈海涛", 8, 6, 5)
    assert row["median_to_accept"] == 0  # accepted at the moment of submission, all frozen at T0


def test_the_weekly_chart_groups_the_states(world, cases, frozen_now):
    data = dashboard_data(world.township_staff, _filters(world.township_staff))
    (week,) = data["weekly"]
    groups = tuple(week[k] for k in ("waiting", "handling", "replied", "finished", "rejected"))
    assert groups == (1, 2, 1, 3, 1)  # the reopened case is being handled again
    assert data["satisfaction"][0]["rate"] == pytest.approx(2 / 3)
