"""County platforms over real HTTP: the portal under gunicorn with a real worker, and one stub
platform per county in its own gunicorn process, each signing with its own secret. Cases go to
their county's platform and come back answered; a platform signing with another county's secret
is refused; a secret and a token rotate while cases flow, and none is lost or doubled."""

import contextlib
import signal
import subprocess
import time

import pytest
import redis
import requests
from django.conf import settings

from governance_stub.models import PlatformCase, PlatformReply
from issues.models import Action, Department, Forwarding, GovernancePlatform, Issue, IssueEvent, State
from issues.permissions import Actor
from issues.platform_callbacks import callback_signature
from issues.platform_routing import rotate
from issues.services import issue_accept, issue_assign, issue_review
from liaison.celery import app as celery_app
from testsupport.processes import TOKEN, free_port, make_stack
from testsupport.services import require_postgres, require_redis
from testsupport.world import build_world

pytestmark = [pytest.mark.postgres, pytest.mark.redis]

SECRETS = {"DINGHAI_SECRET": "s-dinghai", "DINGHAI_SECRET_2": "s-dinghai-2", "DAISHAN_SECRET": "s-daishan"}
TOKENS = {"COUNTY_TOKEN": TOKEN, "COUNTY_TOKEN_2": "county-token-2"}


@pytest.fixture
def stack(transactional_db, tmp_path):
    require_postgres()
    require_redis()
    redis.Redis.from_url(settings.REDIS_URL).flushdb()
    eager = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = False
    stack = make_stack(tmp_path, separate_stub=True, GOVERNANCE_STUB_AUTO_REPLY_SECONDS="0.3", **SECRETS, **TOKENS)
    stack.extra_stubs = []
    stack.start_web()
    stack.start_worker()
    yield stack
    for process in stack.extra_stubs:
        stop(process)
    stack.stop()
    celery_app.conf.task_always_eager = eager


def stop(process: subprocess.Popen) -> None:
    import os

    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGTERM)
    with contextlib.suppress(subprocess.TimeoutExpired):
        process.wait(10)


def start_stub(stack, *, port: int, secret: str, next_token: str = "") -> subprocess.Popen:
    """A stub platform process on `port` that signs its callbacks with `secret`."""
    saved = dict(stack.env)
    stack.env.update(GOVERNANCE_STUB_SIGNING_SECRET=secret, GOVERNANCE_PLATFORM_TOKEN_NEXT=next_token)
    try:
        process = stack._gunicorn(f"stub-{port}", port)
    finally:
        stack.env.clear()
        stack.env.update(saved)
    stack.extra_stubs.append(process)
    return process


def county(world, code: str, region, port: int, secret_env: str) -> GovernancePlatform:
    return GovernancePlatform.objects.create(
        region=region,
        code=code,
        url=f"http://127.0.0.1:{port}/governance-stub/",
        token_env="COUNTY_TOKEN",
        callback_secret_env=secret_env,
    )


def assign(world, count: int, *, deputy=None) -> list[int]:
    staff = Actor.of(world.station_staff if deputy is None else world.admin)
    ids = []
    for n in range(count):
        issue = world.submit(deputy=deputy or world.deputy_a, content=f"第{n}号：渡口栏杆断了，请尽快修理。")
        issue_accept(actor=staff, issue_id=issue.pk)
        issue_review(actor=staff, issue_id=issue.pk)
        department = world.department  # 白泉镇's: it serves the railway point's cases
        if issue.station_id != world.railway_point.pk:
            region = issue.station.region
            department, _ = Department.objects.get_or_create(name=f"{region.name}城建办", defaults={"region": region})
        issue_assign(actor=staff, issue_id=issue.pk, department_id=department.pk)
        ids.append(issue.pk)
    return ids


def wait_until(predicate, *, timeout: float = 120, what: str) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.25)
    raise AssertionError(f"timed out after {timeout}s waiting for {what}")


def replied(ids) -> int:
    return Issue.objects.filter(pk__in=ids, state=State.REPLIED).count()


def assert_each_answered_once(ids) -> None:
    assert replied(ids) == len(ids)
    assert IssueEvent.objects.filter(issue_id__in=ids, action=Action.REPLY).count() == len(ids)
    keys = Forwarding.objects.filter(issue_id__in=ids).values_list("key", flat=True)
    assert PlatformCase.objects.filter(idempotency_key__in=keys).count() == len(ids)


def test_each_county_platform_answers_its_own_cases_and_another_countys_secret_is_refused(stack):
    world = build_world()
    port_a, port_b = stack.stub_port, free_port()
    start_stub(stack, port=port_a, secret="s-dinghai")
    start_stub(stack, port=port_b, secret="s-daishan")
    dinghai = county(world, "dinghai", world.baiquan.parent, port_a, "DINGHAI_SECRET")
    county(world, "daishan", world.xiushan.parent, port_b, "DAISHAN_SECRET")

    ours, theirs = assign(world, 3), assign(world, 3, deputy=world.deputy_b)
    wait_until(lambda: replied(ours + theirs) == 6, what="both counties' answers")
    assert_each_answered_once(ours + theirs)
    assert set(Forwarding.objects.filter(issue_id__in=ours).values_list("platform__code", flat=True)) == {"dinghai"}
    assert set(Forwarding.objects.filter(issue_id__in=theirs).values_list("platform__code", flat=True)) == {"daishan"}

    # 定海's cases sent by mistake to 岱山's platform: its answers, signed with 岱山's secret at
    # 定海's address, are refused, and the case waits.
    GovernancePlatform.objects.filter(pk=dinghai.pk).update(url=f"http://127.0.0.1:{port_b}/governance-stub/")
    [astray] = assign(world, 1)
    key = Forwarding.objects.get(issue_id=astray).key
    wait_until(
        lambda: PlatformReply.objects.filter(
            case__idempotency_key=key, attempts__gte=1, last_error="HTTP 401"
        ).exists(),
        what="the refused answer",
    )
    assert Issue.objects.get(pk=astray).state == State.ASSIGNED


def test_a_secret_and_a_token_rotate_while_cases_flow_and_none_is_lost_or_doubled(stack):
    world = build_world()
    port = stack.stub_port
    stub = start_stub(stack, port=port, secret="s-dinghai")
    dinghai = county(world, "dinghai", world.baiquan.parent, port, "DINGHAI_SECRET")
    before = assign(world, 5)
    wait_until(lambda: replied(before) == 5, what="the answers before the rotation")

    # The switch: the next secret and token are named (both accepted now), the platform moves to
    # them while cases are on their way, and the rotation makes them the only ones.
    GovernancePlatform.objects.filter(pk=dinghai.pk).update(
        next_callback_secret_env="DINGHAI_SECRET_2", next_token_env="COUNTY_TOKEN_2"
    )
    during = assign(world, 5)
    stop(stub)
    stack.extra_stubs.remove(stub)
    start_stub(stack, port=port, secret="s-dinghai-2", next_token="county-token-2")
    # The restarted stub answers by itself only cases assigned after it started: the department
    # answers the others by hand, over the platform's API.
    wait_until(
        lambda: Forwarding.objects.filter(issue_id__in=during, status=Forwarding.Status.DELIVERED).count() == 5,
        what="the cases of the switch on the platform",
    )
    keys = list(Forwarding.objects.filter(issue_id__in=during).values_list("key", flat=True))
    for case in PlatformCase.objects.filter(idempotency_key__in=keys, status=PlatformCase.Status.HANDLING):
        answered = requests.post(
            f"{stack.stub_url}api/cases/{case.pk}/answer/", json={"text": "已修好。"}, headers=stack.auth, timeout=10
        )
        assert answered.status_code == 201
    wait_until(lambda: replied(during) == 5, what="the answers during the switch")
    rotate(code="dinghai")
    after = assign(world, 5)
    wait_until(lambda: replied(after) == 5, what="the answers after the rotation")

    assert_each_answered_once(before + during + after)
    # The old secret is no longer accepted.
    body = b'{"reply_id": "old-1", "reference": "none", "text": "x"}'
    stamp = str(int(time.time()))
    refused = requests.post(
        f"{stack.base_url}/api/governance/callback/dinghai/",
        data=body,
        headers={
            "Content-Type": "application/json",
            "X-Platform-Timestamp": stamp,
            "X-Platform-Signature": callback_signature("s-dinghai", stamp, body),
        },
        timeout=10,
    )
    assert refused.status_code == 401
