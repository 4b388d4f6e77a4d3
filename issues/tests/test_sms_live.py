"""Texts through a real Celery worker on Redis and PostgreSQL to the local fake of the Aliyun
endpoint, under chaos as for forwarding: the provider failing 30% (and losing its answer after
accepting on 10%), the worker SIGKILLed mid-batch, Redis emptied mid-batch. 200 cases each:
every text reaches the provider exactly once."""

import time

import pytest
import redis

from issues.models import State
from issues.permissions import Actor
from issues.services import issue_accept
from issues.sms.models import SmsMessage
from liaison.celery import app as celery_app
from testsupport.processes import make_stack
from testsupport.services import require_postgres, require_redis
from testsupport.sms_fake import FakeAliyun
from testsupport.world import build_world

pytestmark = [pytest.mark.postgres, pytest.mark.redis]

CHAOS_CASES = 200
CODES = "accepted=SMS_1,rejected=SMS_2,assigned=SMS_3,replied=SMS_4,reopened=SMS_5,closed=SMS_6"


@pytest.fixture
def fake():
    with FakeAliyun(key_id="LTAI-chaos", secret="chaos-secret") as fake:
        yield fake


@pytest.fixture
def stack(transactional_db, tmp_path, fake, settings):
    require_postgres()
    require_redis()
    redis.Redis.from_url(settings.REDIS_URL).flushdb()
    # Quiet hours off on both sides: the test runs at any hour of the day.
    settings.SMS_QUIET_START_HOUR = settings.SMS_QUIET_END_HOUR = 0
    eager = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = False
    stack = make_stack(
        tmp_path,
        SMS_BACKEND="aliyun",
        SMS_ALIYUN_ENDPOINT=fake.url,
        SMS_ALIYUN_ACCESS_KEY_ID="LTAI-chaos",
        SMS_ALIYUN_ACCESS_KEY_SECRET="chaos-secret",
        SMS_ALIYUN_TEMPLATE_CODES=CODES,
        SMS_QUIET_START_HOUR="0",
        SMS_QUIET_END_HOUR="0",
        SMS_DAILY_CAP_PER_PHONE="10",
        SMS_PROVIDER_TIMEOUT="1",
        SMS_RETRY_BASE_SECONDS="0.2",
        SMS_RETRY_MAX_SECONDS="2",
        SMS_MAX_ATTEMPTS="50",
        SMS_CLAIM_SECONDS="8",
        SMS_SWEEP_GRACE_SECONDS="3",
        SMS_SWEEP_SECONDS="1",
    )
    stack.start_worker()
    yield stack
    stack.stop()
    celery_app.conf.task_always_eager = eager


def accept_cases(world, count: int) -> list[int]:
    staff = Actor.of(world.station_staff)
    ids = []
    for n in range(count):
        issue = world.submit(content=f"第{n}号：码头护栏松动。", submitter_phone=f"139{n:08d}", sms_consent=True)
        issue_accept(actor=staff, issue_id=issue.pk)
        ids.append(issue.pk)
    return ids


def wait_until(predicate, *, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.25)
    raise AssertionError(f"timed out after {timeout}s waiting for {what}")


def all_sent(ids) -> bool:
    return SmsMessage.objects.filter(issue_id__in=ids, status=SmsMessage.Status.SENT).count() == len(ids)


def assert_each_text_sent_once(fake, ids) -> None:
    keys = set(SmsMessage.objects.filter(issue_id__in=ids).values_list("key", flat=True))
    assert len(keys) == len(ids)
    assert fake.counts() == dict.fromkeys(keys, 1)
    assert fake.rejected_signatures == 0


@pytest.mark.parametrize("fault", ["provider fails 30% and loses 10% of answers", "worker SIGKILLed", "Redis emptied"])
def test_every_text_reaches_the_provider_exactly_once_under_chaos(stack, fake, settings, fault):
    world = build_world()
    if fault.startswith("provider"):
        fake.failure_rate, fake.lost_answer_rate, fake.hang_seconds = 0.3, 0.1, 1.5
    else:
        fake.hang_seconds = 0.0
    ids = accept_cases(world, CHAOS_CASES)
    if not fault.startswith("provider"):
        wait_until(lambda: len(fake.accepted) >= 20, timeout=60, what="the batch to be under way")
        if fault == "worker SIGKILLed":
            stack.kill_worker()
            assert len(fake.accepted) < len(ids), "the kill must happen in the middle of the batch"
            stack.start_worker()
        else:
            redis.Redis.from_url(settings.REDIS_URL).flushdb()
            assert len(fake.accepted) < len(ids), "the flush must happen in the middle of the batch"
    wait_until(lambda: all_sent(ids), timeout=420, what="every text")
    assert_each_text_sent_once(fake, ids)
    assert set(SmsMessage.objects.filter(issue_id__in=ids).values_list("template", flat=True)) == {"accepted"}
    assert State.ACCEPTED in set(world.railway_point.issues.values_list("state", flat=True))
    if fault.startswith("provider"):
        assert SmsMessage.objects.filter(issue_id__in=ids, attempts__gt=1).exists()
