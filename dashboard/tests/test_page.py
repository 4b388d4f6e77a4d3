"""The dashboard page: who may open it, what it shows, and how many queries it costs."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from dashboard.tests.conftest import PERIOD
from issues.services import issue_accept

pytestmark = pytest.mark.usefixtures("plain_static")
ROLES = ["admin", "township_staff", "station_staff", "deputy_a_user", "deputy_b_user"]


def test_anonymous_visitors_are_sent_to_the_login_page(client, world):
    response = client.get(reverse("dashboard:index"))
    assert response.status_code == 302 and "/admin/login/" in response["Location"]


@pytest.mark.parametrize("role", ROLES)
def test_the_page_renders_for_each_role(world, cases, login, frozen_now, role):
    response = login(role).get(reverse("dashboard:index"), PERIOD)
    assert response.status_code == 200
    assert b'id="dashboard-data"' in response.content
    assert b"vendor/echarts/echarts.min.js" in response.content


def test_the_page_renders_for_a_user_with_no_cases_at_all(world, login):
    response = login("station_staff").get(reverse("dashboard:index"))
    assert response.status_code == 200
    assert response.context["figures"]["received"]["value"] == 0
    assert response.context["figures"]["reply_rate"]["rate"] is None


def test_a_user_without_any_scope_sees_nothing_but_an_empty_page(client, django_user_model, world, cases):
    client.force_login(django_user_model.objects.create_user("nobody", password="x"))
    response = client.get(reverse("dashboard:index"), PERIOD)
    assert response.status_code == 200 and response.context["figures"]["received"]["value"] == 0


def test_the_overdue_list_links_to_the_admin_change_page(world, cases, login, frozen_now):
    response = login("township_staff").get(reverse("dashboard:index"), PERIOD)
    link = reverse("admin:issues_issue_change", args=[cases["waiting"].pk])
    assert link.encode() in response.content


def test_the_print_view_renders_the_figures_without_charts(world, cases, login, frozen_now):
    response = login("township_staff").get(reverse("dashboard:print"), PERIOD)
    assert response.status_code == 200
    assert b"echarts" not in response.content and b"dashboard/print.css" in response.content


def test_the_number_of_queries_does_not_grow_with_the_cases(world, login, frozen_now):
    client = login("township_staff")
    client.get(reverse("dashboard:index"))  # the session's first read
    staff = world.actor("station_staff")
    for _ in range(2):
        issue_accept(actor=staff, issue_id=world.submit().pk)
    with CaptureQueriesContext(connection) as small:
        assert client.get(reverse("dashboard:index")).status_code == 200
    for _ in range(30):
        issue_accept(actor=staff, issue_id=world.submit().pk)
        world.submit(station=world.railway_point)
    with CaptureQueriesContext(connection) as large:
        assert client.get(reverse("dashboard:index")).status_code == 200
    assert len(large.captured_queries) == len(small.captured_queries)


def test_the_query_count_is_fixed(world, login, frozen_now, django_assert_num_queries):
    client = login("township_staff")
    client.get(reverse("dashboard:index"))
    with CaptureQueriesContext(connection) as first:
        client.get(reverse("dashboard:index"))
    for _ in range(20):
        world.submit()
    with django_assert_num_queries(len(first.captured_queries)):
        client.get(reverse("dashboard:index"))


def test_a_recent_snapshot_is_served_and_says_how_fresh_it_is(world, cases, login, frozen_now, settings):
    settings.DASHBOARD_SNAPSHOT_MAX_AGE = 600
    client = login("township_staff")
    first = client.get(reverse("dashboard:index"), PERIOD)
    assert first.context["from_snapshot"] is False
    world.submit()  # not in the figures until the snapshot is refreshed
    second = client.get(reverse("dashboard:index"), PERIOD)
    assert second.context["from_snapshot"] is True
    assert second.context["figures"]["received"]["value"] == 8
    assert "10" in second.content.decode().split('class="meta"')[1].split("</p>")[0]


def test_the_snapshot_task_refreshes_the_townships_and_the_city(world, cases, frozen_now, settings, login):
    from dashboard.models import FigureSnapshot
    from dashboard.tasks import refresh_snapshots

    settings.DASHBOARD_SNAPSHOT_MAX_AGE = 600
    assert refresh_snapshots() == 6  # 白泉镇 and the city, three periods each
    # On 30 October this month and this quarter are the same days: one snapshot each.
    assert FigureSnapshot.objects.count() == 4
    response = login("township_staff").get(reverse("dashboard:index"), {"period": "year"})
    assert response.context["from_snapshot"] is True


def test_two_scopes_never_share_a_snapshot(world, cases, frozen_now, settings, login):
    settings.DASHBOARD_SNAPSHOT_MAX_AGE = 600
    assert login("admin").get(reverse("dashboard:index"), PERIOD).context["figures"]["received"]["value"] == 9
    response = login("township_staff").get(reverse("dashboard:index"), PERIOD)
    assert response.context["from_snapshot"] is False
    assert response.context["figures"]["received"]["value"] == 8
