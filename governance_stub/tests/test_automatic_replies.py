"""The stub platform's automatic reply (the demo mode of `make run`): it answers, in the chosen
department's words, only the cases assigned after it started, so the demo's seeded backlog keeps
its assigned cases and their dates; a reopened case comes back with a later round's answer."""

import datetime

import pytest
import time_machine
from django.utils import timezone

from governance_stub import services as stub
from governance_stub.models import PlatformCase, PlatformReply, RoutingRule
from issues import clock, forwarding
from issues.models import Forwarding, Issue, State
from issues.permissions import Actor
from issues.services import issue_accept, issue_assign, issue_evaluate, issue_review

AUTO_SECONDS = 20
CONTENT = "潮面村村道上的路灯坏了半个多月，晚上接孩子放学一片漆黑，前几天还有老人摔了一跤，很危险，请尽快修一下。"


def payload(**extra) -> dict:
    return {
        "title": "基础设施：路灯",
        "content": CONTENT,
        "category": "基础设施",
        "callback_url": "http://127.0.0.1:9/callback/",
        **extra,
    }


@pytest.fixture
def auto_reply(settings):
    settings.GOVERNANCE_STUB_AUTO_REPLY_SECONDS = AUTO_SECONDS
    return settings


def later(seconds: float):
    return time_machine.travel(timezone.now() + datetime.timedelta(seconds=seconds), tick=False)


def test_a_case_is_handled_by_the_department_the_sender_chose(db):
    RoutingRule.objects.create(category="基础设施", department="平台自己的路由部门")
    case, created = stub.case_create(key="k-1", data=payload(department="白泉镇城建办"))
    assert created
    assert case.department == "白泉镇城建办"


def test_without_a_chosen_department_the_platforms_rule_decides_and_else_the_hub(db):
    RoutingRule.objects.create(category="基础设施", department="平台自己的路由部门")
    routed, _ = stub.case_create(key="k-1", data=payload())
    unrouted, _ = stub.case_create(key="k-2", data=payload(category="其他", department="  "))
    assert routed.department == "平台自己的路由部门"
    assert unrouted.department == stub.DEFAULT_DEPARTMENT


def test_a_case_assigned_before_the_stub_started_is_never_answered_automatically(db, auto_reply):
    assigned = stub.STARTED_AT - datetime.timedelta(days=3)
    case, _ = stub.case_create(key="k-old", data=payload(assigned_at=assigned.isoformat(), department="白泉镇城建办"))
    assert case.assigned_at == assigned
    assert case.auto_reply_at is None
    with later(AUTO_SECONDS * 10):
        assert stub.auto_answer_due() == 0
    case.refresh_from_db()
    assert case.status == PlatformCase.Status.HANDLING
    assert not case.replies.exists()


def test_a_case_assigned_after_the_stub_started_is_answered_once_its_delay_has_passed(db, auto_reply):
    case, _ = stub.case_create(
        key="k-new", data=payload(assigned_at=timezone.now().isoformat(), department="白泉镇城建办")
    )
    assert case.auto_reply_at is not None
    assert stub.auto_answer_due() == 0  # not due yet
    with later(AUTO_SECONDS + 1):
        assert stub.auto_answer_due() == 1
        assert stub.auto_answer_due() == 0
    reply = PlatformReply.objects.get(case=case)
    assert reply.handler == stub.AUTO_REPLY_HANDLER
    assert "白泉镇城建办" in reply.text
    assert reply.text.endswith("。")
    assert "请。" not in reply.text


def test_a_sender_that_does_not_say_when_it_assigned_counts_as_assigning_on_receipt(db, auto_reply):
    plain, _ = stub.case_create(key="k-plain", data=payload())
    garbled, _ = stub.case_create(key="k-garbled", data=payload(assigned_at="yesterday-ish"))
    naive, _ = stub.case_create(key="k-naive", data=payload(assigned_at="2020-01-01T08:00:00"))
    for case in (plain, garbled, naive):
        assert case.assigned_at == case.received_at
        assert case.auto_reply_at is not None


def test_automatic_replies_stay_off_when_the_delay_is_zero(db, settings):
    settings.GOVERNANCE_STUB_AUTO_REPLY_SECONDS = 0
    case, _ = stub.case_create(key="k-off", data=payload(assigned_at=timezone.now().isoformat()))
    assert case.auto_reply_at is None


# --- end to end: the portal's outbox, the stub over HTTP, the signed callback ------------------


@pytest.fixture
def platform(settings, live_server, auto_reply):
    settings.GOVERNANCE_PLATFORM_URL = f"{live_server.url}/governance-stub/"
    settings.PUBLIC_BASE_URL = live_server.url
    settings.GOVERNANCE_PLATFORM_TOKEN = "platform-token-for-tests"
    settings.GOVERNANCE_CALLBACK_SECRET = "callback-secret-for-tests"
    return settings


def assign(world, content: str = CONTENT) -> Issue:
    staff = Actor.of(world.station_staff)
    issue = world.submit(content=content)
    issue_accept(actor=staff, issue_id=issue.pk)
    issue_review(actor=staff, issue_id=issue.pk)
    return issue_assign(actor=staff, issue_id=issue.pk, department_id=world.department.pk)


def test_a_backlog_assigned_days_ago_stays_assigned_while_a_new_case_comes_back_answered(world, platform):
    with clock.frozen_at(timezone.now() - datetime.timedelta(days=3)):  # as seed_demo replays history
        old = assign(world)
    new = assign(world, content="码头护栏松动了，夜里有人差点落水。")

    forwarding.drain(wait=True, timeout=30)
    old_case = PlatformCase.objects.get(reference=Forwarding.objects.get(issue=old).key)
    new_case = PlatformCase.objects.get(reference=Forwarding.objects.get(issue=new).key)
    assert old_case.auto_reply_at is None
    assert new_case.auto_reply_at is not None
    assert old_case.department == new_case.department == world.department.name

    with later(AUTO_SECONDS + 1):
        assert stub.auto_answer_due() == 1  # the reply is delivered by the callback on commit

    old.refresh_from_db()
    new.refresh_from_db()
    assert old.state == State.ASSIGNED
    assert new.state == State.REPLIED
    assert world.department.name in new.reply_text
    assert "“码头护栏松动了，夜里有人差点落水”" in new.reply_text


def test_a_reopened_case_comes_back_in_its_next_round_with_a_different_answer(world, platform):
    issue = assign(world)
    forwarding.drain(wait=True, timeout=30)
    with later(AUTO_SECONDS + 1):
        stub.auto_answer_due()
    issue.refresh_from_db()
    first_answer = issue.reply_text
    assert issue.state == State.REPLIED

    issue_evaluate(issue_id=issue.pk, rating="unsatisfied", comment="灯还是不亮")
    issue_assign(  # the station decides: back to the department, with instructions
        actor=Actor.of(world.station_staff), issue_id=issue.pk, department_id=world.department.pk, instructions="请复查"
    )
    forwarding.drain(wait=True, timeout=30)
    second_case = PlatformCase.objects.get(round=2)
    assert second_case.reference == f"liaison-{issue.pk}-r2"
    with later(2 * (AUTO_SECONDS + 1)):
        assert stub.auto_answer_due() == 1

    issue.refresh_from_db()
    assert issue.state == State.REPLIED
    assert issue.reply_text != first_answer
    assert "上次" in issue.reply_text
    assert world.department.name in issue.reply_text
