"""The superuser's view of everyone's second factor in the admin: Chinese names, no secrets, a
lock lifted, a lost phone's device deleted (the owner then sets it up again)."""

import pytest
from django.test import Client
from django_otp.plugins.otp_static.models import StaticDevice
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
from testsupport.twofactor import verified_login

pytestmark = pytest.mark.django_db

AUTHENTICATORS = "/admin/accounts/authenticator/"
RECOVERY_SETS = "/admin/accounts/recoverycodeset/"


@pytest.fixture
def superuser(world, clock):
    return verified_login(Client(), world.admin)


def test_the_admin_lists_authenticators_in_chinese_without_their_secrets(world, clock, superuser):
    device, _codes = enroll(world.station_staff)
    index = superuser.get(ADMIN_INDEX).content.decode()
    assert "两步验证" in index and "身份验证器应用" in index and "恢复码" in index
    assert "/admin/otp_totp/" not in index  # django-otp's own pages, which show the key, are gone

    page = superuser.get(AUTHENTICATORS).content.decode()
    assert "station_staff" in page and "连续错误次数" in page
    assert device.key not in page
    detail = superuser.get(f"{AUTHENTICATORS}{device.pk}/change/").content.decode()
    assert device.key not in detail
    assert superuser.get(f"{AUTHENTICATORS}add/").status_code == 403


def test_the_recovery_code_list_counts_unused_codes_without_showing_them(world, clock, superuser):
    _device, codes = enroll(world.station_staff)
    page = superuser.get(RECOVERY_SETS).content.decode()
    assert "station_staff" in page
    assert not any(code in page for code in codes)


def test_a_superuser_lifts_the_lock_after_wrong_codes(world, clock, superuser):
    device, _codes = enroll(world.station_staff)
    clock.shift(30)
    staff = password_login("station_staff")
    for wait in (1, 2, 4):
        staff.post(VERIFY, {"code": wrong_code(device)})
        clock.shift(wait)
    staff.post(VERIFY, {"code": wrong_code(device)})  # the fourth: every code refused for 8 s
    assert "错误次数过多" in staff.post(VERIFY, {"code": code_now(device)}).content.decode()

    response = superuser.post(AUTHENTICATORS, {"action": "unlock", "_selected_action": [device.pk]}, follow=True)

    assert "已解除 1 个设备的锁定" in response.content.decode()
    device.refresh_from_db()
    assert device.throttling_failure_count == 0
    assert redirect_path(staff.post(VERIFY, {"code": code_now(device)})) == ADMIN_INDEX


def test_deleting_a_lost_phones_devices_makes_a_required_user_set_it_up_again(world, clock, settings, superuser):
    settings.TWO_FACTOR_REQUIRED_FOR_ALL_STAFF = True
    device, _codes = enroll(world.station_staff)
    codes = StaticDevice.objects.get(user=world.station_staff)
    for changelist, pk in ((AUTHENTICATORS, device.pk), (RECOVERY_SETS, codes.pk)):
        response = superuser.post(changelist, {"action": "delete_selected", "_selected_action": [pk], "post": "yes"})
        assert response.status_code == 302
    assert not TOTPDevice.objects.filter(user=world.station_staff).exists()
    assert not StaticDevice.objects.filter(user=world.station_staff).exists()
    assert redirect_path(password_login("station_staff").get(ADMIN_INDEX)) == SETUP


@pytest.mark.parametrize("role", ["deputy_a_user", "station_staff", "township_staff"])
def test_nobody_but_superusers_sees_the_devices(world, clock, role):
    client = Client()
    client.force_login(getattr(world, role), backend="django.contrib.auth.backends.ModelBackend")
    assert client.get(AUTHENTICATORS).status_code == 403
    assert client.get(RECOVERY_SETS).status_code == 403
