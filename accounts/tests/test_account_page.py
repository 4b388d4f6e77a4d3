"""/account/2fa/ (两步验证): status, enrolling by choice, new recovery codes and switching off,
each proved by a current code."""

import re

import pytest
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.tests.support import (
    ADMIN_INDEX,
    SETUP,
    VERIFY,
    code_now,
    enroll,
    password_login,
    redirect_path,
    wrong_code,
)

pytestmark = pytest.mark.django_db

OVERVIEW = "/account/2fa/"
RECOVERY = "/account/2fa/recovery-codes/"
DISABLE = "/account/2fa/disable/"


def verified_client(username, device, clock):
    clock.shift(30)
    client = password_login(username)
    assert redirect_path(client.post(VERIFY, {"code": code_now(device)})) == ADMIN_INDEX
    return client


def test_the_page_asks_anonymous_visitors_to_log_in(client):
    assert redirect_path(client.get(OVERVIEW)) == "/admin/login/"


def test_an_optional_user_enrolls_from_the_account_page(world, clock):
    client = password_login("deputy_a")
    page = client.get(OVERVIEW).content.decode()
    assert "两步验证已关闭" in page
    assert f'href="{SETUP}"' in page
    client.get(SETUP)
    device = TOTPDevice.objects.get(user=world.deputy_a_user)
    client.post(SETUP, {"code": code_now(device)})
    page = client.get(OVERVIEW).content.decode()
    assert "两步验证已开启" in page
    assert "您还有 10 个未使用的恢复码" in page
    assert f'href="{DISABLE}"' in page


def test_a_superusers_page_offers_no_switch_off(world, clock):
    device, _codes = enroll(world.admin)
    client = verified_client("admin", device, clock)
    page = client.get(OVERVIEW).content.decode()
    assert "不能关闭" in page
    assert f'href="{DISABLE}"' not in page
    clock.shift(30)
    response = client.post(DISABLE, {"code": code_now(device)})
    assert redirect_path(response) == OVERVIEW
    assert TOTPDevice.objects.filter(user=world.admin, confirmed=True).exists()


def test_new_recovery_codes_need_a_current_code_and_replace_the_old_ones(world, clock):
    device, old_codes = enroll(world.station_staff)
    client = verified_client("station_staff", device, clock)
    clock.shift(2)
    refused = client.post(RECOVERY, {"code": wrong_code(device)})
    assert "验证码不正确" in refused.content.decode()
    assert set(StaticToken.objects.filter(device__user=world.station_staff).values_list("token", flat=True)) == set(
        old_codes
    )

    clock.shift(30)
    response = client.post(RECOVERY, {"code": code_now(device)})
    new_codes = re.findall(r"<li><code>([a-z2-7]{8})</code></li>", response.content.decode())
    assert len(new_codes) == 10
    assert "之前的恢复码已全部失效" in response.content.decode()
    stored = set(StaticToken.objects.filter(device__user=world.station_staff).values_list("token", flat=True))
    assert stored == set(new_codes)
    assert not stored & set(old_codes)
    assert client.get(ADMIN_INDEX).status_code == 200  # still verified


def test_a_session_verified_with_a_recovery_code_stays_verified_after_new_codes(world, clock):
    _device, codes = enroll(world.station_staff)
    client = password_login("station_staff")
    client.post(VERIFY, {"code": codes[0]})
    client.post(RECOVERY, {"code": codes[1]})
    assert StaticDevice.objects.filter(user=world.station_staff).count() == 1
    assert client.get(ADMIN_INDEX).status_code == 200


def test_an_optional_user_switches_it_off_with_a_current_code(world, clock):
    device, _codes = enroll(world.station_staff)
    client = verified_client("station_staff", device, clock)
    clock.shift(2)
    assert "验证码不正确" in client.post(DISABLE, {"code": wrong_code(device)}).content.decode()
    assert TOTPDevice.objects.filter(user=world.station_staff).exists()

    clock.shift(30)
    assert redirect_path(client.post(DISABLE, {"code": code_now(device)})) == OVERVIEW
    assert not TOTPDevice.objects.filter(user=world.station_staff).exists()
    assert not StaticDevice.objects.filter(user=world.station_staff).exists()
    assert "两步验证已关闭" in client.get(OVERVIEW).content.decode()
    assert password_login("station_staff").get(ADMIN_INDEX).status_code == 200


def test_the_setup_page_sends_an_enrolled_user_to_the_account_page(world, clock):
    device, _codes = enroll(world.station_staff)
    client = verified_client("station_staff", device, clock)
    assert redirect_path(client.get(SETUP)) == OVERVIEW
    assert TOTPDevice.objects.filter(user=world.station_staff).count() == 1


def test_the_recovery_codes_are_not_shown_again_on_any_page(world, clock):
    device, codes = enroll(world.station_staff)
    client = verified_client("station_staff", device, clock)
    for path in (OVERVIEW, RECOVERY, SETUP):
        response = client.get(path, follow=True)
        assert not any(code in response.content.decode() for code in codes), path
