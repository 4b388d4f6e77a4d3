"""浙政钉 work notifications: each alert at once, in the day's digest or not at all, as the user
chose per kind; never more than the daily cap at once (the rest in the digest); the real adapter
signs its requests as the local fake expects; nothing twice."""

import json
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import requests
from django.urls import reverse

from issues.alerts import send_new_case_alerts
from issues.models import Notification
from issues.notifications import notify
from issues.tests.admin_support import client_for
from issues.worknotice import service
from issues.worknotice.backends import WorkNoticeError, ZwddBackend, zwdd_signature
from issues.worknotice.models import AlertMode, AlertPreference, WorkAccount, WorkNotice
from testsupport.zwdd_fake import FakeZwdd

SHANGHAI = ZoneInfo("Asia/Shanghai")
MORNING = datetime(2025, 6, 9, 10, 0, tzinfo=SHANGHAI)
EVENING = datetime(2025, 6, 9, 18, 30, tzinfo=SHANGHAI)


@pytest.fixture
def work_file(settings, tmp_path):
    settings.DINGTALK_BACKEND = "file"
    settings.DINGTALK_FILE_PATH = str(tmp_path / "dingtalk.jsonl")
    return tmp_path / "dingtalk.jsonl"


def lines(path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()] if path.exists() else []


def alert(user, n: int, kind=Notification.Kind.OVERDUE):
    return notify(user=user, kind=kind, message=f"提醒{n}", dedupe_key=f"t:{user.pk}:{kind}:{n}")


@pytest.fixture
def staff(world):
    WorkAccount.objects.create(user=world.station_staff, account_id="zzd-1001")
    return world.station_staff


def test_an_alert_goes_out_at_once_with_a_link_to_its_case(world, staff, work_file, time_machine):
    time_machine.move_to(MORNING, tick=False)
    issue = world.submit()
    send_new_case_alerts()
    assert service.drain() == 1
    [line] = lines(work_file)
    assert line["to"] == "zzd-1001"
    assert issue.short_code in line["text"]
    assert reverse("admin:issues_issue_change", args=[issue.pk]) in line["text"]
    assert WorkNotice.objects.get().status == WorkNotice.Status.SENT


def test_a_user_without_a_work_account_keeps_alerts_in_the_inbox(world, work_file):
    alert(world.deputy_a_user, 1)
    assert WorkNotice.objects.count() == 0
    assert service.send_digests(now=EVENING) == 0


def test_kinds_chosen_for_the_digest_wait_for_it_and_inbox_only_kinds_never_go_out(
    world, staff, work_file, time_machine
):
    service.preferences_set(user=staff, modes={Notification.Kind.OVERDUE: AlertMode.DIGEST})
    service.preferences_set(user=staff, modes={Notification.Kind.DUE_SOON: AlertMode.INBOX})
    time_machine.move_to(MORNING, tick=False)
    alert(staff, 1)
    alert(staff, 2)
    alert(staff, 3, kind=Notification.Kind.DUE_SOON)
    alert(staff, 4, kind=Notification.Kind.NEW_CASE)
    assert list(WorkNotice.objects.values_list("is_digest", flat=True)) == [False]  # the new case
    assert service.send_digests(now=MORNING) == 0  # not before the digest hour
    time_machine.move_to(EVENING, tick=False)
    assert service.send_digests() == 1
    assert service.send_digests() == 0  # once a day
    service.drain()
    texts = [line["text"] for line in lines(work_file)]
    assert len(texts) == 2
    assert "提醒1" in texts[1] and "提醒2" in texts[1]
    assert "提醒3" not in "".join(texts)


def test_past_the_daily_cap_the_rest_of_the_day_comes_in_one_digest(world, staff, work_file, settings, time_machine):
    settings.DINGTALK_DAILY_CAP = 4  # three at once, one kept for the digest
    time_machine.move_to(MORNING, tick=False)
    for n in range(7):
        alert(staff, n)
    assert WorkNotice.objects.filter(is_digest=False).count() == 3
    time_machine.move_to(EVENING, tick=False)
    assert service.send_digests() == 1
    digest = WorkNotice.objects.get(is_digest=True)
    assert digest.items.count() == 4
    assert [line for line in digest.text.splitlines() if line.startswith("· ")] == [f"· 提醒{n}" for n in range(3, 7)]
    service.drain()
    assert len(lines(work_file)) == 4


def test_the_preference_page_saves_the_users_own_choices(world, staff):
    client = client_for(world, "station_staff")
    url = reverse("admin:issues_alertpreference_changelist")
    page = client.get(url)
    assert page.status_code == 200
    data = dict.fromkeys(Notification.Kind.values, AlertMode.IMMEDIATE)
    data[Notification.Kind.OVERDUE] = AlertMode.DIGEST
    assert client.post(url, data).status_code == 302
    assert AlertPreference.objects.get(user=staff, kind=Notification.Kind.OVERDUE).mode == AlertMode.DIGEST
    bad = client.post(url, {**data, Notification.Kind.OVERDUE: "loudly"})
    assert bad.status_code == 200
    assert AlertPreference.objects.get(user=staff, kind=Notification.Kind.OVERDUE).mode == AlertMode.DIGEST
    assert (
        reverse("admin:issues_alertpreference_changelist")
        in client.get(reverse("admin:issues_notification_changelist")).content.decode()
    )


def test_the_file_backend_never_writes_the_same_key_twice(world, staff, work_file):
    from issues.worknotice.backends import FileBackend

    backend = FileBackend()
    backend.send(key="alert-1", account_id="zzd-1001", text="一")
    backend.send(key="alert-1", account_id="zzd-1001", text="一")
    assert len(lines(work_file)) == 1


@pytest.fixture
def zwdd(settings):
    with FakeZwdd(api_key="app-key", secret="app-secret", tenant="196729") as fake:
        settings.DINGTALK_BACKEND = "zwdd"
        settings.DINGTALK_ENDPOINT = fake.url
        settings.DINGTALK_APP_KEY = "app-key"
        settings.DINGTALK_APP_SECRET = "app-secret"
        settings.DINGTALK_TENANT_ID = "196729"
        settings.SMS_RETRY_BASE_SECONDS = 0.01
        yield fake


def test_the_zwdd_adapter_is_accepted_by_the_local_fake_and_never_delivers_twice(world, staff, zwdd):
    alert(staff, 1)
    notice = WorkNotice.objects.get()
    zwdd.fail_next = 1
    delay = service.work_notice_send(notice.pk)
    assert delay is not None
    notice.refresh_from_db()
    assert notice.status == WorkNotice.Status.PENDING
    WorkNotice.objects.filter(pk=notice.pk).update(next_attempt_at=notice.created_at)
    service.drain()
    notice.refresh_from_db()
    assert notice.status == WorkNotice.Status.SENT
    ZwddBackend().send(key=notice.key, account_id="zzd-1001", text="again")  # a repeat after a lost answer
    assert zwdd.counts() == {notice.key: 1}
    assert zwdd.delivered[0]["receiverIds"] == "zzd-1001"
    assert json.loads(zwdd.delivered[0]["msg"])["text"]["content"].startswith("提醒1")
    assert zwdd.refused == 0


def test_a_wrongly_signed_request_is_refused_and_not_retried(world, staff, zwdd, settings):
    settings.DINGTALK_APP_SECRET = "wrong"
    with pytest.raises(WorkNoticeError) as refused:
        ZwddBackend().send(key="k", account_id="zzd-1001", text="x")
    assert not refused.value.retryable
    assert zwdd.refused == 1
    alert(staff, 1)
    service.drain()
    assert WorkNotice.objects.get().status == WorkNotice.Status.FAILED


def test_an_unknown_app_key_is_refused_and_not_retried(world, staff, zwdd, settings):
    settings.DINGTALK_APP_KEY = "someone-elses-app"
    with pytest.raises(WorkNoticeError) as refused:
        ZwddBackend().send(key="k", account_id="zzd-1001", text="x")
    assert "InvalidApiKey" in str(refused.value)
    assert not refused.value.retryable
    assert zwdd.delivered == []


def signed_post(fake, *, timestamp: str, nonce: str) -> requests.Response:
    params = {"receiverIds": "zzd-1001", "tenantId": "196729", "bizMsgId": f"k-{nonce}", "msg": "{}"}
    headers = {
        "X-Hmac-Auth-Timestamp": timestamp,
        "X-Hmac-Auth-Nonce": nonce,
        "apiKey": "app-key",
        "X-Hmac-Auth-Signature": zwdd_signature(
            "app-secret", "POST", timestamp, nonce, "/message/workNotification", params
        ),
    }
    return requests.post(fake.url + "/message/workNotification", data=params, headers=headers, timeout=5)


def test_a_replayed_or_stale_request_is_refused_even_when_signed_right(zwdd):
    now = datetime.now(SHANGHAI).isoformat(timespec="milliseconds")
    assert signed_post(zwdd, timestamp=now, nonce="n-1").status_code == 200
    replay = signed_post(zwdd, timestamp=now, nonce="n-1")
    assert (replay.status_code, replay.json()["errorCode"]) == (401, "NonceUsed")
    stale = signed_post(zwdd, timestamp="2020-01-01T10:00:00.000+08:00", nonce="n-2")
    assert (stale.status_code, stale.json()["errorCode"]) == (401, "InvalidTimestamp")
    assert len(zwdd.delivered) == 1
