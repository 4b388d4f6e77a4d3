"""The duty record of deputy A for October 2025 against a hand count (records/tests/conftest.py),
the dashboard's figures for the same reader and period, and the lists its links open."""

from datetime import date, timedelta

import pytest
from django.urls import reverse

from dashboard.forms import Filters, _day_start
from dashboard.selectors import deputy_table
from issues.stats import figure_cases
from issues.tests.admin_support import client_for
from records.selectors import duty_record, record_deputies
from records.templatetags.records_tags import percent
from records.tests.conftest import OCTOBER

pytestmark = [pytest.mark.django_db, pytest.mark.postgres]


def _record(world, user, deputy=None, days=OCTOBER):
    return duty_record(user, deputy or world.deputy_a, *days)


def test_record_of_deputy_a_matches_the_hand_count(october, frozen_now):
    r = _record(october, october.station_staff)
    assert r["cases"]["value"] == 10
    assert {s["state"]: s["value"] for s in r["by_state"]} == {
        "rejected": 1,
        "submitted": 4,
        "evaluated": 1,
        "reviewed": 1,
        "replied": 3,
    }
    # The items raised at the session have no category; everything else is 基础设施.
    assert [(c["name"], c["value"]) for c in r["by_category"]] == [("基础设施", 8), ("未分类", 2)]
    assert (r["answered_on_time"]["numerator"], r["answered_on_time"]["denominator"]) == (4, 5)
    assert (r["satisfaction"]["numerator"], r["satisfaction"]["denominator"]) == (1, 2)
    assert r["satisfaction"]["rate"] == 0.5
    assert (r["reply_rate"]["numerator"], r["reply_rate"]["denominator"]) == (5, 5)
    assert (r["reception_days"]["value"], r["reception_days"]["roster"], r["reception_days"]["visits"]) == (3, 2, 2)
    assert r["activities"]["value"] == 1
    kinds = {k["kind"]: k["value"] for k in r["activities"]["by_kind"]}
    assert kinds == {"township_head_appointment": 0, "congress_questioning": 1}
    assert r["topics"]["value"] == 2
    assert (r["promises_kept"]["numerator"], r["promises_kept"]["denominator"]) == (1, 2)
    assert r["empty"] is False and r["serving"] is True


def test_figures_equal_the_dashboards_for_the_same_reader_and_period(october, frozen_now):
    first, last = OCTOBER
    f = Filters(start=_day_start(first), end=_day_start(last + timedelta(days=1)), first_day=first, last_day=last)
    for user in (october.station_staff, october.township_staff, october.admin, october.deputy_a_user):
        row = next(
            r
            for r in deputy_table(user, figure_cases(user, **f.stats_kwargs()), f)
            if r["deputy_id"] == october.deputy_a.pk
        )
        r = _record(october, user)
        assert r["cases"]["value"] == row["received"], user
        assert r["reply_rate"]["denominator"] == row["accepted"], user
        assert r["reply_rate"]["numerator"] == row["replied"], user
        assert r["activities"]["value"] == row["activities"], user


def test_every_figure_links_to_the_list_of_exactly_what_it_counts(october, frozen_now):
    r = _record(october, october.station_staff)
    client = client_for(october, "station_staff")

    def count(url):
        response = client.get(url)
        assert response.status_code == 200, url
        return response.context["cl"].result_count

    assert count(r["cases"]["url"]) == r["cases"]["value"]
    for group in [*r["by_state"], *r["by_category"]]:
        assert count(group["url"]) == group["value"], group
    for key in ("reply_rate", "answered_on_time", "satisfaction", "promises_kept"):
        assert count(r[key]["url"]) == r[key]["numerator"], key
        assert count(r[key]["denominator_url"]) == r[key]["denominator"], key
    assert count(r["reception_days"]["roster_url"]) == r["reception_days"]["roster"]
    visit_cases = count(r["reception_days"]["visits_url"])
    assert visit_cases == 3  # three cases on two days
    assert count(r["activities"]["url"]) == r["activities"]["value"]
    for kind in r["activities"]["by_kind"]:
        assert count(kind["url"]) == kind["value"], kind
    assert count(r["topics"]["url"]) == r["topics"]["value"]


def test_a_period_without_anything_says_so_and_divides_nothing(october, frozen_now):
    r = _record(october, october.station_staff, days=(date(2024, 1, 1), date(2024, 12, 31)))
    assert r["empty"] is True
    for key in ("reply_rate", "answered_on_time", "satisfaction", "promises_kept"):
        assert r[key]["denominator"] == 0 and r[key]["rate"] is None
    page = client_for(october, "station_staff").get(
        reverse("records:deputy", args=[october.deputy_a.pk]), {"start": "2024-01-01", "end": "2024-12-31"}
    )
    body = page.content.decode()
    assert page.status_code == 200
    assert "empty-period" in body
    shown = page.context["r"]["satisfaction"]
    assert shown["rate"] is None and percent(shown) in body and "%)" not in percent(shown)


def test_the_record_page_shows_the_figures_and_their_links(october, frozen_now):
    page = client_for(october, "station_staff").get(
        reverse("records:deputy", args=[october.deputy_a.pk]), {"start": "2025-10-01", "end": "2025-10-31"}
    )
    body = page.content.decode()
    assert page.status_code == 200
    r = page.context["r"]
    assert r["cases"]["value"] == 10
    assert "4 / 5 (80.0%)" in body and "1 / 2 (50.0%)" in body
    assert r["cases"]["url"].replace("&", "&amp;") in body
    assert "empty-period" not in body


def test_a_bad_period_on_the_page_is_reported_and_this_year_shown(october, frozen_now):
    page = client_for(october, "station_staff").get(
        reverse("records:deputy", args=[october.deputy_a.pk]), {"start": "2025-10-31", "end": "2025-10-01"}
    )
    assert page.status_code == 200
    assert page.context["form"].errors
    assert page.context["r"]["first_day"] == date(2025, 1, 1)


def test_the_record_of_a_deputy_whose_term_ended_stays_readable(october, frozen_now):
    october.deputy_a.is_active = False
    october.deputy_a.save(update_fields=["is_active"])
    october.deputy_a.stationings.update(end_date=date(2025, 10, 29))
    assert record_deputies(october.station_staff).filter(pk=october.deputy_a.pk).exists()
    r = _record(october, october.station_staff)
    assert r["serving"] is False and r["cases"]["value"] == 10


def test_the_record_takes_as_many_queries_for_one_case_as_for_fifty(world, frozen_now, django_assert_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    world.submit()
    _record(world, world.station_staff)  # the reader's scope is built once, then cached on the user
    with CaptureQueriesContext(connection) as one:
        _record(world, world.station_staff, days=(date(2025, 10, 1), date(2025, 10, 31)))
    for _i in range(49):
        world.submit()
    with django_assert_num_queries(len(one.captured_queries)):
        _record(world, world.station_staff, days=(date(2025, 10, 1), date(2025, 10, 31)))
