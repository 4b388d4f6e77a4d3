"""Forwarding without a broker: the outbox, the drain command against the stub over real HTTP
(pytest-django's live server), signed callbacks, and deadline reminders."""

import datetime
import json
import time
from io import StringIO
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.management import call_command
from django.urls import reverse

from governance_stub import services as stub
from governance_stub.models import PlatformCase, PlatformReply
from issues import forwarding
from issues.models import Action, Forwarding, Issue, Notification, State
from issues.notifications import send_deadline_reminders
from issues.permissions import Actor
from issues.platform_callbacks import callback_signature
from issues.services import issue_accept, issue_assign, issue_reply, issue_review
from liaison.errors import ActionForbidden, IssueNotFound

SECRET = "callback-secret-for-tests"
TOKEN = "platform-token-for-tests"
SHANGHAI = ZoneInfo("Asia/Shanghai")


@pytest.fixture
def platform_settings(settings):
    settings.GOVERNANCE_CALLBACK_SECRET = SECRET
    settings.GOVERNANCE_PLATFORM_TOKEN = TOKEN
    settings.GOVERNANCE_RETRY_BASE_SECONDS = 0.01
    settings.GOVERNANCE_RETRY_MAX_SECONDS = 0.02
    return settings


def assigned_case(world) -> Issue:
    staff = Actor.of(world.station_staff)
    issue = world.submit()
    issue_accept(actor=staff, issue_id=issue.pk)
    issue_review(actor=staff, issue_id=issue.pk)
    return issue_assign(actor=staff, issue_id=issue.pk, department_id=world.department.pk)


def signed_post(client, payload: dict, *, timestamp: str | None = None, secret: str = SECRET):
    body = json.dumps(payload).encode()
    timestamp = timestamp or str(int(time.time()))
    return client.post(
        reverse("governance-callback"),
        data=body,
        content_type="application/json",
        headers={
            "X-Platform-Timestamp": timestamp,
            "X-Platform-Signature": callback_signature(secret, timestamp, body),
        },
    )


def reply_payload(issue, reply_id="r-1", text="已安排维修，本周内完成。"):
    return {"reply_id": reply_id, "reference": issue.forwardings.get().key, "text": text}


def test_assigning_writes_one_outbox_row_in_the_same_transaction(world):
    issue = assigned_case(world)
    forwarding_row = Forwarding.objects.get(issue=issue)
    assert forwarding_row.status == Forwarding.Status.PENDING
    assert forwarding_row.key == f"liaison-{issue.pk}-r1"


def test_an_unsatisfied_case_goes_out_again_only_when_staff_send_it_back_with_instructions(world, platform_settings):
    from issues.services import issue_evaluate

    issue = assigned_case(world)
    issue_reply(actor=Actor.of(world.station_staff), issue_id=issue.pk, text="已处理。")
    issue_evaluate(issue_id=issue.pk, rating="unsatisfied", comment="灯还是不亮")
    issue.refresh_from_db()
    assert (issue.state, issue.round) == (State.REVIEWED, 2)  # at the station: a person decides
    assert list(Forwarding.objects.filter(issue=issue).values_list("round", flat=True)) == [1]
    issue_assign(
        actor=Actor.of(world.station_staff),
        issue_id=issue.pk,
        department_id=world.department.pk,
        instructions="请换新灯具，并当面回复村民。",
    )
    assert list(Forwarding.objects.filter(issue=issue).order_by("round").values_list("round", flat=True)) == [1, 2]
    assert (
        forwarding._payload(Forwarding.objects.get(issue=issue, round=2))["instructions"]
        == "请换新灯具，并当面回复村民。"
    )
    assert forwarding._payload(Forwarding.objects.get(issue=issue, round=1))["instructions"] == ""


def test_drain_outbox_sends_cases_to_the_stub_over_http_without_a_broker(world, live_server, platform_settings):
    platform_settings.GOVERNANCE_PLATFORM_URL = f"{live_server.url}/governance-stub/"
    platform_settings.PUBLIC_BASE_URL = live_server.url
    issues = [assigned_case(world) for _ in range(3)]

    out = StringIO()
    call_command("drain_outbox", "--wait", "--timeout", "30", stdout=out)

    assert "delivered=3" in out.getvalue()
    assert PlatformCase.objects.count() == 3
    for issue in issues:
        row = Forwarding.objects.get(issue=issue)
        assert row.platform_case_id == str(PlatformCase.objects.get(idempotency_key=row.key).pk)
        assert PlatformCase.objects.get(idempotency_key=row.key).department == world.department.name


def test_sending_the_same_row_twice_creates_one_platform_case(world, live_server, platform_settings):
    platform_settings.GOVERNANCE_PLATFORM_URL = f"{live_server.url}/governance-stub/"
    issue = assigned_case(world)
    row = Forwarding.objects.get(issue=issue)
    forwarding.forwarding_send(row.pk)
    Forwarding.objects.filter(pk=row.pk).update(status=Forwarding.Status.PENDING)  # as if the ack were lost
    forwarding.forwarding_send(row.pk)
    assert PlatformCase.objects.filter(idempotency_key=row.key).count() == 1


def test_the_stubs_answer_comes_back_as_a_signed_callback_and_the_case_is_replied(
    world, live_server, platform_settings
):
    platform_settings.GOVERNANCE_PLATFORM_URL = f"{live_server.url}/governance-stub/"
    platform_settings.PUBLIC_BASE_URL = live_server.url
    issue = assigned_case(world)
    forwarding.drain(wait=True, timeout=30)
    case = PlatformCase.objects.get()

    reply = stub.case_answer(case=case, text="城建办已更换路灯。", handler="王工")
    # Tasks run eagerly in this test: the stub's delivery task has already called us back.
    assert PlatformReply.objects.get(pk=reply.pk).delivered_at is not None
    assert stub.reply_deliver(reply.pk) is False  # delivered rows are never sent again

    issue.refresh_from_db()
    assert issue.state == State.REPLIED
    assert issue.reply_text == "城建办已更换路灯。"
    assert (
        issue.events.filter(action=Action.REPLY, actor_kind="platform", external_ref=str(reply.reply_id)).count() == 1
    )
    assert PlatformReply.objects.get(pk=reply.pk).delivered_at is not None


def test_a_platform_failure_schedules_a_retry_and_the_last_one_fails_and_alerts_staff(world, platform_settings):
    platform_settings.GOVERNANCE_PLATFORM_URL = "http://127.0.0.1:9/governance-stub/"  # nothing listens
    platform_settings.GOVERNANCE_MAX_ATTEMPTS = 2
    issue = assigned_case(world)
    row = Forwarding.objects.get(issue=issue)

    delay = forwarding.forwarding_send(row.pk)
    row.refresh_from_db()
    assert delay is not None and row.status == Forwarding.Status.PENDING and row.attempts == 1
    assert row.last_error.startswith("connection failed")

    Forwarding.objects.filter(pk=row.pk).update(next_attempt_at=row.next_attempt_at - datetime.timedelta(hours=1))
    assert forwarding.forwarding_send(row.pk) is None
    row.refresh_from_db()
    assert row.status == Forwarding.Status.FAILED
    alert = Notification.objects.get(user=world.station_staff, kind=Notification.Kind.FORWARDING_FAILED)
    assert issue.short_code in alert.message


def test_staff_can_retry_a_failed_forwarding_but_township_staff_and_other_deputies_cannot(world, platform_settings):
    issue = assigned_case(world)
    row = Forwarding.objects.get(issue=issue)
    Forwarding.objects.filter(pk=row.pk).update(status=Forwarding.Status.FAILED, attempts=10)

    with pytest.raises(ActionForbidden):
        forwarding.forwarding_retry_now(actor=Actor.of(world.township_staff), forwarding_id=row.pk)
    with pytest.raises(IssueNotFound):
        forwarding.forwarding_retry_now(actor=Actor.of(world.deputy_b_user), forwarding_id=row.pk)
    forwarding.forwarding_retry_now(actor=Actor.of(world.station_staff), forwarding_id=row.pk)
    row.refresh_from_db()
    assert (row.status, row.attempts) == (Forwarding.Status.PENDING, 0)


def test_a_good_callback_replies_the_case_once_even_when_delivered_again(world, client, platform_settings):
    issue = assigned_case(world)
    now = int(time.time())
    assert signed_post(client, reply_payload(issue), timestamp=str(now)).json() == {"status": "applied"}
    # The platform delivers again (our first 2xx was lost): a fresh timestamp, the same reply id.
    assert signed_post(client, reply_payload(issue), timestamp=str(now + 1)).json() == {"status": "duplicate"}
    issue.refresh_from_db()
    assert issue.state == State.REPLIED
    assert issue.events.filter(action=Action.REPLY).count() == 1


@pytest.mark.parametrize(
    ("tamper", "status"),
    [
        ("bad_signature", 401),
        ("old_timestamp", 401),
        ("replay", 409),
        ("unknown_case", 404),
        ("malformed", 400),
    ],
)
def test_forged_expired_replayed_or_unknown_callbacks_are_refused_and_change_nothing(
    world, client, platform_settings, tamper, status
):
    issue = assigned_case(world)
    events_before = issue.events.count()
    payload = reply_payload(issue)
    if tamper == "bad_signature":
        response = signed_post(client, payload, secret="not-the-secret")
    elif tamper == "old_timestamp":
        response = signed_post(client, payload, timestamp=str(int(time.time()) - 3600))
    elif tamper == "unknown_case":
        response = signed_post(client, {**payload, "reference": "liaison-999999-r1"})
    elif tamper == "malformed":
        response = signed_post(client, {"reply_id": "x"})
    else:
        body = json.dumps(payload).encode()
        timestamp = str(int(time.time()))
        headers = {
            "X-Platform-Timestamp": timestamp,
            "X-Platform-Signature": callback_signature(SECRET, timestamp, body),
        }
        url = reverse("governance-callback")
        assert client.post(url, data=body, content_type="application/json", headers=headers).status_code == 200
        events_before = Issue.objects.get(pk=issue.pk).events.count()
        response = client.post(url, data=body, content_type="application/json", headers=headers)
    assert response.status_code == status
    assert "error" in response.json()
    assert Issue.objects.get(pk=issue.pk).events.count() == events_before


def test_the_stub_refuses_requests_without_its_token_and_needs_an_idempotency_key(client, settings, db):
    settings.GOVERNANCE_PLATFORM_TOKEN = TOKEN
    url = "/governance-stub/api/cases/"
    body = {"title": "t", "content": "c", "callback_url": "http://127.0.0.1:1/cb/"}
    assert client.post(url, body, content_type="application/json").status_code == 401
    auth = {"Authorization": f"Bearer {TOKEN}"}
    assert client.post(url, body, content_type="application/json", headers=auth).status_code == 400
    first = client.post(url, body, content_type="application/json", headers={**auth, "Idempotency-Key": "k"})
    again = client.post(url, body, content_type="application/json", headers={**auth, "Idempotency-Key": "k"})
    assert (first.status_code, again.status_code) == (201, 200)
    assert first.json()["id"] == again.json()["id"]


def test_reminders_go_out_once_per_case_and_threshold_across_a_deadline(world):
    with time_machine.travel(datetime.datetime(2026, 3, 2, 9, 0, tzinfo=SHANGHAI), tick=False) as clock:
        issue = world.submit()  # Monday: accept by the end of Tuesday
        assert send_deadline_reminders() == 0  # more than 24 hours ahead

        clock.move_to(datetime.datetime(2026, 3, 3, 9, 0, tzinfo=SHANGHAI))
        first = send_deadline_reminders()
        assert first == 2  # the station's staff and the deputy the case was sent to
        assert send_deadline_reminders() == 0  # never the same reminder twice

        clock.move_to(datetime.datetime(2026, 3, 4, 9, 0, tzinfo=SHANGHAI))
        assert send_deadline_reminders() == 2
        assert send_deadline_reminders() == 0

    kinds = sorted(Notification.objects.filter(issue=issue).values_list("kind", "user__username"))
    assert kinds == [
        ("due_soon", "deputy_a"),
        ("due_soon", "station_staff"),
        ("overdue", "deputy_a"),
        ("overdue", "station_staff"),
    ]
    assert not Notification.objects.filter(user__in=[world.deputy_b_user, world.township_staff]).exists()


def test_the_stub_never_answers_a_case_twice_automatically(db, settings):
    settings.GOVERNANCE_STUB_AUTO_REPLY_SECONDS = 0
    case, _ = stub.case_create(
        key="k-auto", data={"title": "t", "content": "c", "callback_url": "http://127.0.0.1:9/cb/"}
    )
    assert stub.case_answer(case=case, text="first", only_if_handling=True) is not None
    assert stub.case_answer(case=case, text="second", only_if_handling=True) is None
    assert PlatformReply.objects.filter(case=case).count() == 1


def test_the_sweeper_enqueues_a_waiting_row_again_at_most_once_per_grace_period(world, settings, monkeypatch):
    from issues import clock

    settings.GOVERNANCE_SWEEP_GRACE_SECONDS = 60
    issue = assigned_case(world)
    sent = []
    monkeypatch.setattr(forwarding, "enqueue", sent.append)  # the queue, not a worker
    row = Forwarding.objects.get(issue=issue)
    Forwarding.objects.filter(pk=row.pk).update(status=Forwarding.Status.PENDING, next_attempt_at=clock.now())
    assert forwarding.sweep() == 0  # just due: not presumed lost yet

    later = clock.now() + datetime.timedelta(seconds=61)
    with clock.frozen_at(later):
        assert forwarding.sweep() == 1
        assert forwarding.sweep() == 0  # still waiting in the queue: not copied again
    with clock.frozen_at(later + datetime.timedelta(seconds=61)):
        assert forwarding.sweep() == 1
    assert sent == [row.pk, row.pk]
