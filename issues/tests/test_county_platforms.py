"""One governance platform per county: a case goes to its station's county platform with that
platform's token; a callback is verified with the secrets of the platform whose address it came
to; another county's secret is refused. Two secrets (and tokens) are accepted while they rotate."""

import datetime
import json
import time

import pytest
from django.core.management import CommandError, call_command
from django.test import Client
from django.urls import reverse

from issues import forwarding as outbox
from issues import notices, platform
from issues.models import Department, Forwarding, GovernancePlatform, Issue, PlatformNotice, State
from issues.permissions import PLATFORM, Actor
from issues.platform_callbacks import callback_signature
from issues.platform_routing import accepted_secrets, platform_for_region, rotate
from issues.services import extension_decide, issue_accept, issue_assign, issue_review
from issues.services.exchange import issue_request_extension

pytestmark = pytest.mark.django_db

ENV = {
    "DINGHAI_TOKEN": "dinghai-token",
    "DINGHAI_TOKEN_2": "dinghai-token-2",
    "DINGHAI_SECRET": "dinghai-secret",
    "DINGHAI_SECRET_2": "dinghai-secret-2",
    "DAISHAN_TOKEN": "daishan-token",
    "DAISHAN_SECRET": "daishan-secret",
}


@pytest.fixture
def counties(world, monkeypatch, settings):
    for name, value in ENV.items():
        monkeypatch.setenv(name, value)
    settings.GOVERNANCE_CALLBACK_SECRET = "global-secret"
    settings.GOVERNANCE_CALLBACK_SECRET_NEXT = ""
    dinghai = GovernancePlatform.objects.create(
        region=world.baiquan.parent,
        code="dinghai",
        url="http://127.0.0.1:9/dinghai/",
        token_env="DINGHAI_TOKEN",
        callback_secret_env="DINGHAI_SECRET",
    )
    daishan = GovernancePlatform.objects.create(
        region=world.xiushan.parent,
        code="daishan",
        url="http://127.0.0.1:9/daishan/",
        token_env="DAISHAN_TOKEN",
        callback_secret_env="DAISHAN_SECRET",
    )
    return dinghai, daishan


@pytest.fixture
def sent(monkeypatch):
    """What would have gone out to a platform: (url, token, path, key) of each call."""
    calls = []

    def post(path, *, key, payload, base_url=None, token=None):
        calls.append({"url": base_url, "token": token, "path": path, "key": key, "payload": payload})
        return {"id": len(calls)}

    monkeypatch.setattr(platform, "post", post)
    return calls


def assigned(world, *, deputy=None) -> Issue:
    staff = Actor.of(world.station_staff if deputy is None else world.admin)
    issue = world.submit(deputy=deputy or world.deputy_a)
    issue_accept(actor=staff, issue_id=issue.pk)
    issue_review(actor=staff, issue_id=issue.pk)
    department = world.department  # 白泉镇's: it serves the railway point's cases
    if issue.station_id != world.railway_point.pk:
        region = issue.station.region
        department, _ = Department.objects.get_or_create(name=f"{region.name}城建办", defaults={"region": region})
    issue_assign(actor=staff, issue_id=issue.pk, department_id=department.pk)
    return Issue.objects.get(pk=issue.pk)


def callback(client, *, secret: str, code: str | None, reference: str, reply_id: str = "r-1"):
    body = json.dumps({"reply_id": reply_id, "reference": reference, "text": "已处理。"}).encode()
    timestamp = str(int(time.time()))
    url = reverse("governance-callback-platform", args=[code]) if code else reverse("governance-callback")
    return client.post(
        url,
        data=body,
        content_type="application/json",
        headers={
            "X-Platform-Timestamp": timestamp,
            "X-Platform-Signature": callback_signature(secret, timestamp, body),
        },
    )


def test_a_station_belongs_to_the_platform_of_its_county_and_elsewhere_to_the_global_one(world, counties):
    dinghai, daishan = counties

    assert platform_for_region(world.railway_point.region) == dinghai  # 潮面村 < 白泉镇 < 定海区
    assert platform_for_region(world.xiushan_station.region) == daishan
    assert platform_for_region(world.city) is None
    daishan.is_active = False
    daishan.save()
    assert platform_for_region(world.xiushan_station.region) is None


def test_each_case_goes_to_its_county_platform_with_that_platforms_token_and_callback_address(
    world, counties, sent, settings
):
    mine, theirs = assigned(world), assigned(world, deputy=world.deputy_b)

    outbox.drain()

    by_key = {call["key"]: call for call in sent}
    ours = by_key[Forwarding.objects.get(issue=mine).key]
    other = by_key[Forwarding.objects.get(issue=theirs).key]
    assert (ours["url"], ours["token"]) == ("http://127.0.0.1:9/dinghai/", "dinghai-token")
    assert (other["url"], other["token"]) == ("http://127.0.0.1:9/daishan/", "daishan-token")
    assert ours["payload"]["callback_url"] == settings.PUBLIC_BASE_URL + "/api/governance/callback/dinghai/"
    assert Forwarding.objects.get(issue=mine).platform == counties[0]


def test_a_callback_is_verified_with_the_secrets_of_the_platform_it_came_to(world, counties, sent):
    issue = assigned(world)
    key = Forwarding.objects.get(issue=issue).key
    client = Client()

    wrong_county = callback(client, secret="daishan-secret", code="dinghai", reference=key)
    wrong_address = callback(client, secret="daishan-secret", code="daishan", reference=key, reply_id="r-2")
    global_address = callback(client, secret="global-secret", code=None, reference=key, reply_id="r-3")
    unknown = callback(client, secret="dinghai-secret", code="nowhere", reference=key, reply_id="r-4")

    assert wrong_county.status_code == 401  # signed with another county's secret
    assert wrong_address.status_code == 404  # that county's platform does not hold this case
    assert global_address.status_code == 404
    assert unknown.status_code == 404
    assert Issue.objects.get(pk=issue.pk).state == State.ASSIGNED
    right = callback(client, secret="dinghai-secret", code="dinghai", reference=key, reply_id="r-5")
    assert right.status_code == 200
    assert Issue.objects.get(pk=issue.pk).state == State.REPLIED


def test_while_a_secret_rotates_both_are_accepted_and_after_the_switch_only_the_new_one(world, counties, sent):
    dinghai = counties[0]
    dinghai.next_callback_secret_env = "DINGHAI_SECRET_2"
    dinghai.next_token_env = "DINGHAI_TOKEN_2"
    dinghai.save()
    first, second, third = assigned(world), assigned(world), assigned(world)
    client = Client()

    old = callback(client, secret="dinghai-secret", code="dinghai", reference=Forwarding.objects.get(issue=first).key)
    new = callback(
        client, secret="dinghai-secret-2", code="dinghai", reference=Forwarding.objects.get(issue=second).key
    )
    assert (old.status_code, new.status_code) == (200, 200)

    call_command("rotate_platform_secrets", "dinghai")

    dinghai.refresh_from_db()
    assert (dinghai.callback_secret_env, dinghai.next_callback_secret_env) == ("DINGHAI_SECRET_2", "")
    assert dinghai.token_env == "DINGHAI_TOKEN_2" and dinghai.rotated_at is not None
    key = Forwarding.objects.get(issue=third).key
    assert callback(client, secret="dinghai-secret", code="dinghai", reference=key, reply_id="x").status_code == 401
    assert callback(client, secret="dinghai-secret-2", code="dinghai", reference=key, reply_id="y").status_code == 200
    later = assigned(world)
    outbox.drain()
    assert {c["token"] for c in sent if c["key"] == Forwarding.objects.get(issue=later).key} == {"dinghai-token-2"}


def test_rotation_needs_a_named_platform_and_a_next_secret(world, counties):
    with pytest.raises(CommandError):
        call_command("rotate_platform_secrets", "nowhere")
    with pytest.raises(CommandError):
        call_command("rotate_platform_secrets", "daishan")
    assert rotate(code="daishan").callback_secret_env == "DAISHAN_SECRET"  # nothing to rotate: unchanged


def test_the_global_platform_accepts_its_next_secret_too(world, settings, sent):
    settings.GOVERNANCE_CALLBACK_SECRET = "global-secret"
    settings.GOVERNANCE_CALLBACK_SECRET_NEXT = "global-secret-2"
    issue = assigned(world)

    response = callback(
        Client(), secret="global-secret-2", code=None, reference=Forwarding.objects.get(issue=issue).key
    )

    assert accepted_secrets(None) == ["global-secret", "global-secret-2"]
    assert response.status_code == 200


def test_the_decision_on_an_extension_goes_to_the_platform_that_holds_the_case(world, counties, sent):
    issue = assigned(world, deputy=world.deputy_b)
    forwarding = Forwarding.objects.get(issue=issue)
    issue_request_extension(
        actor=PLATFORM,
        forwarding_id=forwarding.pk,
        message_id="ext-1",
        deadline=issue.deadline + datetime.timedelta(days=3),
        reason="等材料",
    )
    request = issue.extension_requests.get()

    extension_decide(actor=Actor.of(world.admin), extension_id=request.pk, approve=False, note="时限内能办完")
    notices.drain()

    notice = PlatformNotice.objects.get(issue=issue)
    assert notice.platform == counties[1] and notice.status == PlatformNotice.Status.DELIVERED
    [call] = [c for c in sent if c["key"] == notice.key]
    assert (call["url"], call["token"], call["path"]) == (
        "http://127.0.0.1:9/daishan/",
        "daishan-token",
        "api/extensions/ext-1/decision/",
    )


def test_the_stub_accepts_the_next_token_while_the_sender_rotates(client, settings):
    settings.GOVERNANCE_PLATFORM_TOKEN = "token-1"
    settings.GOVERNANCE_PLATFORM_TOKEN_NEXT = "token-2"
    url = "/governance-stub/api/faults/"

    assert client.get(url, headers={"Authorization": "Bearer token-1"}).status_code == 200
    assert client.get(url, headers={"Authorization": "Bearer token-2"}).status_code == 200
    assert client.get(url, headers={"Authorization": "Bearer token-3"}).status_code == 401


def test_a_platform_names_environment_variables_not_secrets(world):
    from django.core.exceptions import ValidationError

    platform_row = GovernancePlatform(
        region=world.city, code="city", url="http://127.0.0.1:9/", token_env="ok_NAME", callback_secret_env="S3CR3T!"
    )
    with pytest.raises(ValidationError) as raised:
        platform_row.full_clean()
    assert set(raised.value.message_dict) == {"token_env", "callback_secret_env"}
