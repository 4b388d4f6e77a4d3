"""The read replica (liaison.replica): reads go there only when asked, never inside a
transaction on the primary, and a figure written on the primary is read on a real streaming
standby once it has caught up."""

import time

import pytest
from django.db import DEFAULT_DB_ALIAS, connection, connections, transaction
from django.db.backends.postgresql.base import DatabaseWrapper
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from issues.models import Issue
from issues.stats import issue_stats
from liaison.replica import REPLICA, ReplicaRouter, from_replica, on_replica, reading_from_replica
from testsupport.replica import require_replica
from testsupport.services import require_postgres


@pytest.fixture
def replica_alias():
    """The `replica` database, as DATABASE_REPLICA_URL would make it, on the real standby (the
    test database's copy there). A connection of its own: the test database is not flushed on
    a read-only standby, which replays the primary's flush."""
    require_postgres()
    replica = DatabaseWrapper(require_replica(), alias=REPLICA)
    connections[REPLICA] = replica
    try:
        yield replica
    finally:
        replica.close()
        del connections[REPLICA]


def received(user) -> int:
    return issue_stats(user)["received"]["value"]


@pytest.mark.django_db
def test_without_a_replica_reads_asked_for_it_go_to_the_primary(world):
    assert REPLICA not in connections
    with reading_from_replica():
        assert Issue.objects.all().db == DEFAULT_DB_ALIAS
    assert from_replica(Issue.objects.all()).db == DEFAULT_DB_ALIAS
    assert on_replica(received, world.admin) == 0


def test_the_router_sends_writes_and_migrations_to_the_primary_only():
    router = ReplicaRouter()
    assert router.db_for_write(Issue) == DEFAULT_DB_ALIAS
    assert router.allow_migrate(DEFAULT_DB_ALIAS, "issues") is True
    assert router.allow_migrate(REPLICA, "issues") is False
    assert router.db_for_read(Issue) is None  # not asked: the primary


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_figure_written_on_the_primary_is_read_on_the_replica_after_it_catches_up(world, replica_alias):
    with replica_alias.cursor() as cursor:
        cursor.execute("SELECT pg_is_in_recovery()")
        assert cursor.fetchone()[0] is True, "the replica is a standby"
    before = Issue.objects.count()
    for n in range(3):
        world.submit(content=f"第{n}号：村口的路灯坏了。")
    assert received(world.admin) == before + 3  # on the primary at once

    deadline = time.monotonic() + 30
    while True:
        with CaptureQueriesContext(replica_alias) as on_standby, CaptureQueriesContext(connection) as on_primary:
            seen = on_replica(received, world.admin)
        assert len(on_standby) >= 1 and len(on_primary) == 0, "the figure is read on the replica only"
        if seen == before + 3:
            break
        assert time.monotonic() < deadline, f"the replica did not catch up in 30 s ({seen} of {before + 3})"
        time.sleep(0.1)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_inside_a_transaction_reads_stay_on_the_primary_and_see_its_own_writes(world, replica_alias):
    with transaction.atomic():
        issue = world.submit(content="新写的案子，复制库还没有。")
        with reading_from_replica():
            assert Issue.objects.all().db == DEFAULT_DB_ALIAS
            assert Issue.objects.filter(pk=issue.pk).exists()
        assert from_replica(Issue.objects.filter(pk=issue.pk)).exists()


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_the_dashboard_and_the_statistics_api_read_their_figures_on_the_replica(client, world, replica_alias, settings):
    settings.DASHBOARD_SNAPSHOT_MAX_AGE = 0  # computed for this request
    client.force_login(world.township_staff)
    with CaptureQueriesContext(replica_alias) as on_standby:
        assert client.get(reverse("dashboard:index")).status_code == 200
    assert any("issues_issue" in query["sql"] for query in on_standby.captured_queries)
    with CaptureQueriesContext(replica_alias) as on_standby:
        assert client.get("/api/stats/").status_code == 200
    assert any("issues_issue" in query["sql"] for query in on_standby.captured_queries)
