"""What the platform says besides a reply, by signed callback: a return (退办), a progress note
(过程反馈), an extension request (延期申请), and a reply from the lead of several departments
(主办/协办). Each is applied once, checked against the case's state, and refused with 409 (and
recorded) when it no longer fits."""

import datetime
import json
import logging
import time

import pytest
from django.urls import reverse
from django.utils import formats, timezone

from issues.forwarding import _payload
from issues.models import (
    Action,
    Department,
    ExtensionRequest,
    Forwarding,
    Issue,
    IssueEvent,
    Notification,
    PlatformCallback,
    PlatformNotice,
    State,
)
from issues.permissions import Actor
from issues.platform_callbacks import callback_signature
from issues.selectors import public_timeline
from issues.services import (
    extension_decide,
    issue_accept,
    issue_assign,
    issue_evaluate,
    issue_reply,
    issue_review,
)
from liaison.errors import IllegalTransition, InvalidInput

SECRET = "callback-secret-for-tests"

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def platform_settings(settings):
    settings.GOVERNANCE_CALLBACK_SECRET = SECRET
    settings.GOVERNANCE_PLATFORM_TOKEN = "platform-token-for-tests"
    return settings


def post(client, payload):
    body = json.dumps(payload, ensure_ascii=False).encode()
    timestamp = str(int(time.time()))
    return client.post(
        reverse("governance-callback"),
        data=body,
        content_type="application/json",
        headers={
            "X-Platform-Timestamp": timestamp,
            "X-Platform-Signature": callback_signature(SECRET, timestamp, body),
        },
    )


def assigned_case(world, *, co=()) -> Issue:
    staff = Actor.of(world.station_staff)
    issue = world.submit()
    issue_accept(actor=staff, issue_id=issue.pk)
    issue_review(actor=staff, issue_id=issue.pk)
    issue_assign(actor=staff, issue_id=issue.pk, department_id=world.department.pk, co_department_ids=co)
    return Issue.objects.get(pk=issue.pk)


def key_of(issue: Issue, *, sequence: int = 1) -> str:
    return Forwarding.objects.get(issue=issue, round=issue.round, sequence=sequence).key


def other_department(world, name="白泉镇农业农村办") -> Department:
    department = Department.objects.create(name=name, region=world.baiquan)
    department.categories.add(world.category)
    return department


def later(issue: Issue, days: int = 5) -> str:
    return (issue.deadline + datetime.timedelta(days=days)).isoformat()


# --- 退办 ---------------------------------------------------------------------------------------


def test_a_returned_case_goes_back_to_the_station_with_the_reason_and_the_staff_are_alerted(client, world):
    issue = assigned_case(world)
    deadline = issue.deadline

    response = post(
        client, {"kind": "return", "reply_id": "ret-1", "reference": key_of(issue), "text": "不属于本部门职责"}
    )

    assert response.status_code == 200 and response.json() == {"status": "applied"}
    issue.refresh_from_db()
    assert (issue.state, issue.department_id, issue.deadline) == (State.REVIEWED, None, deadline)
    event = issue.events.latest("pk")
    assert (event.action, event.from_state, event.internal_note, event.public_note) == (
        Action.RETURN,
        State.ASSIGNED,
        "不属于本部门职责",
        "",
    )
    assert event.actor_kind == IssueEvent.ActorKind.PLATFORM and event.data["department"] == world.department.name
    forwarding = Forwarding.objects.get(issue=issue)
    assert forwarding.returned_at is not None and forwarding.return_reason == "不属于本部门职责"
    alert = Notification.objects.get(user=world.station_staff, issue=issue)
    assert alert.kind == Notification.Kind.CASE_RETURNED and "不属于本部门职责" in alert.message


def test_a_replayed_return_is_applied_once(client, world):
    issue = assigned_case(world)
    message = {"kind": "return", "reply_id": "ret-1", "reference": key_of(issue), "text": "不属于本部门职责"}
    assert post(client, message).json() == {"status": "applied"}
    events = issue.events.count()

    time.sleep(1)  # a new timestamp: a retry of the platform, not the same signed request
    again = post(client, message)

    assert again.status_code == 200 and again.json() == {"status": "duplicate"}
    assert issue.events.count() == events
    alerts = Notification.objects.filter(issue=issue, kind=Notification.Kind.CASE_RETURNED)
    assert alerts.filter(user=world.station_staff).count() == 1


def test_after_a_return_staff_hand_the_case_to_another_department_and_only_its_reply_counts(client, world):
    issue = assigned_case(world)
    first = key_of(issue)
    post(client, {"kind": "return", "reply_id": "ret-1", "reference": first, "text": "不属于本部门职责"})
    other = other_department(world)

    issue_assign(actor=Actor.of(world.station_staff), issue_id=issue.pk, department_id=other.pk)

    second = Forwarding.objects.get(issue=issue, sequence=2)
    assert second.key == f"{first}-2" and second.department == other and second.round == 1
    late = post(client, {"reply_id": "rep-old", "reference": first, "text": "原部门迟到的答复"})
    assert late.status_code == 409
    assert Issue.objects.get(pk=issue.pk).state == State.ASSIGNED
    real = post(client, {"reply_id": "rep-new", "reference": second.key, "text": "农业农村办已处理。"})
    assert real.status_code == 200
    issue.refresh_from_db()
    assert (issue.state, issue.reply_text) == (State.REPLIED, "农业农村办已处理。")


def test_after_a_return_staff_may_answer_the_villager_themselves(client, world):
    issue = assigned_case(world)
    post(client, {"kind": "return", "reply_id": "ret-1", "reference": key_of(issue), "text": "不属于本部门职责"})

    issue_reply(actor=Actor.of(world.station_staff), issue_id=issue.pk, text="联络站已协调村里解决。")

    assert Issue.objects.get(pk=issue.pk).state == State.REPLIED


def test_a_return_after_the_reply_is_refused_with_409_and_recorded(client, world, caplog):
    issue = assigned_case(world)
    post(client, {"reply_id": "rep-1", "reference": key_of(issue), "text": "已修好。"})
    before = list(issue.events.values_list("pk", flat=True))

    with caplog.at_level(logging.WARNING):
        response = post(client, {"kind": "return", "reply_id": "ret-1", "reference": key_of(issue), "text": "退回"})

    assert response.status_code == 409
    assert "replied" in response.json()["error"]["message"] or response.json()["error"]["message"]
    issue.refresh_from_db()
    assert issue.state == State.REPLIED and list(issue.events.values_list("pk", flat=True)) == before
    assert PlatformCallback.objects.get(reply_id="ret-1").outcome.startswith("refused return")
    assert any("ret-1" in record.getMessage() for record in caplog.records)


def test_a_second_return_of_the_same_hand_over_is_refused(client, world):
    issue = assigned_case(world)
    post(client, {"kind": "return", "reply_id": "ret-1", "reference": key_of(issue), "text": "不属于本部门职责"})

    second = post(client, {"kind": "return", "reply_id": "ret-2", "reference": key_of(issue), "text": "再次退回"})

    assert second.status_code == 409
    assert Issue.objects.get(pk=issue.pk).events.filter(action=Action.RETURN).count() == 1


# --- 过程反馈 -------------------------------------------------------------------------------------


def test_progress_notes_go_on_the_timeline_and_the_villager_sees_only_the_public_ones(client, world):
    issue = assigned_case(world)
    public = {"kind": "progress", "reply_id": "p-1", "reference": key_of(issue), "text": "已到现场查看", "public": True}
    internal = {"kind": "progress", "reply_id": "p-2", "reference": key_of(issue), "text": "等电力公司排期"}

    assert post(client, public).status_code == 200
    assert post(client, internal).status_code == 200

    issue.refresh_from_db()
    assert issue.state == State.ASSIGNED
    notes = list(issue.events.filter(action=Action.PROGRESS).values_list("public_note", "internal_note"))
    assert notes == [("已到现场查看", ""), ("", "等电力公司排期")]
    seen = [event.message for event in public_timeline(issue)]
    assert "已到现场查看" in seen and "等电力公司排期" not in seen
    assert [e.action for e in public_timeline(issue)].count(Action.PROGRESS) == 1
    page = client.get(reverse("public:track", args=[issue.tracking_code])).content.decode()
    assert "已到现场查看" in page and "等电力公司排期" not in page


def test_a_progress_note_after_the_reply_is_refused(client, world):
    issue = assigned_case(world)
    post(client, {"reply_id": "rep-1", "reference": key_of(issue), "text": "已修好。"})

    late = post(client, {"kind": "progress", "reply_id": "p-9", "reference": key_of(issue), "text": "还在处理"})

    assert late.status_code == 409
    assert not IssueEvent.objects.filter(issue=issue, action=Action.PROGRESS).exists()


# --- 延期申请 -------------------------------------------------------------------------------------


def ask_for_more_time(client, issue, *, request_id="ext-1", days=5):
    return post(
        client,
        {
            "kind": "extension_request",
            "reply_id": request_id,
            "reference": key_of(issue),
            "text": "需要等配件到货",
            "deadline": later(issue, days),
        },
    )


def test_an_extension_request_waits_for_the_staff_who_are_alerted(client, world):
    issue = assigned_case(world)

    assert ask_for_more_time(client, issue).status_code == 200

    request = ExtensionRequest.objects.get(request_id="ext-1")
    assert request.status == ExtensionRequest.Status.PENDING and request.reason == "需要等配件到货"
    assert Issue.objects.get(pk=issue.pk).deadline == issue.deadline  # nothing moves until approved
    alert = Notification.objects.get(user=world.station_staff, issue=issue)
    assert alert.kind == Notification.Kind.EXTENSION_ASKED
    time.sleep(1)  # the platform's retry is signed anew
    assert ask_for_more_time(client, issue).json() == {"status": "duplicate"}
    assert ExtensionRequest.objects.count() == 1


def test_an_approved_extension_moves_the_deadline_the_villager_sees_and_the_platform_is_told(client, world):
    issue = assigned_case(world)
    ask_for_more_time(client, issue)
    request = ExtensionRequest.objects.get()

    extension_decide(actor=Actor.of(world.station_staff), extension_id=request.pk, approve=True)

    issue.refresh_from_db()
    assert issue.deadline == request.requested_deadline
    assert issue.events.latest("pk").action == Action.EXTEND
    notice = PlatformNotice.objects.get(issue=issue)
    assert notice.payload["approved"] is True and notice.payload["request_id"] == "ext-1"
    assert notice.path == "api/extensions/ext-1/decision/"
    page = client.get(reverse("public:track", args=[issue.tracking_code])).content.decode()
    shown = formats.date_format(timezone.localtime(request.requested_deadline), "DATETIME_FORMAT")
    assert shown in page


def test_a_refused_extension_needs_a_reason_and_leaves_the_deadline(client, world):
    issue = assigned_case(world)
    ask_for_more_time(client, issue)
    request = ExtensionRequest.objects.get()
    staff = Actor.of(world.station_staff)

    with pytest.raises(InvalidInput):
        extension_decide(actor=staff, extension_id=request.pk, approve=False, note="")
    extension_decide(actor=staff, extension_id=request.pk, approve=False, note="时限内能办完")

    assert Issue.objects.get(pk=issue.pk).deadline == issue.deadline
    request.refresh_from_db()
    assert request.status == ExtensionRequest.Status.REFUSED and request.decided_by == world.station_staff
    assert PlatformNotice.objects.get(issue=issue).payload == {
        "request_id": "ext-1",
        "approved": False,
        "deadline": None,
        "note": "时限内能办完",
    }
    with pytest.raises(IllegalTransition):
        extension_decide(actor=staff, extension_id=request.pk, approve=True)


def test_an_extension_to_an_earlier_deadline_is_refused(client, world):
    issue = assigned_case(world)

    response = ask_for_more_time(client, issue, days=-1)

    assert response.status_code == 409
    assert not ExtensionRequest.objects.exists()


def test_an_extension_for_a_case_since_returned_cannot_be_approved(client, world):
    issue = assigned_case(world)
    ask_for_more_time(client, issue)
    post(client, {"kind": "return", "reply_id": "ret-1", "reference": key_of(issue), "text": "不属于本部门职责"})

    with pytest.raises(IllegalTransition):
        extension_decide(
            actor=Actor.of(world.station_staff), extension_id=ExtensionRequest.objects.get().pk, approve=True
        )

    assert ExtensionRequest.objects.get().status == ExtensionRequest.Status.PENDING


def test_township_staff_cannot_decide_an_extension(client, world):
    from liaison.errors import ActionForbidden

    issue = assigned_case(world)
    ask_for_more_time(client, issue)

    with pytest.raises(ActionForbidden):
        extension_decide(
            actor=Actor.of(world.township_staff), extension_id=ExtensionRequest.objects.get().pk, approve=True
        )


# --- 主办/协办 ------------------------------------------------------------------------------------


def test_the_platform_gets_the_lead_and_the_co_handling_departments(world):
    helper = other_department(world)
    issue = assigned_case(world, co=[helper.pk])

    payload = _payload(Forwarding.objects.get(issue=issue))

    assert payload["department"] == world.department.name
    assert payload["co_departments"] == [helper.name]
    assert issue.events.latest("pk").data["co_departments"] == [helper.name]


def test_the_reply_comes_from_the_lead_not_from_a_co_handler(client, world):
    helper = other_department(world)
    issue = assigned_case(world, co=[helper.pk])

    wrong = post(
        client, {"reply_id": "r-co", "reference": key_of(issue), "text": "协办答复", "department": helper.name}
    )
    right = post(
        client,
        {"reply_id": "r-lead", "reference": key_of(issue), "text": "主办答复", "department": world.department.name},
    )

    assert wrong.status_code == 409 and right.status_code == 200
    assert Issue.objects.get(pk=issue.pk).reply_text == "主办答复"


def test_a_reopened_round_goes_to_the_same_lead_and_co_handlers(client, world):
    helper = other_department(world)
    issue = assigned_case(world, co=[helper.pk])
    post(client, {"reply_id": "r-1", "reference": key_of(issue), "text": "已修好。"})
    issue_evaluate(issue_id=issue.pk, rating="unsatisfied", comment="还是没修好")
    # After 不满意 the station decides: here, back to the same lead department with instructions.
    issue_assign(
        actor=Actor.of(world.station_staff),
        issue_id=issue.pk,
        department_id=world.department.pk,
        instructions="请再去现场看看。",
    )

    second = Forwarding.objects.get(issue=issue, round=2)

    assert second.department == world.department
    assert list(second.co_departments.all()) == [helper]


def test_a_co_handling_department_that_does_not_exist_is_refused(world):
    staff = Actor.of(world.station_staff)
    issue = world.submit()
    issue_accept(actor=staff, issue_id=issue.pk)
    issue_review(actor=staff, issue_id=issue.pk)

    for bad in ([999_999], ["x"]):
        with pytest.raises(InvalidInput):
            issue_assign(actor=staff, issue_id=issue.pk, department_id=world.department.pk, co_department_ids=bad)

    assert Issue.objects.get(pk=issue.pk).state == State.REVIEWED
    assert not Forwarding.objects.filter(issue=issue).exists()


# --- bodies that make no sense --------------------------------------------------------------------


@pytest.mark.parametrize(
    "extra",
    [
        {"kind": "shout"},
        {"kind": "extension_request"},
        {"kind": "extension_request", "deadline": "next week"},
        {"kind": "extension_request", "deadline": "2030-01-01T10:00:00"},
        {"kind": "progress", "public": "yes"},
        {"department": 7},
    ],
    ids=["unknown-kind", "no-deadline", "unreadable-deadline", "naive-deadline", "public-not-bool", "department-int"],
)
def test_a_callback_with_a_bad_field_is_refused_with_400_and_changes_nothing(client, world, extra):
    issue = assigned_case(world)
    events = issue.events.count()

    response = post(client, {"reply_id": "bad-1", "reference": key_of(issue), "text": "内容", **extra})

    assert response.status_code == 400 and response.json()["error"]["message"]
    assert issue.events.count() == events
