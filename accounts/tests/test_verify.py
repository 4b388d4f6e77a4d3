"""The verify page: wrong codes are refused in Chinese and throttled by django-otp (after n wrong
codes in a row every code is refused for factor × 2^(n-1) seconds); recovery codes work once."""

import pytest
from django.conf import settings as django_settings
from django_otp.plugins.otp_static.models import StaticToken

from accounts.tests.support import ADMIN_INDEX, VERIFY, code_now, enroll, password_login, redirect_path, wrong_code

pytestmark = pytest.mark.django_db


def test_throttling_is_on_for_both_kinds_of_device():
    assert django_settings.OTP_TOTP_THROTTLE_FACTOR >= 1
    assert django_settings.OTP_STATIC_THROTTLE_FACTOR >= 1


def test_a_wrong_code_is_refused_with_a_chinese_message(world, clock):
    device, _codes = enroll(world.admin)
    clock.shift(30)
    client = password_login("admin")
    response = client.post(VERIFY, {"code": wrong_code(device)})
    assert response.status_code == 200
    assert "验证码不正确" in response.content.decode()
    assert redirect_path(client.get(ADMIN_INDEX)) == VERIFY


def test_an_empty_code_asks_for_one(world, clock):
    enroll(world.admin)
    client = password_login("admin")
    response = client.post(VERIFY, {"code": "  "})
    assert "请输入验证码" in response.content.decode()


def test_after_wrong_codes_even_the_right_code_is_refused_for_a_while(world, clock):
    device, _codes = enroll(world.admin)
    clock.shift(30)
    client = password_login("admin")
    client.post(VERIFY, {"code": wrong_code(device)})
    clock.shift(1)  # one wrong code: 1 s
    client.post(VERIFY, {"code": wrong_code(device)})
    clock.shift(2)  # two in a row: 2 s
    client.post(VERIFY, {"code": wrong_code(device)})
    device.refresh_from_db()
    assert device.throttling_failure_count == 3
    clock.shift(2)

    refused = client.post(VERIFY, {"code": code_now(device)})  # 2 s after the third, 4 s required

    assert refused.status_code == 200
    assert "错误次数过多" in refused.content.decode()
    assert redirect_path(client.get(ADMIN_INDEX)) == VERIFY
    clock.shift(4)
    accepted = client.post(VERIFY, {"code": code_now(device)})
    assert redirect_path(accepted) == ADMIN_INDEX
    device.refresh_from_db()
    assert device.throttling_failure_count == 0


def test_a_larger_throttle_factor_makes_the_wait_longer(world, clock, settings):
    settings.OTP_TOTP_THROTTLE_FACTOR = 10
    device, _codes = enroll(world.admin)
    clock.shift(30)
    client = password_login("admin")
    client.post(VERIFY, {"code": wrong_code(device)})
    clock.shift(5)
    refused = client.post(VERIFY, {"code": code_now(device)})
    assert "验证码错误次数过多，请 5 秒后再试" in refused.content.decode()
    clock.shift(6)
    assert redirect_path(client.post(VERIFY, {"code": code_now(device)})) == ADMIN_INDEX


def test_a_recovery_code_works_once(world, clock):
    _device, codes = enroll(world.admin)
    first = password_login("admin")
    # Typed as people do: capitals, a dash in the middle.
    typed = f"{codes[0][:4].upper()}-{codes[0][4:].upper()}"
    assert redirect_path(first.post(VERIFY, {"code": typed})) == ADMIN_INDEX
    assert first.get(ADMIN_INDEX).status_code == 200
    assert StaticToken.objects.filter(device__user=world.admin).count() == 9

    second = password_login("admin")
    refused = second.post(VERIFY, {"code": codes[0]})
    assert "验证码不正确" in refused.content.decode()
    assert redirect_path(second.get(ADMIN_INDEX)) == VERIFY
    clock.shift(2)
    assert redirect_path(second.post(VERIFY, {"code": codes[1]})) == ADMIN_INDEX


def test_a_recovery_code_does_not_count_as_a_wrong_authenticator_code(world, clock):
    device, codes = enroll(world.admin)
    password_login("admin").post(VERIFY, {"code": codes[0]})
    device.refresh_from_db()
    assert device.throttling_failure_count == 0


def test_another_users_recovery_code_does_not_work(world, clock):
    enroll(world.admin)
    _device, staff_codes = enroll(world.station_staff)
    client = password_login("admin")
    assert "验证码不正确" in client.post(VERIFY, {"code": staff_codes[0]}).content.decode()
    assert StaticToken.objects.filter(device__user=world.station_staff).count() == 10
