"""Forwarding over real HTTP to the platform stub, with a real Celery worker on Redis and
PostgreSQL: the happy path, and chaos in which every case must still arrive exactly once."""

import time

import pytest
import redis
from django.conf import settings

from governance_stub.models import PlatformCase
from issues.models import Action, Forwarding, Issue, IssueEvent, State
from issues.permissions import Actor
from issues.services import issue_accept, issue_assign, issue_review
from liaison.celery import app as celery_app
from testsupport.processes import make_stack
from testsupport.services import require_postgres, require_redis
from testsupport.world import build_world

pytestmark = [pytest.mark.postgres, pytest.mark.redis]

CHAOS_CASES = 200


@pytest.fixture
def stack(transactional_db, tmp_path):
    require_postgres()
    require_redis()
    redis.Redis.from_url(settings.REDIS_URL).flushdb()
    eager = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = False
    stack = make_stack(tmp_path, GOVERNANCE_STUB_AUTO_REPLY_SECONDS="0.3")
    stack.start_web()
    stack.start_worker()
    yield stack
    stack.stop()
    celery_app.conf.task_always_eager = eager


def assign_cases(world, count: int) -> list[int]:
    staff = Actor.of(world.station_staff)
    ids = []
    for n in range(count):
        issue = world.submit(content=f"第{n}号：码头护栏松动，夜里有人差点落水。")
        issue_accept(actor=staff, issue_id=issue.pk)
        issue_review(actor=staff, issue_id=issue.pk)
        issue_assign(actor=staff, issue_id=issue.pk, department_id=world.department.pk)
        ids.append(issue.pk)
    return ids


def wait_until(predicate, *, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.25)
    raise AssertionError(f"timed out after {timeout}s waiting for {what}")


def replied_count(ids) -> int:
    return Issue.objects.filter(pk__in=ids, state=State.REPLIED).count()


def settled(ids) -> bool:
    """Every case replied and every acknowledgement recorded. A case can come back replied
    before our side has recorded the platform's acknowledgement (an injected hang swallowed the
    first answer; the retry, answered from the idempotency key, records it)."""
    delivered = Forwarding.objects.filter(issue_id__in=ids, status=Forwarding.Status.DELIVERED).count()
    return replied_count(ids) == len(ids) and delivered == len(ids)


def assert_each_delivered_once_and_replied(ids) -> None:
    assert PlatformCase.objects.count() == len(ids)
    keys = list(PlatformCase.objects.values_list("idempotency_key", flat=True))
    assert len(set(keys)) == len(ids)
    assert set(keys) == set(Forwarding.objects.filter(issue_id__in=ids).values_list("key", flat=True))
    assert Forwarding.objects.filter(issue_id__in=ids, status=Forwarding.Status.DELIVERED).count() == len(ids)
    assert replied_count(ids) == len(ids)
    replies = IssueEvent.objects.filter(issue_id__in=ids, action=Action.REPLY)
    assert replies.count() == len(ids)
    assert set(replies.values_list("actor_kind", flat=True)) == {IssueEvent.ActorKind.PLATFORM}


def test_an_assigned_case_comes_back_replied_from_the_platform_with_a_complete_timeline(stack):
    world = build_world()
    [issue_id] = assign_cases(world, 1)

    wait_until(lambda: settled([issue_id]), timeout=60, what="the platform's reply")

    issue = Issue.objects.get(pk=issue_id)
    assert "白泉镇城建办" in issue.reply_text or issue.reply_text
    forwarding = Forwarding.objects.get(issue=issue)
    assert forwarding.status == Forwarding.Status.DELIVERED
    assert forwarding.platform_case_id == str(PlatformCase.objects.get().pk)
    actions = list(issue.events.values_list("action", "to_state"))
    assert actions == [
        (Action.SUBMIT, State.SUBMITTED),
        (Action.ACCEPT, State.ACCEPTED),
        (Action.REVIEW, State.REVIEWED),
        (Action.ASSIGN, State.ASSIGNED),
        (Action.REPLY, State.REPLIED),
    ]
    assert_each_delivered_once_and_replied([issue_id])


def test_every_case_arrives_once_when_the_platform_fails_30_percent_and_hangs_on_10_percent(stack):
    world = build_world()
    stack.set_faults(failure_rate=0.3, timeout_rate=0.1)
    ids = assign_cases(world, CHAOS_CASES)

    wait_until(lambda: settled(ids), timeout=420, what="all replies")
    assert_each_delivered_once_and_replied(ids)
    assert Forwarding.objects.filter(attempts__gt=1).exists(), "faults were injected, some rows must have retried"


def test_every_case_arrives_once_when_the_worker_is_killed_mid_batch(stack):
    world = build_world()
    stack.set_faults(latency_seconds=0.05)
    ids = assign_cases(world, CHAOS_CASES)
    wait_until(
        lambda: Forwarding.objects.filter(status=Forwarding.Status.DELIVERED).count() >= 20,
        timeout=60,
        what="the batch to be under way",
    )
    stack.kill_worker()
    assert PlatformCase.objects.count() < len(ids), "the kill must happen in the middle of the batch"
    stack.start_worker()

    wait_until(lambda: settled(ids), timeout=420, what="all replies after the restart")
    assert_each_delivered_once_and_replied(ids)


def test_every_case_arrives_once_when_redis_is_emptied_mid_batch(stack):
    world = build_world()
    stack.set_faults(latency_seconds=0.05)
    ids = assign_cases(world, CHAOS_CASES)
    wait_until(
        lambda: Forwarding.objects.filter(status=Forwarding.Status.DELIVERED).count() >= 20,
        timeout=60,
        what="the batch to be under way",
    )
    redis.Redis.from_url(settings.REDIS_URL).flushdb()
    assert PlatformCase.objects.count() < len(ids), "the flush must happen in the middle of the batch"

    wait_until(lambda: settled(ids), timeout=420, what="all replies after the flush")
    assert_each_delivered_once_and_replied(ids)


def test_every_case_arrives_once_when_the_platform_is_down_for_a_while(stack):
    world = build_world()
    stack.set_faults(down=True)
    ids = assign_cases(world, CHAOS_CASES)
    time.sleep(3)
    assert PlatformCase.objects.count() == 0
    assert Forwarding.objects.filter(issue_id__in=ids, status=Forwarding.Status.DELIVERED).count() == 0
    stack.set_faults(down=False)

    wait_until(lambda: settled(ids), timeout=420, what="all replies once the platform is back")
    assert_each_delivered_once_and_replied(ids)
