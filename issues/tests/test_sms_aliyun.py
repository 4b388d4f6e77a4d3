"""The Aliyun adapter (the official SDK) against a local fake of the provider's endpoint, which
recomputes each request's V3 signature (ACS3-HMAC-SHA256) as the provider documents it: accepted
when signed right, refused when not, throttling and refused templates each with their own
outcome, and never a second text after a lost answer."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from issues.models import Notification, State
from issues.sms import outbox
from issues.sms.aliyun import AliyunBackend, sdk_config
from issues.sms.backends import Outgoing, SmsError
from issues.sms.models import SmsMessage
from issues.tests.lifecycle import drive_to
from testsupport.sms_fake import FakeAliyun

SHANGHAI = ZoneInfo("Asia/Shanghai")
MONDAY_TEN = datetime(2025, 6, 9, 10, 0, tzinfo=SHANGHAI)
PHONE = "13800138000"
CODES = ["accepted=SMS_100001", "assigned=SMS_100002", "replied=SMS_100003", "rejected=SMS_100004"]


@pytest.fixture
def fake(settings):
    with FakeAliyun(key_id="LTAI-test", secret="secret-for-tests", templates={"SMS_100001", "SMS_100002"}) as fake:
        settings.SMS_BACKEND = "aliyun"
        settings.SMS_ALIYUN_ENDPOINT = fake.url
        settings.SMS_ALIYUN_ACCESS_KEY_ID = "LTAI-test"
        settings.SMS_ALIYUN_ACCESS_KEY_SECRET = "secret-for-tests"
        settings.SMS_ALIYUN_TEMPLATE_CODES = CODES
        settings.SMS_PROVIDER_TIMEOUT = 0.5
        settings.SMS_RETRY_BASE_SECONDS = 0.01
        settings.SMS_RETRY_MAX_SECONDS = 0.02
        yield fake


def outgoing(key="liaison-sms-1", template="accepted") -> Outgoing:
    return Outgoing(
        key=key,
        to=PHONE,
        template=template,
        params={"code": "K7QM-3XPA", "track": "abc"},
        text="…",
        tracking_code="abc",
    )


def test_the_endpoint_setting_becomes_the_sdks_protocol_and_host():
    real = sdk_config("https://dysmsapi.aliyuncs.com/", "id", "secret")
    assert (real.protocol, real.endpoint) == ("HTTPS", "dysmsapi.aliyuncs.com")
    local = sdk_config("http://127.0.0.1:8081/", "id", "secret")
    assert (local.protocol, local.endpoint) == ("HTTP", "127.0.0.1:8081")
    assert sdk_config("dysmsapi.aliyuncs.com", "id", "secret").protocol == "HTTPS"


def test_an_endpoint_that_is_not_an_http_address_is_a_permanent_failure():
    with pytest.raises(SmsError) as refused:
        sdk_config("ftp://dysmsapi.aliyuncs.com/", "id", "secret")
    assert not refused.value.retryable


def test_a_signed_request_is_accepted_by_the_fake_provider(fake):
    provider_id = AliyunBackend().send(outgoing())
    assert provider_id == "biz-1"
    [accepted] = fake.accepted
    assert accepted["PhoneNumbers"] == PHONE
    assert accepted["TemplateCode"] == "SMS_100001"
    assert accepted["OutId"] == "liaison-sms-1"
    assert accepted["TemplateParam"] == '{"code": "K7QM-3XPA", "track": "abc"}'
    assert fake.rejected_signatures == 0
    assert fake.last_headers["authorization"].startswith("ACS3-HMAC-SHA256 Credential=LTAI-test,SignedHeaders=")
    assert fake.last_headers["x-acs-action"] == "SendSms"


def test_an_unknown_access_key_is_refused_and_not_retried(fake, settings):
    settings.SMS_ALIYUN_ACCESS_KEY_ID = "LTAI-someone-else"
    with pytest.raises(SmsError) as refused:
        AliyunBackend().send(outgoing())
    assert "InvalidAccessKeyId.NotFound" in str(refused.value)
    assert not refused.value.retryable
    assert fake.accepted == []


def test_an_unconfigured_access_key_fails_without_calling_the_provider(fake, settings):
    settings.SMS_ALIYUN_ACCESS_KEY_SECRET = ""
    with pytest.raises(SmsError) as refused:
        AliyunBackend().send(outgoing())
    assert not refused.value.retryable
    assert fake.requests == 0


def test_a_request_signed_with_the_wrong_secret_is_refused_and_not_retried(fake, settings):
    settings.SMS_ALIYUN_ACCESS_KEY_SECRET = "not-the-secret"
    with pytest.raises(SmsError) as refused:
        AliyunBackend().send(outgoing())
    assert "SignatureDoesNotMatch" in str(refused.value)
    assert not refused.value.retryable
    assert fake.accepted == []
    assert fake.rejected_signatures == 1


def test_a_template_the_provider_rejects_fails_without_retrying(fake):
    with pytest.raises(SmsError) as refused:
        AliyunBackend().send(outgoing(template="replied"))  # SMS_100003 is not registered there
    assert "isv.SMS_TEMPLATE_ILLEGAL" in str(refused.value)
    assert not refused.value.retryable


def test_a_template_without_a_code_fails_without_calling_the_provider(fake):
    with pytest.raises(SmsError) as refused:
        AliyunBackend().send(outgoing(template="closed"))
    assert not refused.value.retryable
    assert fake.requests == 0


def test_throttling_is_retried_later(fake):
    fake.throttle_next = 1
    with pytest.raises(SmsError) as throttled:
        AliyunBackend().send(outgoing())
    assert throttled.value.retryable
    assert throttled.value.retry_after == 60.0


def test_a_provider_failure_and_an_unreachable_provider_are_retryable(fake, settings):
    fake.failure_rate = 1.0
    with pytest.raises(SmsError) as failed:
        AliyunBackend().send(outgoing())
    assert failed.value.retryable
    settings.SMS_ALIYUN_ENDPOINT = "http://127.0.0.1:9/"  # nothing listens there
    with pytest.raises(SmsError) as unreachable:
        AliyunBackend().send(outgoing())
    assert unreachable.value.retryable
    assert str(unreachable.value) == "connection failed"  # not the SDK's text, which quotes the phone number


def test_the_lookup_finds_a_message_the_provider_accepted_before(fake):
    backend = AliyunBackend()
    assert backend.lookup(outgoing(), since=MONDAY_TEN) is None
    backend.send(outgoing())
    assert backend.lookup(outgoing(), since=MONDAY_TEN) == "liaison-sms-1"  # the record carries our OutId


def test_an_answer_lost_after_acceptance_never_becomes_a_second_text(world, fake, time_machine):
    time_machine.move_to(MONDAY_TEN)
    fake.lost_answer_rate = 1.0
    fake.hang_seconds = 1.0  # longer than SMS_PROVIDER_TIMEOUT
    issue = drive_to(world, State.ACCEPTED, submitter_phone=PHONE, sms_consent=True)
    message = SmsMessage.objects.get(issue=issue)
    assert outbox.sms_send(message.pk) is not None  # timed out: a retry is scheduled
    fake.lost_answer_rate = 0.0
    outbox.drain(wait=True, timeout=10)
    message.refresh_from_db()
    assert message.status == SmsMessage.Status.SENT
    assert fake.counts() == {message.key: 1}


def test_the_whole_way_through_the_outbox_sends_each_step_once(world, fake, settings, time_machine):
    time_machine.move_to(MONDAY_TEN)
    settings.SMS_MAX_ATTEMPTS = 30  # 0.3^30: no message runs out of attempts
    fake.templates = None
    fake.failure_rate = 0.3
    issue = drive_to(world, State.REPLIED, submitter_phone=PHONE, sms_consent=True)
    outbox.drain(wait=True, timeout=20)
    keys = list(SmsMessage.objects.filter(issue=issue).values_list("key", flat=True))
    assert len(keys) == 3
    assert set(SmsMessage.objects.filter(issue=issue).values_list("status", flat=True)) == {SmsMessage.Status.SENT}
    assert fake.counts() == dict.fromkeys(keys, 1)


def test_a_throttled_text_waits_in_the_outbox_and_goes_once_later(world, fake, time_machine):
    time_machine.move_to(MONDAY_TEN, tick=False)
    fake.throttle_next = 1
    issue = drive_to(world, State.ACCEPTED, submitter_phone=PHONE, sms_consent=True)
    message = SmsMessage.objects.get(issue=issue)
    delay = outbox.sms_send(message.pk)
    assert delay >= 60.0  # the provider's flow control, not the short backoff
    message.refresh_from_db()
    assert message.status == SmsMessage.Status.PENDING
    assert "isv.BUSINESS_LIMIT_CONTROL" in message.last_error
    assert outbox.sms_send(message.pk) is None  # not due yet: nothing is sent
    assert fake.accepted == []
    time_machine.move_to(message.next_attempt_at, tick=False)
    outbox.sms_send(message.pk)
    message.refresh_from_db()
    assert message.status == SmsMessage.Status.SENT
    assert fake.counts() == {message.key: 1}


def test_a_template_the_provider_refuses_fails_at_once_and_staff_are_told(world, fake, settings, time_machine):
    time_machine.move_to(MONDAY_TEN)
    settings.SMS_ALIYUN_TEMPLATE_CODES = ["accepted=SMS_999999"]  # not registered at the provider
    issue = drive_to(world, State.ACCEPTED, submitter_phone=PHONE, sms_consent=True)
    message = SmsMessage.objects.get(issue=issue)
    assert outbox.sms_send(message.pk) is None
    message.refresh_from_db()
    assert message.status == SmsMessage.Status.FAILED
    assert message.attempts == 1
    assert "isv.SMS_TEMPLATE_ILLEGAL" in message.last_error
    assert Notification.objects.filter(issue=issue, kind=Notification.Kind.SMS_FAILED).exists()
    outbox.drain(wait=False)
    assert fake.requests == 1  # never tried again
