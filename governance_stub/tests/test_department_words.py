"""The stub platform's departments say more than an answer: return a case (退办), ask for more
time (延期申请), post progress (过程反馈), over its own HTTP API or its admin; and the sender
tells it the decision on an extension. Bad requests get a 4xx and change nothing."""

import datetime
import uuid

import pytest
from django.contrib.auth import get_user_model
from django.utils import timezone

from governance_stub import services as stub
from governance_stub.models import PlatformCase, PlatformReply
from testsupport.twofactor import verified_login

pytestmark = pytest.mark.django_db

TOKEN = "stub-token-for-tests"
AUTH = {"Authorization": f"Bearer {TOKEN}"}


@pytest.fixture(autouse=True)
def stub_settings(settings):
    settings.GOVERNANCE_PLATFORM_TOKEN = TOKEN
    settings.GOVERNANCE_PLATFORM_TOKEN_NEXT = ""
    settings.GOVERNANCE_STUB_AUTO_REPLY_SECONDS = 0
    return settings


@pytest.fixture
def case(db):
    created, _ = stub.case_create(
        key="liaison-1-r1",
        data={
            "title": "基础设施：路灯",
            "content": "村口路灯坏了。",
            "category": "基础设施",
            "department": "白泉镇城建办",
            "co_departments": ["白泉镇农业农村办", 7, ""],
            "callback_url": "http://127.0.0.1:9/callback/",
        },
    )
    return created


def url(case, word: str) -> str:
    return f"/governance-stub/api/cases/{case.pk}/{word}/"


def test_the_co_handling_departments_are_kept_as_names(case):
    assert case.co_departments == ["白泉镇农业农村办", "7"]


def test_a_department_returns_a_case_once(client, case):
    response = client.post(url(case, "return"), {"reason": "不属于本部门职责"}, "application/json", headers=AUTH)

    assert response.status_code == 201
    reply = PlatformReply.objects.get()
    assert (reply.kind, reply.text) == (PlatformReply.Kind.RETURN, "不属于本部门职责")
    assert PlatformCase.objects.get(pk=case.pk).status == PlatformCase.Status.RETURNED
    again = client.post(url(case, "return"), {"reason": "再退一次"}, "application/json", headers=AUTH)
    assert again.status_code == 409 and PlatformReply.objects.count() == 1


def test_an_extension_request_carries_its_deadline_and_hears_the_decision_once(client, case):
    wanted = (timezone.now() + datetime.timedelta(days=9)).isoformat()
    response = client.post(
        url(case, "extension"), {"deadline": wanted, "reason": "等配件"}, "application/json", headers=AUTH
    )
    assert response.status_code == 201
    request_id = response.json()["reply_id"]

    decision = f"/governance-stub/api/extensions/{request_id}/decision/"
    told = client.post(decision, {"approved": True, "note": ""}, "application/json", headers=AUTH)
    told_again = client.post(decision, {"approved": False, "note": "改主意"}, "application/json", headers=AUTH)

    assert told.status_code == 200 and told.json()["decision"] == "approved"
    assert told_again.status_code == 200 and told_again.json()["decision"] == "approved"
    assert PlatformReply.objects.get(reply_id=request_id).decided_at is not None


def test_a_progress_note_may_come_from_a_co_handler_and_be_public(client, case):
    response = client.post(
        url(case, "progress"),
        {"text": "已配合踏勘", "public": True, "department": "白泉镇农业农村办"},
        "application/json",
        headers=AUTH,
    )

    assert response.status_code == 201
    note = PlatformReply.objects.get()
    assert (note.kind, note.public, note.department) == (PlatformReply.Kind.PROGRESS, True, "白泉镇农业农村办")
    assert PlatformCase.objects.get(pk=case.pk).status == PlatformCase.Status.HANDLING


@pytest.mark.parametrize(
    ("word", "body"),
    [
        ("return", {}),
        ("return", {"reason": "   "}),
        ("extension", {"reason": "等配件"}),
        ("extension", {"reason": "等配件", "deadline": "2030-01-01T10:00:00"}),
        ("extension", {"reason": "", "deadline": "2030-01-01T10:00:00+08:00"}),
        ("progress", {"text": "进展", "public": "yes"}),
        ("progress", {}),
    ],
)
def test_a_department_request_without_what_it_needs_is_refused_with_400(client, case, word, body):
    response = client.post(url(case, word), body, "application/json", headers=AUTH)

    assert response.status_code == 400 and response.json()["error"]
    assert not PlatformReply.objects.exists()


def test_the_decision_needs_an_existing_request_and_a_yes_or_no(client, case):
    unknown = f"/governance-stub/api/extensions/{uuid.uuid4()}/decision/"
    assert client.post(unknown, {"approved": True}, "application/json", headers=AUTH).status_code == 404
    garbage = "/governance-stub/api/extensions/not-a-uuid/decision/"
    assert client.post(garbage, {"approved": True}, "application/json", headers=AUTH).status_code == 404
    assert client.post(unknown, {"approved": "yes"}, "application/json", headers=AUTH).status_code == 400


def test_without_the_token_nothing_is_said(client, case):
    response = client.post(url(case, "return"), {"reason": "退回"}, "application/json")

    assert response.status_code == 401 and not PlatformReply.objects.exists()


def test_a_person_acts_as_the_department_in_the_stubs_admin(client, case):
    admin = get_user_model().objects.create_superuser("stub_admin", "stub@example.cn", "correct horse battery")
    verified_login(client, admin)
    page = f"/admin/governance_stub/platformcase/{case.pk}/change/"

    inline = {"replies-TOTAL_FORMS": "0", "replies-INITIAL_FORMS": "0"}
    missing = client.post(page, {"act": "extension", "answer": "等配件", **inline})
    assert missing.status_code == 200 and not PlatformReply.objects.exists()  # no deadline given
    done = client.post(page, {"act": "progress", "answer": "已到现场", "public": "on", **inline})

    assert done.status_code == 302
    note = PlatformReply.objects.get()
    assert (note.kind, note.text, note.public, note.handler) == (
        PlatformReply.Kind.PROGRESS,
        "已到现场",
        True,
        "stub_admin",
    )
