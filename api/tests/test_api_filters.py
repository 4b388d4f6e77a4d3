"""The case list's FilterSet on its own, without HTTP (as NetBox tests its filtersets)."""

from datetime import timedelta

from api.filters import IssueFilterSet
from issues import clock
from issues.models import Issue
from issues.selectors import issues_visible_to
from issues.services import issue_accept


def _ids(params, queryset=None):
    filterset = IssueFilterSet(params, queryset=queryset if queryset is not None else Issue.objects.all())
    assert filterset.is_valid(), filterset.errors
    return set(filterset.qs.values_list("pk", flat=True))


def test_filter_by_state_station_deputy_category_and_channel(world):
    a = world.submit()
    b = world.submit(deputy=world.deputy_b, category_id=None)
    s = world.submit(station=world.xiushan_station)
    issue_accept(actor=world.actor("station_staff"), issue_id=a.pk)
    assert _ids({"state": ["accepted"]}) == {a.pk}
    assert _ids({"state": ["accepted", "submitted"]}) == {a.pk, b.pk, s.pk}
    assert _ids({"station": world.xiushan_station.pk}) == {b.pk, s.pk}
    assert _ids({"deputy": world.deputy_b.pk}) == {b.pk}
    assert _ids({"category": world.category.pk}) == {a.pk, s.pk}
    assert _ids({"channel": "station_qr"}) == {s.pk}


def test_filter_by_overdue_now(world):
    late = world.submit()
    fresh = world.submit()
    Issue.objects.filter(pk=late.pk).update(deadline=clock.now() - timedelta(hours=1))
    assert _ids({"overdue": "true"}) == {late.pk}
    assert _ids({"overdue": "false"}) == {fresh.pk}


def test_filter_by_submission_time(world):
    old = world.submit()
    new = world.submit()
    Issue.objects.filter(pk=old.pk).update(created_at=clock.now() - timedelta(days=10))
    cut = (clock.now() - timedelta(days=1)).isoformat()
    assert _ids({"created_after": cut}) == {new.pk}
    assert _ids({"created_before": cut}) == {old.pk}


def test_search_matches_tracking_code_short_code_and_content(world):
    lamp = world.submit(content="村口路灯坏了三天，晚上看不见路。")
    bridge = world.submit(content="小桥栏杆松动，孩子上学危险。")
    assert _ids({"search": lamp.tracking_code}) == {lamp.pk}
    assert _ids({"search": bridge.short_code}) == {bridge.pk}
    assert _ids({"search": bridge.short_code.replace("-", "").lower()}) == {bridge.pk}
    assert _ids({"search": "栏杆"}) == {bridge.pk}
    assert _ids({"search": "  "}) == {lamp.pk, bridge.pk}


def test_filters_never_reach_outside_the_scoped_queryset(world):
    world.submit(deputy=world.deputy_b)
    scoped = issues_visible_to(world.station_staff)
    assert _ids({"station": world.xiushan_station.pk}, scoped) == set()
    assert _ids({"deputy": world.deputy_b.pk}, scoped) == set()


def test_a_bad_filter_value_is_an_error_not_an_empty_list(world):
    assert not IssueFilterSet({"state": ["nonsense"]}, queryset=Issue.objects.all()).is_valid()
    assert not IssueFilterSet({"created_after": "yesterday"}, queryset=Issue.objects.all()).is_valid()
