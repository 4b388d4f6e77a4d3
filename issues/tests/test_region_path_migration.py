"""The migration from the station-id scope to the region-path scope, on a database with data:
cases written under the old schema get their station's region path, in batches, and township
staff see exactly the cases they saw before (then: every station under their region's path)."""

from importlib import import_module

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from issues.models import Issue
from stations.scope import scope_of

BEFORE = [("issues", "0026_action_choices_with_merge_and_escalation"), ("stations", "0003_calendar_day")]
MIGRATION = "issues.migrations.0027_issue_region_path"


def _migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


def _latest():
    executor = MigrationExecutor(connection)
    return executor.loader.graph.leaf_nodes()


@pytest.mark.django_db(transaction=True)
def test_cases_written_before_the_region_path_get_it_and_township_scope_is_unchanged(monkeypatch):
    monkeypatch.setattr(import_module(MIGRATION), "STATIONS_PER_BATCH", 1)  # every batch boundary
    old = _migrate(BEFORE)
    try:
        Region, Station = old.get_model("stations", "Region"), old.get_model("stations", "Station")
        OldIssue, User = old.get_model("issues", "Issue"), old.get_model("auth", "User")
        Membership = old.get_model("stations", "StaffMembership")

        def region(name, code, level, parent=None):
            # The historical model has no save(): the path is written as Region.save writes it.
            made = Region.objects.create(name=name, code=code, level=level, parent=parent, path="")
            made.path = f"{parent.path if parent else '/'}{made.pk}/"
            made.save()
            return made

        city = region("舟山市", "330900", "city")
        dinghai = region("定海区", "330902", "district", city)
        baiquan = region("白泉镇", "330902104", "township", dinghai)
        chaomian = region("潮面村", "330902104201", "village", baiquan)
        xiushan = region("秀山乡", "330921202", "township", city)
        stations = [
            Station.objects.create(name="潮面村联络点", region=chaomian, qr_token="t1"),
            Station.objects.create(name="白泉镇联络站", region=baiquan, qr_token="t2"),
            Station.objects.create(name="秀山乡联络站", region=xiushan, qr_token="t3"),
        ]
        for n, station in enumerate(stations * 3):
            OldIssue.objects.create(
                channel="station_qr",
                station=station,
                content=f"第{n}件：路灯坏了。",
                tracking_code=f"c{n}",
                short_code=f"S{n}",
            )
        watcher = User.objects.create(username="baiquan_staff", is_staff=True)
        Membership.objects.create(user=watcher, role="township_staff", region=baiquan)
        under_baiquan = Station.objects.filter(region__path__startswith=baiquan.path).values_list("pk", flat=True)
        seen_before = set(OldIssue.objects.filter(station_id__in=list(under_baiquan)).values_list("pk", flat=True))
        assert len(seen_before) == 6
    finally:
        _migrate(_latest())

    paths = dict(Issue.objects.values_list("pk", "region_path"))
    assert len(paths) == 9 and "" not in paths.values()
    for issue in Issue.objects.select_related("station__region"):
        assert issue.region_path == issue.station.region.path
    from django.contrib.auth import get_user_model

    user = get_user_model().objects.get(username="baiquan_staff")
    assert set(Issue.objects.filter(scope_of(user).issue_filter()).values_list("pk", flat=True)) == seen_before
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT indexdef FROM pg_indexes WHERE indexname = 'issue_region_path_like'")
            assert "varchar_pattern_ops" in cursor.fetchone()[0]
