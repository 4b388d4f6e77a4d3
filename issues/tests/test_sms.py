"""Texts to the villager: exactly the right message for every step, only with consent and a
mobile number, held in the quiet hours, capped per number per day, stopped on request, retried
without ever going twice, and the phone masked in every log line."""

import json
import logging
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse

from issues import services
from issues.models import Issue, Notification, Rating, State
from issues.permissions import VILLAGER
from issues.sms import outbox
from issues.sms.backends import FileBackend, SmsError
from issues.sms.models import SmsMessage, SmsOptOut
from issues.sms.service import send_rating_reminders, sms_opt_out
from issues.sms.templates import SECONDER_TEMPLATES, TEMPLATES, render
from issues.tests.lifecycle import EVALUATION_COMMENT, REOPEN_REASON, drive_to

SHANGHAI = ZoneInfo("Asia/Shanghai")
PHONE = "13800138000"
# A Monday, working days around it, in the daytime.
MONDAY_TEN = datetime(2025, 6, 9, 10, 0, tzinfo=SHANGHAI)
Status = SmsMessage.Status


@pytest.fixture
def sms_file(settings, tmp_path):
    settings.SMS_BACKEND = "file"
    settings.SMS_FILE_PATH = str(tmp_path / "sms.jsonl")
    settings.SMS_RETRY_BASE_SECONDS = 0.01
    settings.SMS_RETRY_MAX_SECONDS = 0.02
    return tmp_path / "sms.jsonl"


def lines(path) -> list[dict]:
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def consenting(**extra) -> dict:
    return {"submitter_phone": PHONE, "sms_consent": True, **extra}


def templates_of(issue) -> list[str]:
    return list(SmsMessage.objects.filter(issue=issue).order_by("pk").values_list("template", flat=True))


def unsatisfied(world, issue):
    return services.issue_evaluate(
        actor=VILLAGER, issue_id=issue.pk, rating=Rating.UNSATISFIED, comment=EVALUATION_COMMENT
    )


def reopen_closed(world, issue):
    return services.issue_reopen(actor=world.actor("station_staff"), issue_id=issue.pk, reason=REOPEN_REASON)


# Where a case ends up, and every text the villager got on the way there, in order.
JOURNEYS = [
    ("submitted", State.SUBMITTED, None, []),
    ("accepted", State.ACCEPTED, None, ["accepted"]),
    ("rejected", State.REJECTED, None, ["rejected"]),
    ("reviewed", State.REVIEWED, None, ["accepted"]),
    ("assigned", State.ASSIGNED, None, ["accepted", "assigned"]),
    ("replied", State.REPLIED, None, ["accepted", "assigned", "replied"]),
    ("rated satisfied", State.EVALUATED, None, ["accepted", "assigned", "replied", "closed"]),
    ("closed unrated", State.CLOSED, None, ["accepted", "assigned", "replied", "closed"]),
    ("rated unsatisfied", State.REPLIED, unsatisfied, ["accepted", "assigned", "replied", "reopened"]),
    (
        "closed, then reopened by staff",
        State.CLOSED,
        reopen_closed,
        ["accepted", "assigned", "replied", "closed", "reopened"],
    ),
]


@pytest.mark.parametrize(("target", "then", "expected"), [j[1:] for j in JOURNEYS], ids=[j[0] for j in JOURNEYS])
def test_every_step_writes_exactly_the_texts_the_villager_should_get(world, target, then, expected):
    issue = drive_to(world, target, **consenting())
    if then is not None:
        then(world, issue)
    assert templates_of(issue) == expected
    for message in SmsMessage.objects.filter(issue=issue):
        assert message.phone == PHONE
        assert message.status == Status.PENDING
        render(message.template, message.params)  # every variable of the template is there


def test_the_texts_carry_the_reason_the_department_and_the_new_deadline(world):
    rejected = drive_to(world, State.REJECTED, **consenting())
    assert SmsMessage.objects.get(issue=rejected).params["reason"] == "此事不属于联络站受理范围。"
    assigned = drive_to(world, State.ASSIGNED, **consenting())
    assert SmsMessage.objects.get(issue=assigned, template="assigned").params["department"] == world.department.name
    replied = drive_to(world, State.REPLIED, **consenting())
    unsatisfied(world, replied)
    replied.refresh_from_db()
    reopened = SmsMessage.objects.get(issue=replied, template="reopened")
    local = replied.deadline.astimezone(SHANGHAI)
    assert reopened.params["deadline"] == f"{local:%m月%d日}"


def test_a_villager_without_consent_or_without_a_number_gets_nothing(world):
    no_consent = drive_to(world, State.REPLIED, submitter_phone=PHONE)
    no_number = drive_to(world, State.REPLIED, sms_consent=True)
    assert not no_number.sms_consent
    assert SmsMessage.objects.filter(issue__in=[no_consent, no_number]).count() == 0


def test_a_number_that_opted_out_gets_nothing_new_and_its_waiting_texts_are_cancelled(world, sms_file):
    issue = drive_to(world, State.ACCEPTED, **consenting())
    assert sms_opt_out(issue=issue)
    services.issue_review(actor=world.actor("station_staff"), issue_id=issue.pk)
    services.issue_assign(actor=world.actor("station_staff"), issue_id=issue.pk, department_id=world.department.pk)
    assert templates_of(issue) == ["accepted"]
    assert SmsMessage.objects.get(issue=issue).status == Status.CANCELLED
    other_case = drive_to(world, State.ACCEPTED, **consenting())  # the same number, another case
    assert templates_of(other_case) == []
    outbox.drain()
    assert lines(sms_file) == []


def test_a_text_written_before_the_opt_out_is_not_sent_after_it(world, sms_file, time_machine):
    time_machine.move_to(MONDAY_TEN, tick=False)  # daytime: not held for the quiet hours
    issue = drive_to(world, State.ACCEPTED, **consenting())
    SmsOptOut.objects.create(phone=PHONE)  # e.g. a second tab stopped them meanwhile
    message = SmsMessage.objects.get(issue=issue)
    assert outbox.sms_send(message.pk) is None
    message.refresh_from_db()
    assert message.status == Status.CANCELLED
    assert lines(sms_file) == []


def test_the_file_backend_writes_one_json_line_with_the_rating_link(world, sms_file, settings, time_machine):
    time_machine.move_to(MONDAY_TEN, tick=False)
    issue = drive_to(world, State.REPLIED, **consenting())
    counts = outbox.drain()
    assert counts[Status.SENT] == 3
    sent = lines(sms_file)
    assert [line["template"] for line in sent] == ["accepted", "assigned", "replied"]
    answered = sent[-1]
    link = f"{settings.PUBLIC_BASE_URL}/t/{issue.tracking_code}/"
    assert answered["to"] == PHONE
    assert answered["tracking_code"] == issue.tracking_code
    assert answered["params"] == {"code": issue.short_code, "track": issue.tracking_code}
    assert answered["text"].startswith(f"【{settings.SMS_SIGN_NAME}】")
    assert link in answered["text"]
    assert datetime.fromisoformat(answered["sent_at"]) == MONDAY_TEN
    assert reverse("public:track", args=[issue.tracking_code]) in link
    assert all(m.sent_at == MONDAY_TEN for m in SmsMessage.objects.filter(issue=issue))


@pytest.mark.parametrize(
    ("local_time", "released"),
    [
        (datetime(2025, 6, 9, 21, 0, tzinfo=SHANGHAI), datetime(2025, 6, 10, 8, 0, tzinfo=SHANGHAI)),
        (datetime(2025, 6, 9, 23, 59, tzinfo=SHANGHAI), datetime(2025, 6, 10, 8, 0, tzinfo=SHANGHAI)),
        (datetime(2025, 6, 10, 0, 30, tzinfo=SHANGHAI), datetime(2025, 6, 10, 8, 0, tzinfo=SHANGHAI)),
        (datetime(2025, 6, 10, 7, 59, tzinfo=SHANGHAI), datetime(2025, 6, 10, 8, 0, tzinfo=SHANGHAI)),
        (datetime(2025, 6, 10, 8, 0, tzinfo=SHANGHAI), datetime(2025, 6, 10, 8, 0, tzinfo=SHANGHAI)),
        (datetime(2025, 6, 10, 20, 59, tzinfo=SHANGHAI), datetime(2025, 6, 10, 20, 59, tzinfo=SHANGHAI)),
    ],
    ids=["21:00", "23:59", "00:30", "07:59", "08:00", "20:59"],
)
def test_a_text_written_in_the_quiet_hours_waits_until_eight(world, sms_file, time_machine, local_time, released):
    issue = world.submit(**consenting())
    time_machine.move_to(local_time, tick=False)
    services.issue_accept(actor=world.actor("station_staff"), issue_id=issue.pk)
    message = SmsMessage.objects.get(issue=issue)
    assert message.next_attempt_at == released
    outbox.drain()
    assert len(lines(sms_file)) == (1 if released == local_time else 0)
    time_machine.move_to(released, tick=False)
    outbox.drain()
    message.refresh_from_db()
    assert message.status == Status.SENT
    assert message.sent_at == released
    assert len(lines(sms_file)) == 1


def test_a_retry_that_falls_into_the_quiet_hours_is_held_not_sent(world, sms_file, time_machine):
    time_machine.move_to(datetime(2025, 6, 9, 20, 0, tzinfo=SHANGHAI), tick=False)
    issue = drive_to(world, State.ACCEPTED, **consenting())
    message = SmsMessage.objects.get(issue=issue)
    time_machine.move_to(datetime(2025, 6, 9, 22, 0, tzinfo=SHANGHAI), tick=False)
    delay = outbox.sms_send(message.pk)
    message.refresh_from_db()
    assert (message.status, message.attempts, message.last_error) == (Status.PENDING, 0, "held for the quiet hours")
    assert message.next_attempt_at == datetime(2025, 6, 10, 8, 0, tzinfo=SHANGHAI)
    assert delay == 10 * 3600
    assert lines(sms_file) == []


def test_past_the_daily_cap_a_number_gets_the_rest_the_next_morning(world, sms_file, settings, time_machine):
    settings.SMS_DAILY_CAP_PER_PHONE = 2
    time_machine.move_to(MONDAY_TEN, tick=False)
    issue = drive_to(world, State.REPLIED, **consenting())  # accepted, assigned, replied: three
    outbox.drain()
    assert [line["template"] for line in lines(sms_file)] == ["accepted", "assigned"]
    held = SmsMessage.objects.get(issue=issue, template="replied")
    assert held.status == Status.PENDING
    assert held.next_attempt_at == datetime(2025, 6, 10, 8, 0, tzinfo=SHANGHAI)
    assert "daily limit" in held.last_error
    time_machine.move_to(datetime(2025, 6, 10, 8, 0, tzinfo=SHANGHAI), tick=False)
    outbox.drain()
    assert [line["template"] for line in lines(sms_file)] == ["accepted", "assigned", "replied"]


class FlakyBackend:
    """Fails as told, and remembers what it accepted (like a provider would)."""

    plan: list[str] = []
    accepted: list[str] = []

    def send(self, sms):
        step = FlakyBackend.plan.pop(0) if FlakyBackend.plan else "ok"
        if step == "fail":
            raise SmsError("HTTP 503", retryable=True)
        if step == "refuse":
            raise SmsError("isv.SMS_TEMPLATE_ILLEGAL: 模板不合法", retryable=False)
        FlakyBackend.accepted.append(sms.key)
        if step == "accept-then-timeout":
            raise SmsError("timeout", retryable=True)
        return f"id-{len(FlakyBackend.accepted)}"

    def lookup(self, sms, since):
        return "found" if sms.key in FlakyBackend.accepted else None


@pytest.fixture
def flaky(settings):
    settings.SMS_BACKEND = "issues.tests.test_sms.FlakyBackend"
    settings.SMS_RETRY_BASE_SECONDS = 0.01
    settings.SMS_RETRY_MAX_SECONDS = 0.02
    settings.SMS_MAX_ATTEMPTS = 3
    FlakyBackend.plan, FlakyBackend.accepted = [], []
    return FlakyBackend


def test_a_failed_attempt_is_retried_with_backoff_and_sent_once(world, flaky, time_machine):
    time_machine.move_to(MONDAY_TEN)
    issue = drive_to(world, State.ACCEPTED, **consenting())
    message = SmsMessage.objects.get(issue=issue)
    flaky.plan = ["fail"]
    delay = outbox.sms_send(message.pk)
    assert 0 < delay <= 0.2
    message.refresh_from_db()
    assert (message.status, message.attempts, message.last_error) == (Status.PENDING, 1, "HTTP 503")
    outbox.drain(wait=True, timeout=5)
    message.refresh_from_db()
    assert (message.status, message.attempts) == (Status.SENT, 2)
    assert flaky.accepted == [message.key]


def test_a_timeout_after_the_provider_accepted_does_not_send_a_second_text(world, flaky, time_machine):
    time_machine.move_to(MONDAY_TEN)
    issue = drive_to(world, State.ACCEPTED, **consenting())
    flaky.plan = ["accept-then-timeout"]
    outbox.drain(wait=True, timeout=5)
    message = SmsMessage.objects.get(issue=issue)
    assert (message.status, message.provider_id) == (Status.SENT, "found")
    assert flaky.accepted == [message.key]


def test_a_killed_worker_leaves_a_claimed_row_that_is_sent_once_after_its_claim_expires(
    world, flaky, settings, time_machine
):
    time_machine.move_to(MONDAY_TEN, tick=False)
    issue = drive_to(world, State.ACCEPTED, **consenting())
    message = SmsMessage.objects.get(issue=issue)
    # The worker accepted at the provider, then died before writing it down.
    assert outbox._claim(message.pk) is not None
    flaky.accepted.append(message.key)
    assert outbox.sms_send(message.pk) is None  # still claimed: nobody else takes it
    time_machine.move_to(MONDAY_TEN + timedelta(seconds=settings.SMS_CLAIM_SECONDS + 1), tick=False)
    assert outbox.sweep() == 1
    message.refresh_from_db()
    assert (message.status, message.provider_id) == (Status.SENT, "found")  # eager task ran
    assert flaky.accepted == [message.key]


def test_a_refused_template_fails_at_once_and_alerts_the_station(world, flaky, time_machine):
    time_machine.move_to(MONDAY_TEN)
    issue = drive_to(world, State.ACCEPTED, **consenting())
    flaky.plan = ["refuse"]
    outbox.drain(wait=True, timeout=5)
    message = SmsMessage.objects.get(issue=issue)
    assert (message.status, message.attempts) == (Status.FAILED, 1)
    assert "SMS_TEMPLATE_ILLEGAL" in message.last_error
    alerts = Notification.objects.filter(kind=Notification.Kind.SMS_FAILED, issue=issue)
    assert {n.user for n in alerts} == {world.station_staff, world.deputy_a_user}
    assert PHONE not in alerts.first().message


def test_retries_end_after_the_last_attempt_as_failed(world, flaky, time_machine):
    time_machine.move_to(MONDAY_TEN)
    issue = drive_to(world, State.ACCEPTED, **consenting())
    flaky.plan = ["fail"] * 5
    outbox.drain(wait=True, timeout=5)
    message = SmsMessage.objects.get(issue=issue)
    assert (message.status, message.attempts) == (Status.FAILED, 3)
    assert flaky.accepted == []


def test_staff_send_a_failed_text_again_and_others_may_not(
    world, flaky, time_machine, django_capture_on_commit_callbacks
):
    from liaison.errors import ActionForbidden, IssueNotFound

    time_machine.move_to(MONDAY_TEN)
    issue = drive_to(world, State.ACCEPTED, **consenting())
    flaky.plan = ["refuse"]
    outbox.drain()
    message = SmsMessage.objects.get(issue=issue)
    with pytest.raises((ActionForbidden, IssueNotFound)):
        outbox.sms_retry_now(actor=world.actor("deputy_b_user"), message_id=message.pk)
    with django_capture_on_commit_callbacks(execute=True):
        assert outbox.sms_retry_now(actor=world.actor("station_staff"), message_id=message.pk)
    message.refresh_from_db()
    assert message.status == Status.SENT
    assert flaky.accepted == [message.key]


def test_logs_show_the_number_masked_only(world, flaky, caplog, time_machine):
    time_machine.move_to(MONDAY_TEN)
    issue = drive_to(world, State.ACCEPTED, **consenting())
    flaky.plan = ["fail", "refuse"]
    with caplog.at_level(logging.INFO, logger="issues.sms"):
        outbox.drain(wait=True, timeout=5)
    assert SmsMessage.objects.get(issue=issue).status == Status.FAILED
    assert "138****8000" in caplog.text
    assert PHONE not in caplog.text


def test_the_rating_reminder_goes_the_next_working_day_and_the_last_call_before_the_window_ends(
    world, sms_file, settings, time_machine
):
    friday = datetime(2025, 6, 13, 16, 0, tzinfo=SHANGHAI)
    time_machine.move_to(friday, tick=False)
    issue = drive_to(world, State.REPLIED, **consenting())
    assert send_rating_reminders() == 0
    time_machine.move_to(datetime(2025, 6, 14, 12, 0, tzinfo=SHANGHAI), tick=False)  # Saturday
    assert send_rating_reminders() == 0
    time_machine.move_to(datetime(2025, 6, 16, 9, 0, tzinfo=SHANGHAI), tick=False)  # Monday 09:00
    assert send_rating_reminders() == 1
    assert send_rating_reminders() == 0  # never twice
    issue.refresh_from_db()
    time_machine.move_to(issue.deadline - timedelta(hours=settings.SMS_LAST_CALL_HOURS - 1), tick=False)
    assert send_rating_reminders() == 1
    assert send_rating_reminders() == 0
    assert templates_of(issue)[-2:] == ["rate_reminder", "rate_last_call"]
    assert SmsMessage.objects.get(issue=issue, template="rate_last_call").params["deadline"]


def test_a_reminder_waiting_for_the_morning_is_dropped_once_the_villager_rated(world, sms_file, time_machine):
    time_machine.move_to(datetime(2025, 6, 9, 10, 0, tzinfo=SHANGHAI), tick=False)
    issue = drive_to(world, State.REPLIED, **consenting())
    outbox.drain()
    time_machine.move_to(datetime(2025, 6, 10, 9, 0, tzinfo=SHANGHAI), tick=False)
    assert send_rating_reminders() == 1
    services.issue_evaluate(actor=VILLAGER, issue_id=issue.pk, rating=Rating.SATISFIED)
    outbox.drain()
    reminder = SmsMessage.objects.get(issue=issue, template="rate_reminder")
    assert reminder.status == Status.CANCELLED
    assert [line["template"] for line in lines(sms_file)] == ["accepted", "assigned", "replied", "closed"]


def test_the_templates_are_fixed_with_only_the_tracking_code_in_the_link():
    for template in TEMPLATES.values():
        if template.key in SECONDER_TEMPLATES:  # never the case's tracking link, nor its code
            assert "${track}" not in template.body and "/t/" not in template.body
            assert set(template.variables) == {"problem"}
            continue
        assert "{base}/t/${track}/" in template.body
        assert template.body.count("${track}") == 1
        assert set(template.variables) <= {"code", "track", "reason", "department", "deadline"}


def test_the_tracking_page_offers_the_opt_out_and_it_stops_the_texts(world, client):
    issue = drive_to(world, State.ACCEPTED, **consenting())
    url = reverse("public:track", args=[issue.tracking_code])
    stop = reverse("public:sms-stop", args=[issue.tracking_code])
    page = client.get(url).content.decode()
    assert "不再接收短信" in page
    assert stop in page
    assert client.get(stop).status_code == 405
    response = client.post(stop)
    assert response.status_code == 302
    assert SmsOptOut.objects.filter(phone=PHONE).exists()
    page = client.get(response["Location"]).content.decode()
    assert "已为您停止短信提醒" in page
    assert stop not in page
    assert client.post(reverse("public:sms-stop", args=["no-such-code-at-all"])).status_code == 404


def test_the_tracking_page_of_a_case_without_consent_offers_no_opt_out(world, client):
    issue = drive_to(world, State.ACCEPTED, submitter_phone=PHONE)
    page = client.get(reverse("public:track", args=[issue.tracking_code])).content.decode()
    assert "不再接收短信" not in page


def test_the_file_backend_finds_a_message_it_wrote_before(tmp_path):
    from issues.sms.backends import Outgoing

    backend = FileBackend(tmp_path / "out.jsonl")
    sms = Outgoing(key="k-1", to=PHONE, template="accepted", params={}, text="t", tracking_code="c")
    assert backend.lookup(sms, since=MONDAY_TEN) is None
    backend.send(sms)
    assert backend.lookup(sms, since=MONDAY_TEN) == "file:k-1"


def test_a_villager_who_leaves_a_number_on_the_form_with_consent_is_texted(world, client):
    import re

    url = reverse("public:deputy", args=[world.deputy_a.qr_token])
    token = re.search(r'name="token" value="([^"]+)"', client.get(url).content.decode()).group(1)
    data = {"content": "村口路灯坏了三天，晚上看不见路。", "token": token, "phone": "138 0013 8000", "consent": "1"}
    assert client.post(url, data).status_code == 302
    issue = Issue.objects.get()
    assert (issue.sms_consent, issue.submitter_phone) == (True, PHONE)
    services.issue_accept(actor=world.actor("station_staff"), issue_id=issue.pk)
    assert templates_of(issue) == ["accepted"]


def test_an_api_submission_is_texted_only_when_it_says_the_villager_agreed(world, client):
    url = reverse("api:public-issue-submit")
    base = {"deputy_token": world.deputy_a.qr_token, "content": "村口路灯坏了三天，晚上看不见路。", "phone": PHONE}
    silent = client.post(url, base, content_type="application/json")
    agreed = client.post(url, {**base, "sms_consent": True}, content_type="application/json")
    assert (silent.status_code, agreed.status_code) == (201, 201)
    consents = dict(Issue.objects.values_list("tracking_code", "sms_consent"))
    assert consents == {silent.json()["tracking_code"]: False, agreed.json()["tracking_code"]: True}
