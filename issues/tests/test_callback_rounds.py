"""The platform's callbacks against the case's handling round, and callbacks with odd values:
each is refused with a 4xx and changes nothing, never a 500."""

import json
import time

import pytest
from django.urls import reverse

from issues.models import Forwarding, Issue, Notification, PlatformCallback, State
from issues.permissions import Actor
from issues.platform_callbacks import callback_signature
from issues.services import issue_accept, issue_assign, issue_evaluate, issue_reply, issue_review

SECRET = "callback-secret-for-tests"

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def platform_settings(settings):
    settings.GOVERNANCE_CALLBACK_SECRET = SECRET
    settings.GOVERNANCE_PLATFORM_TOKEN = "platform-token-for-tests"
    return settings


def post_body(client, body: bytes, *, timestamp: str | None = None):
    timestamp = timestamp if timestamp is not None else str(int(time.time()))
    return client.post(
        reverse("governance-callback"),
        data=body,
        content_type="application/json",
        headers={
            "X-Platform-Timestamp": timestamp,
            "X-Platform-Signature": callback_signature(SECRET, timestamp, body),
        },
    )


def post(client, payload, **kwargs):
    return post_body(client, json.dumps(payload).encode(), **kwargs)


def reopened_case(world) -> Issue:
    """Assigned (round 1), answered by the platform, rated 不满意: out again as round 2 once the
    station sends it back."""
    staff = Actor.of(world.station_staff)
    issue = world.submit()
    issue_accept(actor=staff, issue_id=issue.pk)
    issue_review(actor=staff, issue_id=issue.pk)
    issue_assign(actor=staff, issue_id=issue.pk, department_id=world.department.pk)
    return issue


def send_back(world, issue):
    """After 不满意 the station decides: back to the department, with instructions."""
    issue_assign(
        actor=Actor.of(world.station_staff),
        issue_id=issue.pk,
        department_id=world.department.pk,
        instructions="请重新核实处理。",
    )


def test_a_late_reply_to_round_one_does_not_answer_round_two_and_the_real_answer_still_lands(client, world):
    issue = reopened_case(world)
    first_key = Forwarding.objects.get(issue=issue, round=1).key
    assert post(client, {"reply_id": "r1-a", "reference": first_key, "text": "第一轮答复。"}).status_code == 200
    issue_evaluate(issue_id=issue.pk, rating="unsatisfied", comment="还是没修好")
    issue.refresh_from_db()
    assert (issue.state, issue.round) == (State.REVIEWED, 2)
    send_back(world, issue)
    issue.refresh_from_db()
    assert (issue.state, issue.round) == (State.ASSIGNED, 2)
    events = issue.events.count()

    late = post(client, {"reply_id": "r1-b", "reference": first_key, "text": "第一轮的另一条迟到答复。"})

    assert late.status_code == 409
    assert late.json()["error"]["message"]
    issue.refresh_from_db()
    assert (issue.state, issue.round, issue.events.count()) == (State.ASSIGNED, 2, events)
    # Staff are told, and the refusal is on record.
    record = PlatformCallback.objects.get(reply_id="r1-b")
    assert record.outcome.startswith("refused: round 1")
    alerts = Notification.objects.filter(issue=issue, message__contains="r1-b")
    assert {alert.user for alert in alerts} >= {world.station_staff}
    assert {alert.kind for alert in alerts} == {Notification.Kind.STALE_REPLY}

    second_key = Forwarding.objects.get(issue=issue, round=2).key
    real = post(client, {"reply_id": "r2-a", "reference": second_key, "text": "第二轮：已更换灯具。"})
    assert real.status_code == 200
    issue.refresh_from_db()
    assert issue.state == State.REPLIED and issue.reply_text == "第二轮：已更换灯具。"


def test_a_redelivered_reply_of_round_one_is_still_recognised_as_a_duplicate_in_round_two(client, world):
    issue = reopened_case(world)
    first_key = Forwarding.objects.get(issue=issue, round=1).key
    payload = {"reply_id": "r1-a", "reference": first_key, "text": "第一轮答复。"}
    assert post(client, payload).status_code == 200
    issue_evaluate(issue_id=issue.pk, rating="unsatisfied", comment="还是没修好")
    send_back(world, issue)
    # The platform retries the same reply (our first answer was lost): a new signature, same id.
    again = post(client, payload, timestamp=str(int(time.time()) + 1))
    assert again.status_code == 200 and again.json() == {"status": "duplicate"}
    assert Issue.objects.get(pk=issue.pk).state == State.ASSIGNED


def test_staff_answering_directly_is_not_bound_to_a_round(world):
    issue = reopened_case(world)
    replied = issue_reply(actor=Actor.of(world.station_staff), issue_id=issue.pk, text="站内直接答复。")
    assert replied.state == State.REPLIED


@pytest.mark.parametrize(
    "payload",
    [
        {"reply_id": None, "reference": "REF", "text": "t"},
        {"reply_id": 17, "reference": "REF", "text": "t"},
        {"reply_id": "", "reference": "REF", "text": "t"},
        {"reply_id": "x" * 65, "reference": "REF", "text": "t"},
        {"reply_id": "a\x00b", "reference": "REF", "text": "t"},
        {"reply_id": "r", "reference": "REF\x00", "text": "t"},
        {"reply_id": "r", "reference": "REF", "text": "答复\x00"},
        {"reply_id": "r", "reference": "REF", "text": ["not", "text"]},
        ["reply_id", "reference", "text"],
        "just a string",
    ],
    ids=["null-id", "number-id", "empty-id", "long-id", "nul-id", "nul-ref", "nul-text", "list-text", "list", "string"],
)
def test_a_callback_with_an_odd_value_is_refused_with_400_and_changes_nothing(client, world, payload):
    issue = reopened_case(world)
    key = Forwarding.objects.get(issue=issue).key
    if isinstance(payload, dict):
        payload = {name: key if value == "REF" else value for name, value in payload.items()}
    response = post(client, payload)
    assert response.status_code == 400
    assert Issue.objects.get(pk=issue.pk).state == State.ASSIGNED
    assert not PlatformCallback.objects.exists()


@pytest.mark.parametrize("timestamp", ["nan", "NaN", "inf", "-inf", "1e400", "", "soon"])
def test_a_callback_whose_timestamp_is_not_a_finite_time_is_refused(client, world, timestamp):
    issue = reopened_case(world)
    payload = {"reply_id": "r", "reference": Forwarding.objects.get(issue=issue).key, "text": "t"}
    response = post(client, payload, timestamp=timestamp)
    assert response.status_code in (400, 401)
    assert Issue.objects.get(pk=issue.pk).state == State.ASSIGNED


def test_deeply_nested_json_in_a_callback_is_a_400_not_a_500(client, world):
    response = post_body(client, b"[" * 5000 + b"]" * 5000)
    assert response.status_code == 400
    response = post_body(client, b'{"a":' * 5000 + b"1" + b"}" * 5000)
    assert response.status_code == 400
