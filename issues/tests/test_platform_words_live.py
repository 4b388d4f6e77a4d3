"""The platform's other words end to end: the portal under gunicorn, a real Celery worker on Redis
and PostgreSQL, and the platform stub in its own gunicorn process, driven through its HTTP API
as a department would: progress, an extension request and its decision, a return (退办) and the
hand-over to another department, a lead with co-handlers, and messages that come too late."""

import datetime
import time

import pytest
import redis
import requests
from django.conf import settings

from governance_stub.models import PlatformCase, PlatformReply
from issues.models import Action, Department, ExtensionRequest, Forwarding, Issue, IssueEvent, PlatformNotice, State
from issues.permissions import Actor
from issues.services import extension_decide, issue_accept, issue_assign, issue_review
from liaison.celery import app as celery_app
from testsupport.processes import make_stack
from testsupport.services import require_postgres, require_redis
from testsupport.world import build_world

pytestmark = [pytest.mark.postgres, pytest.mark.redis]


@pytest.fixture
def stack(transactional_db, tmp_path):
    require_postgres()
    require_redis()
    redis.Redis.from_url(settings.REDIS_URL).flushdb()
    eager = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = False
    stack = make_stack(tmp_path, separate_stub=True, GOVERNANCE_STUB_AUTO_REPLY_SECONDS="0")
    stack.start_web()
    stack.start_stub()
    stack.start_worker()
    yield stack
    stack.stop()
    celery_app.conf.task_always_eager = eager


def wait_until(predicate, *, timeout: float = 60, what: str) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.25)
    raise AssertionError(f"timed out after {timeout}s waiting for {what}")


def as_department(stack, case_id: int, word: str, **body) -> dict:
    """What a department's handler does on the platform, over the platform's own HTTP API."""
    response = requests.post(f"{stack.stub_url}api/cases/{case_id}/{word}/", json=body, headers=stack.auth, timeout=10)
    response.raise_for_status()
    return response.json()


def assign(world, *, department=None, co=()) -> Issue:
    staff = Actor.of(world.station_staff)
    issue = world.submit(content="码头护栏松动，夜里有人差点落水。")
    issue_accept(actor=staff, issue_id=issue.pk)
    issue_review(actor=staff, issue_id=issue.pk)
    department = department or world.department
    issue_assign(actor=staff, issue_id=issue.pk, department_id=department.pk, co_department_ids=co)
    return Issue.objects.get(pk=issue.pk)


def platform_case(forwarding_key: str) -> PlatformCase:
    wait_until(
        lambda: (
            PlatformCase.objects.filter(idempotency_key=forwarding_key).exists()
            and Forwarding.objects.filter(key=forwarding_key, status=Forwarding.Status.DELIVERED).exists()
        ),
        what=f"{forwarding_key} on the platform",
    )
    return PlatformCase.objects.get(idempotency_key=forwarding_key)


def events(issue: Issue, action: str):
    return IssueEvent.objects.filter(issue=issue, action=action)


def delivered_or_refused(reply_id) -> bool:
    reply = PlatformReply.objects.get(reply_id=reply_id)
    return reply.delivered_at is not None or reply.last_error.startswith("HTTP 409")


def test_progress_extension_return_and_reassignment_travel_both_ways(stack):
    world = build_world()
    issue = assign(world)
    first = platform_case(Forwarding.objects.get(issue=issue).key)

    # 过程反馈: a public note reaches the timeline; the state stays.
    as_department(stack, first.pk, "progress", text="已派人到码头查看", public=True)
    wait_until(lambda: events(issue, Action.PROGRESS).exists(), what="the progress note")
    assert events(issue, Action.PROGRESS).get().public_note == "已派人到码头查看"

    # 延期申请: staff approve; the deadline moves and the platform is told by our API call.
    wanted = Issue.objects.get(pk=issue.pk).deadline + datetime.timedelta(days=4)
    said = as_department(stack, first.pk, "extension", deadline=wanted.isoformat(), reason="护栏需定制")
    wait_until(lambda: ExtensionRequest.objects.filter(request_id=said["reply_id"]).exists(), what="the request")
    request = ExtensionRequest.objects.get(request_id=said["reply_id"])
    extension_decide(actor=Actor.of(world.station_staff), extension_id=request.pk, approve=True)
    wait_until(
        lambda: PlatformReply.objects.get(reply_id=said["reply_id"]).decision == PlatformReply.Decision.APPROVED,
        what="the platform to hear the decision",
    )
    assert Issue.objects.get(pk=issue.pk).deadline == wanted
    assert PlatformNotice.objects.get(issue=issue).status == PlatformNotice.Status.DELIVERED

    # 退办: the case comes back to the station, which hands it to another department.
    as_department(stack, first.pk, "return", reason="护栏属于港航部门管理")
    wait_until(lambda: Issue.objects.get(pk=issue.pk).state == State.REVIEWED, what="the return")
    harbour = Department.objects.create(name="岱山县港航中心", region=world.baiquan)
    issue_assign(actor=Actor.of(world.station_staff), issue_id=issue.pk, department_id=harbour.pk)
    second = platform_case(Forwarding.objects.get(issue=issue, sequence=2).key)
    assert second.department == harbour.name and PlatformCase.objects.count() == 2

    # The first department answers late: refused, and the platform stops retrying it.
    late = as_department(stack, first.pk, "answer", text="城建办已修好")
    wait_until(lambda: delivered_or_refused(late["reply_id"]), what="the late answer's refusal")
    assert Issue.objects.get(pk=issue.pk).state == State.ASSIGNED

    # The new department answers: that is the reply.
    as_department(stack, second.pk, "answer", text="港航中心已加固护栏。")
    wait_until(lambda: Issue.objects.get(pk=issue.pk).state == State.REPLIED, what="the reply")
    assert Issue.objects.get(pk=issue.pk).reply_text == "港航中心已加固护栏。"

    # Progress after the reply: refused, nothing added.
    after = as_department(stack, second.pk, "progress", text="还在跟进", public=True)
    wait_until(lambda: delivered_or_refused(after["reply_id"]), what="the late progress note's refusal")
    assert PlatformReply.objects.get(reply_id=after["reply_id"]).delivered_at is None
    assert events(issue, Action.PROGRESS).count() == 1
    assert events(issue, Action.REPLY).count() == 1 and events(issue, Action.RETURN).count() == 1


def test_a_lead_and_its_co_handlers_reach_the_platform_and_only_the_leads_answer_counts(stack):
    world = build_world()
    helper = Department.objects.create(name="白泉镇农业农村办", region=world.baiquan)
    issue = assign(world, co=[helper.pk])
    case = platform_case(Forwarding.objects.get(issue=issue).key)
    assert (case.department, case.co_departments) == (world.department.name, [helper.name])

    note = as_department(stack, case.pk, "progress", text="农业农村办已配合踏勘", department=helper.name)
    wait_until(lambda: delivered_or_refused(note["reply_id"]), what="the co-handler's note")
    assert events(issue, Action.PROGRESS).get().data["department"] == helper.name

    as_department(stack, case.pk, "answer", text="城建办会同农业农村办已修好。")
    wait_until(lambda: Issue.objects.get(pk=issue.pk).state == State.REPLIED, what="the lead's reply")
    assert events(issue, Action.REPLY).get().actor_kind == IssueEvent.ActorKind.PLATFORM
