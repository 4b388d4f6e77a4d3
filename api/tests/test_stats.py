"""issue_stats on a hand-built set of cases: every figure equals what we count by hand."""

from datetime import datetime, timedelta

import pytest
from django.utils import timezone

from issues import clock
from issues.models import Issue
from issues.permissions import scope_of
from issues.services import (
    issue_accept,
    issue_close_unevaluated,
    issue_evaluate,
    issue_reject,
)
from issues.stats import issue_stats

T0 = timezone.make_aware(datetime(2026, 3, 2, 9, 0))  # a Monday


@pytest.fixture
def cases(world):
    """At T0: one rejected, one submitted (overdue later), one accepted, and five replied cases
    (after 1, 2, 3, 4, 10 hours): rated satisfied; basically satisfied; unsatisfied and so
    reopened (round 2); closed without a rating; still waiting for a rating."""
    staff = world.actor("station_staff")
    with clock.frozen_at(T0):
        rejected = world.submit()
        issue_reject(actor=staff, issue_id=rejected.pk, reason="不属于受理范围")
        waiting = world.submit()
        accepted = world.submit()
        issue_accept(actor=staff, issue_id=accepted.pk)
        satisfied = world.replied(staff, at=T0 + timedelta(hours=1))
        basically = world.replied(staff, at=T0 + timedelta(hours=2))
        unsatisfied = world.replied(staff, at=T0 + timedelta(hours=3))
        closed = world.replied(staff, at=T0 + timedelta(hours=4))
        pending = world.replied(staff, at=T0 + timedelta(hours=10))
        world.submit(deputy=world.deputy_b)  # 秀山乡: outside 白泉镇's scope
    with clock.frozen_at(T0 + timedelta(hours=12)):
        issue_evaluate(issue_id=satisfied.pk, rating="satisfied")
        issue_evaluate(issue_id=basically.pk, rating="basically_satisfied")
        issue_evaluate(issue_id=unsatisfied.pk, rating="unsatisfied", comment="还是不亮")
    with clock.frozen_at(T0 + timedelta(days=30)):
        issue_close_unevaluated(issue_id=closed.pk)
    return {"waiting": waiting, "accepted": accepted, "pending": pending}


def test_every_figure_matches_the_hand_count(world, cases, django_assert_max_num_queries):
    user = world.township_staff
    scope_of(user)  # who the user is costs its own queries, once per request
    with clock.frozen_at(T0 + timedelta(days=30)), django_assert_max_num_queries(2):
        f = issue_stats(user)
    assert f["received"]["value"] == 8
    assert f["rejected"]["value"] == 1
    assert f["rehandled"]["value"] == 1  # the unsatisfied one, round 2
    # waiting (submitted), accepted and the reopened case are past their deadlines 30 days on.
    assert f["overdue_now"]["value"] == 3
    rate = lambda name: (f[name]["numerator"], f[name]["denominator"])  # noqa: E731
    assert rate("reply_rate") == (5, 6)  # 5 replied of 6 accepted and not rejected
    assert rate("on_time_reply_rate") == (5, 5)
    assert rate("solved_rate") == (3, 7)  # satisfied + basically + closed, of 8 - 1 rejected
    assert rate("satisfaction_rate") == (2, 3)  # closed-without-rating is not in it
    assert f["satisfaction_rate"]["rate"] == pytest.approx(2 / 3)
    median = f["median_seconds_to_first_reply"]
    assert (median["seconds"], median["sample"]) == (3 * 3600, 5)
    assert all(f[k]["definition"] for k in ("received", "reply_rate", "satisfaction_rate"))


def test_the_median_of_an_even_sample_is_the_mean_of_the_middle_two(world, cases):
    Issue.objects.filter(pk=cases["pending"].pk).update(first_replied_at=None)
    median = issue_stats(world.admin, station_id=world.railway_point.pk)["median_seconds_to_first_reply"]
    assert (median["seconds"], median["sample"]) == (2.5 * 3600, 4)


def test_filters_and_scope_narrow_the_figures(world, cases):
    assert issue_stats(world.admin)["received"]["value"] == 9
    assert issue_stats(world.deputy_b_user)["received"]["value"] == 1
    assert issue_stats(world.admin, station_id=world.xiushan_station.pk)["received"]["value"] == 1
    assert issue_stats(world.admin, channel="station_qr")["received"]["value"] == 0
    assert issue_stats(world.admin, start=T0 + timedelta(days=1))["received"]["value"] == 0
    assert issue_stats(world.admin, end=T0 + timedelta(days=1))["received"]["value"] == 9


def test_no_cases_gives_zeros_and_no_rates(world):
    f = issue_stats(world.station_staff)
    assert f["received"]["value"] == 0
    assert f["reply_rate"] == {**f["reply_rate"], "numerator": 0, "denominator": 0, "rate": None}
    assert f["median_seconds_to_first_reply"]["seconds"] is None


def test_the_stats_endpoint_returns_the_selectors_figures(world, cases, client_for):
    client = client_for("township_staff")
    body = client.get("/api/stats/", {"start": "2026-03-02", "end": "2026-03-02"}).json()
    assert body["received"]["value"] == 8 and body["satisfaction_rate"]["numerator"] == 2
    assert client.get("/api/stats/", {"start": "2026-03-03"}).json()["received"]["value"] == 0
    bad = client.get("/api/stats/", {"start": "2026-03-03", "end": "2026-03-01"})
    assert bad.status_code == 400 and "end" in bad.json()["error"]["fields"]
    assert client_for("deputy_b_user").get("/api/stats/").json()["received"]["value"] == 1


@pytest.fixture
def snapshots_on(settings, monkeypatch):
    """Snapshots kept ten minutes, and the tasks asked for recorded instead of sent to a broker."""
    from liaison import jobs

    settings.DASHBOARD_SNAPSHOT_MAX_AGE = 600
    calls = []
    monkeypatch.setattr(jobs, "enqueue", lambda name, *args, **kw: calls.append((name, *args)) or True)
    return calls


def _stats(client, django_capture_on_commit_callbacks, **params):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.get("/api/stats/", params)
    assert response.status_code == 200
    return response.json()


def test_the_api_answers_from_a_recent_snapshot_at_once_and_asks_a_task_for_a_newer_one(
    world, cases, client_for, snapshots_on, django_capture_on_commit_callbacks
):
    """At millions of cases a province's figures take seconds: /api/stats/ answers from its
    snapshot, up to an hour old, at once (`computed_at` says when it was taken) while one task
    computes the next, which then equals a live count."""
    from dashboard.models import FigureSnapshot, SnapshotRequest
    from dashboard.tasks import compute_snapshot

    client = client_for("township_staff")
    at = T0 + timedelta(days=30)
    with clock.frozen_at(at):
        first = _stats(client, django_capture_on_commit_callbacks)  # no snapshot: computed now
        assert first["received"]["value"] == 8 and not snapshots_on
    with clock.frozen_at(T0 + timedelta(days=30, hours=1)):
        world.submit()
    later = at + timedelta(minutes=20)
    with clock.frozen_at(later):
        stale = [_stats(client, django_capture_on_commit_callbacks) for _ in range(2)]
        assert [body["received"]["value"] for body in stale] == [8, 8]
        assert stale[0]["computed_at"] == first["computed_at"]
        assert [name for name, *_ in snapshots_on] == ["dashboard.tasks.compute_snapshot"]  # one task, two readers
        compute_snapshot(snapshots_on[0][1])
        assert not SnapshotRequest.objects.exists()
        fresh = _stats(client, django_capture_on_commit_callbacks)
        assert fresh["received"]["value"] == 9 and fresh != stale[0]
        assert fresh["received"] == issue_stats(world.township_staff, extra_figures=True)["received"]
    assert FigureSnapshot.objects.filter(kind="api").count() == 1


def test_an_api_snapshot_older_than_an_hour_is_not_served_the_figures_are_computed_again(
    world, cases, client_for, snapshots_on, django_capture_on_commit_callbacks
):
    client = client_for("township_staff")
    with clock.frozen_at(T0 + timedelta(days=30)):
        _stats(client, django_capture_on_commit_callbacks)
        world.submit()
    with clock.frozen_at(T0 + timedelta(days=30, hours=2)):
        body = _stats(client, django_capture_on_commit_callbacks)
    assert body["received"]["value"] == 9 and not snapshots_on


def test_a_snapshot_computed_for_the_api_is_never_served_to_another_scope(
    world, cases, client_for, snapshots_on, django_capture_on_commit_callbacks
):
    with clock.frozen_at(T0 + timedelta(days=30)):
        assert _stats(client_for("township_staff"), django_capture_on_commit_callbacks)["received"]["value"] == 8
        assert _stats(client_for("deputy_b_user"), django_capture_on_commit_callbacks)["received"]["value"] == 1
