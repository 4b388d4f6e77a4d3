"""Chaos with the platform's other words: 200 cases through the portal under gunicorn and a real
worker, the platform failing 30% of requests and returning (退办) about 30% of the cases it is
handed, the station handing each returned case to another department, and the worker killed in
the middle. Every case ends replied once, by the department that kept it; every return and every
hand-over is applied exactly once."""

import time

import pytest
import redis
from django.conf import settings
from django.db.models import Count

from governance_stub.models import PlatformCase, PlatformReply
from issues.models import Action, Department, Forwarding, Issue, IssueEvent, State
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
    stack = make_stack(tmp_path, GOVERNANCE_STUB_AUTO_REPLY_SECONDS="0.3", GOVERNANCE_STUB_AUTO_RETURN_RATE="0.3")
    stack.start_web()
    stack.start_worker()
    yield stack
    stack.stop()
    celery_app.conf.task_always_eager = eager


def hand_on_returned(world, departments) -> int:
    """The station hands each returned case (back in `reviewed`) to the next department."""
    staff = Actor.of(world.station_staff)
    moved = 0
    for issue in Issue.objects.filter(state=State.REVIEWED):
        handed = Forwarding.objects.filter(issue=issue).count()
        department = departments[handed % len(departments)]
        issue_assign(actor=staff, issue_id=issue.pk, department_id=department.pk)
        moved += 1
    return moved


def test_every_case_ends_replied_once_with_returns_failures_and_a_killed_worker(stack):
    world = build_world()
    departments = [world.department] + [
        Department.objects.create(name=name, region=world.baiquan) for name in ("白泉镇农业农村办", "岱山县港航中心")
    ]
    stack.set_faults(failure_rate=0.3, latency_seconds=0.02)
    staff = Actor.of(world.station_staff)
    ids = []
    for n in range(CHAOS_CASES):
        issue = world.submit(content=f"第{n}号：码头护栏松动，夜里有人差点落水。")
        issue_accept(actor=staff, issue_id=issue.pk)
        issue_review(actor=staff, issue_id=issue.pk)
        issue_assign(actor=staff, issue_id=issue.pk, department_id=world.department.pk)
        ids.append(issue.pk)

    deadline = time.monotonic() + 60
    while Forwarding.objects.filter(status=Forwarding.Status.DELIVERED).count() < 20:
        assert time.monotonic() < deadline, "the batch never got under way"
        time.sleep(0.25)
    stack.kill_worker()
    assert PlatformCase.objects.count() < CHAOS_CASES, "the kill must happen in the middle of the batch"
    stack.start_worker()

    deadline = time.monotonic() + 600
    while Issue.objects.filter(pk__in=ids, state=State.REPLIED).count() < CHAOS_CASES:
        assert time.monotonic() < deadline, "not every case was replied in time"
        hand_on_returned(world, departments)
        time.sleep(0.5)

    # Every case replied once, from the platform.
    replies = IssueEvent.objects.filter(issue_id__in=ids, action=Action.REPLY)
    assert replies.count() == CHAOS_CASES
    assert set(replies.values_list("actor_kind", flat=True)) == {IssueEvent.ActorKind.PLATFORM}
    # Every hand-over reached the platform once; every return is one event and one returned row.
    forwardings = Forwarding.objects.filter(issue_id__in=ids)
    assert PlatformCase.objects.count() == forwardings.count()
    assert set(PlatformCase.objects.values_list("idempotency_key", flat=True)) == set(
        forwardings.values_list("key", flat=True)
    )
    returned = forwardings.filter(returned_at__isnull=False)
    assert returned.exists(), "about 30% were to be returned"
    assert IssueEvent.objects.filter(issue_id__in=ids, action=Action.RETURN).count() == returned.count()
    assert PlatformReply.objects.filter(kind=PlatformReply.Kind.RETURN).count() == returned.count()
    # Each case: its returns plus the one hand-over that was answered; the answer came for the last.
    per_case = forwardings.values("issue_id").annotate(n=Count("pk"), back=Count("returned_at"))
    assert all(row["n"] == row["back"] + 1 for row in per_case)
    for issue in Issue.objects.filter(pk__in=ids).only("pk", "department_id"):
        last = forwardings.filter(issue_id=issue.pk).order_by("-sequence").first()
        assert last.returned_at is None and last.department_id == issue.department_id
    assert Forwarding.objects.filter(attempts__gt=1).exists(), "faults were injected, some rows must have retried"
