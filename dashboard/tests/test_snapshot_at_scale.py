"""The dashboard at province scale (issue 18): a reader never waits for a live count over many
cases. A big scope without a snapshot gets a self-reloading 正在计算 page while one task computes
it; a stale snapshot is served with its time while a newer one is computed; a small scope is
still computed while the reader waits. What a task stores is what a live count gives."""

from datetime import timedelta

import pytest
from django.http import QueryDict
from django.urls import reverse
from django.utils import translation

from dashboard.forms import FilterForm
from dashboard.models import FigureSnapshot, SnapshotRequest
from dashboard.selectors import dashboard_data
from dashboard.snapshots import normalised
from dashboard.tasks import compute_snapshot, refresh_snapshots
from dashboard.tests.conftest import NOW, PERIOD
from issues import clock
from liaison import jobs
from stations.models import StaffMembership
from stations.services import membership_grant

pytestmark = pytest.mark.usefixtures("plain_static")
ROLES = ["admin", "township_staff", "station_staff", "deputy_a_user"]


@pytest.fixture
def big(settings):
    """Snapshots on, and every scope with more than five cases computed in the background."""
    settings.DASHBOARD_SNAPSHOT_MAX_AGE = 600
    settings.DASHBOARD_INLINE_MAX_CASES = 5
    settings.DASHBOARD_SNAPSHOT_REQUEST_TIMEOUT = 300


@pytest.fixture
def enqueued(monkeypatch):
    """The tasks asked for (by name, through liaison.jobs), instead of a broker."""
    calls = []
    monkeypatch.setattr(jobs, "enqueue", lambda name, *args, **kw: calls.append((name, *args)) or True)
    return calls


@pytest.fixture
def page(login, django_capture_on_commit_callbacks):
    """GET the dashboard (or its print view) as `role`, running what is enqueued after commit."""

    def get(role, params=PERIOD, *, view="dashboard:index"):
        with django_capture_on_commit_callbacks(execute=True):
            return login(role).get(reverse(view), params)

    return get


def run_tasks(enqueued) -> int:
    """Run the compute tasks asked for so far, as the reports worker would; how many."""
    keys = [args[0] for name, *args in enqueued if name == "dashboard.tasks.compute_snapshot"]
    enqueued.clear()
    for key in keys:
        compute_snapshot(key)
    return len(keys)


def live(user, params=PERIOD, language="zh-hans") -> dict:
    query = QueryDict(mutable=True)
    query.update(params)
    form = FilterForm(query, user=user)
    form.is_valid()
    with translation.override(language):
        return normalised(dashboard_data(user, form.filters()))


def is_computing(response) -> bool:
    text = response.content.decode()
    return (
        response.status_code == 200
        and '<meta http-equiv="refresh" content="3">' in text
        and "正在计算" in text
        and "figures" not in response.context
    )


@pytest.mark.parametrize("role", ROLES)
def test_the_snapshot_a_task_computes_equals_a_live_count_for_each_role(
    world, cases, frozen_now, big, settings, enqueued, page, role
):
    settings.DASHBOARD_INLINE_MAX_CASES = 0  # every role's scope has a case: all in the background
    assert is_computing(page(role))
    assert run_tasks(enqueued) == 1
    snapshot = FigureSnapshot.objects.get()
    assert snapshot.computed_at == NOW and snapshot.user == getattr(world, role)
    assert snapshot.data == live(getattr(world, role), language=snapshot.language)
    assert snapshot.data["figures"]["received"]["value"] > 0
    response = page(role)
    assert response.context["from_snapshot"] is True and response.context["stale"] is False
    assert not enqueued and not SnapshotRequest.objects.exists()


def test_a_big_scope_without_a_snapshot_gets_the_computing_page_and_one_task(
    world, cases, frozen_now, big, enqueued, page
):
    responses = [page("township_staff") for _ in range(3)]
    assert all(is_computing(r) for r in responses)
    assert "白泉镇" in responses[0].content.decode()  # the scope and the filters are shown
    assert 'name="period"' in responses[0].content.decode()
    assert [name for name, *_args in enqueued] == ["dashboard.tasks.compute_snapshot"]
    assert SnapshotRequest.objects.count() == 1
    run_tasks(enqueued)
    response = page("township_staff")
    assert response.context["figures"]["received"]["value"] == 8
    assert response.context["from_snapshot"] is True
    assert "数据截至 2025-10-30" in response.content.decode()


def test_the_print_view_of_a_big_scope_waits_on_the_same_computation(world, cases, frozen_now, big, enqueued, page):
    assert is_computing(page("township_staff", view="dashboard:print"))
    assert is_computing(page("township_staff"))
    assert len(enqueued) == 1
    run_tasks(enqueued)
    response = page("township_staff", view="dashboard:print")
    assert response.status_code == 200 and response.context["figures"]["received"]["value"] == 8


def test_a_stale_snapshot_is_served_with_its_time_and_one_refresh_is_asked_for(
    world, cases, frozen_now, big, enqueued, page
):
    page("township_staff")
    run_tasks(enqueued)
    world.submit()  # counted by the next computation only
    with clock.frozen_at(NOW + timedelta(minutes=11)):
        first, second = page("township_staff"), page("township_staff")
        for response in (first, second):
            assert response.context["stale"] is True and response.context["figures"]["received"]["value"] == 8
            assert "数据截至 2025-10-30" in response.content.decode()
            assert "最新数据正在计算中" in response.content.decode()
        assert len(enqueued) == 1
        run_tasks(enqueued)
        fresh = page("township_staff")
    assert fresh.context["stale"] is False and fresh.context["figures"]["received"]["value"] == 9


def test_a_small_scope_is_still_computed_while_the_reader_waits(world, cases, frozen_now, big, enqueued, page):
    response = page("deputy_b_user")  # one case in 秀山乡
    assert response.context["from_snapshot"] is False
    assert response.context["figures"]["received"]["value"] == 1
    assert "实时计算于" in response.content.decode()
    assert not enqueued and not SnapshotRequest.objects.exists()
    assert FigureSnapshot.objects.get().read_at == NOW  # kept for the next reader


def test_a_user_of_another_scope_never_gets_the_snapshot_computed_for_someone_else(
    world, cases, frozen_now, big, enqueued, page
):
    page("township_staff")
    run_tasks(enqueued)
    assert page("township_staff").context["figures"]["received"]["value"] == 8
    assert is_computing(page("admin"))  # the whole network: another key
    assert is_computing(page("station_staff"))  # the township's cases too, but one station's scope
    assert len(enqueued) == 2


def test_a_reader_who_lost_access_before_the_task_ran_gets_no_figures_of_the_old_scope(
    world, cases, frozen_now, big, enqueued, page, django_user_model, client, django_capture_on_commit_callbacks
):
    colleague = django_user_model.objects.create_user("colleague", password="x")
    membership_grant(user=colleague, role=StaffMembership.Role.TOWNSHIP_STAFF, region=world.baiquan)
    assert is_computing(page("township_staff"))
    StaffMembership.objects.filter(user=world.township_staff).delete()  # moved to another post
    run_tasks(enqueued)
    snapshot = FigureSnapshot.objects.get()  # computed for what they see now: nothing
    assert snapshot.data["figures"]["received"]["value"] == 0
    assert not SnapshotRequest.objects.exists()
    client.force_login(colleague)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.get(reverse("dashboard:index"), PERIOD)
    assert is_computing(response)  # the township's key still has no figures


def test_a_request_whose_task_was_lost_is_asked_for_again_after_the_timeout(
    world, cases, frozen_now, big, enqueued, page
):
    page("township_staff")
    assert len(enqueued) == 1
    with clock.frozen_at(NOW + timedelta(minutes=4)):
        assert is_computing(page("township_staff"))
    assert len(enqueued) == 1  # still pending: not asked twice
    with clock.frozen_at(NOW + timedelta(minutes=6)):
        assert is_computing(page("township_staff"))
        assert len(enqueued) == 2
        assert SnapshotRequest.objects.get().requested_at == NOW + timedelta(minutes=6)
        run_tasks(enqueued)
        assert page("township_staff").context["figures"]["received"]["value"] == 8


def test_a_snapshot_notes_its_reads_at_most_once_a_minute(world, cases, frozen_now, big, enqueued, page):
    page("township_staff")
    run_tasks(enqueued)
    FigureSnapshot.objects.update(read_at=None)
    page("township_staff")
    assert FigureSnapshot.objects.get().read_at == NOW
    with clock.frozen_at(NOW + timedelta(seconds=30)):
        page("township_staff")
    assert FigureSnapshot.objects.get().read_at == NOW
    with clock.frozen_at(NOW + timedelta(seconds=90)):
        page("township_staff")
    assert FigureSnapshot.objects.get().read_at == NOW + timedelta(seconds=90)


def test_the_refresh_task_keeps_read_snapshots_fresh_and_deletes_those_unread_for_a_week(
    world, cases, frozen_now, big, enqueued, page
):
    page("deputy_b_user")  # computed while waiting (one case), read now
    page("station_staff", {"period": "year"})
    run_tasks(enqueued)
    FigureSnapshot.objects.filter(user=world.station_staff).update(read_at=NOW - timedelta(days=8))
    world.submit(deputy=world.deputy_b, station=world.xiushan_station)
    with clock.frozen_at(NOW + timedelta(minutes=20)):
        # 白泉镇 and the network, three periods each (this month and quarter are the same days),
        # and the deputy's page read a moment ago; the station staff's, unread for 8 days, goes.
        assert refresh_snapshots() == 7
        deputys = FigureSnapshot.objects.get(user=world.deputy_b_user)
        assert deputys.computed_at == NOW + timedelta(minutes=20)
        assert deputys.data["figures"]["received"]["value"] == 2
        assert not FigureSnapshot.objects.filter(user=world.station_staff).exists()
        assert page("deputy_b_user").context["from_snapshot"] is True


def test_the_computation_runs_on_the_reports_queue():
    from liaison.celery import app

    app.loader.import_default_modules()
    assert app.amqp.router.route({}, "dashboard.tasks.compute_snapshot")["queue"].name == "reports"


def test_the_refresh_leaves_a_snapshot_a_reader_asked_for_to_the_reader_s_task(
    world, cases, frozen_now, big, enqueued, page
):
    assert is_computing(page("township_staff", {"period": "year"}))
    assert refresh_snapshots() == 5  # 白泉镇's year is being computed for its reader already
    assert run_tasks(enqueued) == 1
    assert page("township_staff", {"period": "year"}).context["figures"]["received"]["value"] == 8
    assert refresh_snapshots() == 6 and not SnapshotRequest.objects.exists()


def test_a_request_the_broker_did_not_take_is_asked_for_again_by_the_next_reader(
    world, cases, frozen_now, big, monkeypatch, page
):
    sent = []
    monkeypatch.setattr(jobs, "enqueue", lambda name, *args, **kw: sent.append(args) or False)
    assert is_computing(page("township_staff"))
    assert not SnapshotRequest.objects.exists()
    assert is_computing(page("township_staff"))
    assert len(sent) == 2
