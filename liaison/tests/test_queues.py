"""Celery's queues (liaison.queues): forwarding, notifications, reports and default are separate,
every worker command consumes them all between them, and a long report does not delay a
forwarding, with real workers on Redis."""

import re
import time
from pathlib import Path

import psycopg
import pytest
import redis
from django.conf import settings

from dashboard.models import FigureSnapshot
from issues.models import Forwarding
from issues.permissions import Actor
from issues.services import issue_accept, issue_assign, issue_review
from liaison import queues
from liaison.celery import app as celery_app
from testsupport.processes import database_url, make_stack
from testsupport.services import require_postgres, require_redis

ROOT = Path(__file__).resolve().parents[2]


def queue_of(task_name: str) -> str:
    celery_app.loader.import_default_modules()
    route = celery_app.amqp.router.route({}, task_name)
    return route["queue"].name


def test_each_kind_of_task_goes_to_its_own_queue():
    assert queue_of("issues.tasks.forward_case") == queues.FORWARDING
    assert queue_of("issues.tasks.sweep_forwardings") == queues.FORWARDING
    assert queue_of("issues.tasks.send_deadline_reminders") == queues.NOTIFICATIONS
    assert queue_of("dashboard.tasks.refresh_snapshots") == queues.REPORTS
    assert queue_of("liaison.heartbeat") == queues.DEFAULT
    assert queue_of("issues.tasks.close_unevaluated_issues") == queues.DEFAULT


def test_every_task_is_on_a_queue_that_the_workers_consume():
    celery_app.loader.import_default_modules()
    ours = [name for name in celery_app.tasks if not name.startswith("celery.")]
    assert ours
    consumed = {queue for worker in queues.WORKERS.values() for queue in worker}
    assert consumed == set(queues.ALL)
    for name in ours:
        assert queue_of(name) in consumed, name


def worker_queue_options(text: str) -> list[set[str]]:
    return [
        set(match.split(",")) for match in re.findall(r"celery -A liaison worker[^\n`]*?(?:-Q|--queues) (\S+)", text)
    ]


def test_the_readme_and_make_run_start_workers_on_every_queue():
    readme = worker_queue_options((ROOT / "README.md").read_text())
    assert readme, "the README names the worker commands"
    assert set().union(*readme) == set(queues.ALL)
    dev = re.findall(r"worker --queues (\S+)", (ROOT / "bin" / "dev").read_text())
    assert [set(option.split(",")) for option in dev] == [set(queues.ALL)]


def lock_waiters() -> int:
    with psycopg.connect(database_url(), autocommit=True) as probe:
        return probe.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'"
        ).fetchone()[0]


def wait_until(predicate, *, timeout: float, what: str) -> float:
    started = time.monotonic()
    while time.monotonic() - started < timeout:
        if predicate():
            return time.monotonic() - started
        time.sleep(0.1)
    raise AssertionError(f"timed out after {timeout}s waiting for {what}")


@pytest.mark.postgres
@pytest.mark.redis
def test_reports_that_hang_do_not_delay_a_forwarding(transactional_db, tmp_path, world):
    """The production workers (liaison.queues.WORKERS), each with one thread: three reports are
    stuck (their snapshot table is locked by this test) and a case is assigned: it reaches the
    platform within seconds while the reports still wait; they finish once the lock goes."""
    require_postgres()
    require_redis()
    redis.Redis.from_url(settings.REDIS_URL).flushdb()
    eager = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = False
    stack = make_stack(tmp_path)
    blocker = psycopg.connect(database_url())
    try:
        stack.start_web()
        for name in queues.WORKERS:
            stack.start_worker(queues=queues.queue_option(name), name=name, concurrency=1)
        blocker.execute("LOCK TABLE dashboard_figuresnapshot IN ACCESS EXCLUSIVE MODE")
        from dashboard.tasks import refresh_snapshots

        for _ in range(3):
            refresh_snapshots.delay()
        wait_until(lambda: lock_waiters() >= 1, timeout=30, what="a report to be running (and stuck)")

        staff = Actor.of(world.station_staff)
        issue = world.submit()
        issue_accept(actor=staff, issue_id=issue.pk)
        issue_review(actor=staff, issue_id=issue.pk)
        issue_assign(actor=staff, issue_id=issue.pk, department_id=world.department.pk)
        delivered = Forwarding.objects.filter(issue=issue, status=Forwarding.Status.DELIVERED)
        took = wait_until(delivered.exists, timeout=20, what="the forwarding to be delivered")

        assert took < 15
        assert lock_waiters() >= 1, "the reports were still stuck when the forwarding went through"
        blocker.rollback()
        wait_until(FigureSnapshot.objects.exists, timeout=60, what="the reports to finish")
    finally:
        blocker.close()
        stack.stop()
        celery_app.conf.task_always_eager = eager
