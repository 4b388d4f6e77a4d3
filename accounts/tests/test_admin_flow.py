"""End to end in the admin with the test client: the ordinary password login, then the second
factor (set up the first time, entered in every new session)."""

import re
from base64 import b32encode

import pytest
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.services import RECOVERY_CODE_COUNT
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


def test_superuser_without_a_device_is_sent_to_setup_and_cannot_open_admin_pages(world, clock):
    client = password_login("admin")
    for path in (ADMIN_INDEX, "/admin/issues/issue/", "/admin/auth/user/", "/dashboard/"):
        response = client.get(path)
        assert redirect_path(response) == SETUP, path
    assert client.get(ADMIN_INDEX)["Location"] == f"{SETUP}?next=%2Fadmin%2F"


def test_superuser_sets_up_the_app_then_opens_the_admin(world, clock):
    client = password_login("admin")
    page = client.get(f"{SETUP}?next=/admin/issues/issue/")
    assert page.status_code == 200
    device = TOTPDevice.objects.get(user=world.admin, confirmed=False)
    html = page.content.decode()
    assert "设置两步验证" in html
    assert '<svg class="qr" id="totp-qr"' in html  # the QR code, drawn by us, no outside service
    secret = b32encode(device.bin_key).decode().rstrip("=")
    assert " ".join(secret[i : i + 4] for i in range(0, len(secret), 4)) in html

    confirmed = client.post(SETUP, {"code": code_now(device), "next": "/admin/issues/issue/"})

    assert confirmed.status_code == 200
    device.refresh_from_db()
    assert device.confirmed
    shown = re.findall(r"<li><code>([a-z2-7]{8})</code></li>", confirmed.content.decode())
    stored = set(StaticToken.objects.filter(device__user=world.admin).values_list("token", flat=True))
    assert len(shown) == RECOVERY_CODE_COUNT == len(stored)
    assert set(shown) == stored
    assert "我已保存" in confirmed.content.decode()
    assert 'href="/admin/issues/issue/"' in confirmed.content.decode()
    assert client.get(ADMIN_INDEX).status_code == 200
    assert client.get("/admin/issues/issue/").status_code == 200


def test_the_setup_page_keeps_its_secret_across_reloads_so_a_scanned_code_stays_good(world, clock):
    client = password_login("admin")
    first = client.get(SETUP).content
    second = client.get(SETUP).content
    assert TOTPDevice.objects.filter(user=world.admin).count() == 1
    assert re.search(rb'id="totp-secret">([A-Z2-7 ]+)<', first).group(1) == re.search(
        rb'id="totp-secret">([A-Z2-7 ]+)<', second
    ).group(1)


def test_a_wrong_code_on_the_setup_page_leaves_the_admin_closed(world, clock):
    client = password_login("admin")
    client.get(SETUP)
    device = TOTPDevice.objects.get(user=world.admin)
    response = client.post(SETUP, {"code": wrong_code(device)})
    assert response.status_code == 200
    assert "验证码不正确" in response.content.decode()
    device.refresh_from_db()
    assert not device.confirmed
    assert not StaticToken.objects.filter(device__user=world.admin).exists()
    assert redirect_path(client.get(ADMIN_INDEX)) == SETUP


def test_a_new_session_of_an_enrolled_superuser_needs_the_code(world, clock):
    device, _codes = enroll(world.admin)
    clock.shift(30)  # the next code: the one used to enroll is spent
    client = password_login("admin")

    sent = client.get("/admin/issues/issue/")
    assert sent["Location"] == f"{VERIFY}?next=%2Fadmin%2Fissues%2Fissue%2F"
    assert "输入两步验证码" in client.get(sent["Location"]).content.decode()

    verified = client.post(VERIFY, {"code": code_now(device), "next": "/admin/issues/issue/"})
    assert verified.status_code == 302
    assert verified["Location"] == "/admin/issues/issue/"
    assert client.get("/admin/issues/issue/").status_code == 200


def test_a_verified_session_stays_verified(world, clock):
    device, _codes = enroll(world.admin)
    clock.shift(30)
    client = password_login("admin")
    client.post(VERIFY, {"code": code_now(device)})
    clock.shift(3600)  # an hour later, many codes later, within the session's life
    assert client.get(ADMIN_INDEX).status_code == 200
    assert client.get("/admin/issues/issue/").status_code == 200


def test_the_same_code_cannot_be_used_twice(world, clock):
    device, _codes = enroll(world.admin)
    clock.shift(30)
    code = code_now(device)
    first = password_login("admin")
    assert first.post(VERIFY, {"code": code}).status_code == 302
    clock.shift(2)
    second = password_login("admin")
    response = second.post(VERIFY, {"code": code})
    assert response.status_code == 200
    assert "验证码不正确" in response.content.decode()
    assert redirect_path(second.get(ADMIN_INDEX)) == VERIFY


def test_an_optional_user_without_a_device_logs_in_with_the_password_only(world, clock):
    client = password_login("station_staff")
    assert client.get(ADMIN_INDEX).status_code == 200
    assert client.get("/admin/issues/issue/").status_code == 200
    assert not TOTPDevice.objects.filter(user=world.station_staff).exists()


def test_an_optional_user_who_enrolled_must_verify(world, clock):
    device, _codes = enroll(world.station_staff)
    clock.shift(30)
    client = password_login("station_staff")
    assert redirect_path(client.get(ADMIN_INDEX)) == VERIFY
    client.post(VERIFY, {"code": code_now(device)})
    assert client.get(ADMIN_INDEX).status_code == 200


def test_required_for_all_staff_sends_deputies_and_township_staff_to_setup(world, clock, settings):
    settings.TWO_FACTOR_REQUIRED_FOR_ALL_STAFF = True
    deputy = password_login("deputy_a")
    assert redirect_path(deputy.get(ADMIN_INDEX)) == SETUP
    township = password_login("township_staff")
    assert redirect_path(township.get("/dashboard/")) == SETUP


def test_a_member_of_a_required_group_is_sent_to_setup(world, clock, settings):
    from django.contrib.auth.models import Group

    settings.TWO_FACTOR_REQUIRED_GROUPS = ["县级管理员"]
    world.station_staff.groups.add(Group.objects.create(name="县级管理员"))
    assert redirect_path(password_login("station_staff").get(ADMIN_INDEX)) == SETUP
    assert password_login("deputy_a").get(ADMIN_INDEX).status_code == 200


def test_logout_and_the_two_factor_pages_do_not_loop(world, clock):
    client = password_login("admin")
    assert client.get(SETUP).status_code == 200
    # The verify page of a user who has nothing to verify with sends them to set it up.
    assert redirect_path(client.get(VERIFY)) == SETUP
    assert client.get("/static/admin/css/base.css").status_code != 302
    logged_out = client.post("/admin/logout/")
    assert logged_out.status_code == 200
    assert "_auth_user_id" not in client.session


def test_the_verify_page_goes_only_to_addresses_of_this_site(world, clock):
    device, _codes = enroll(world.admin)
    clock.shift(30)
    client = password_login("admin")
    response = client.post(VERIFY, {"code": code_now(device), "next": "https://evil.example/admin/"})
    assert response["Location"] == ADMIN_INDEX


def test_a_password_alone_cannot_add_a_second_authenticator_or_switch_the_factor_off(world, clock):
    _device, codes = enroll(world.station_staff)
    clock.shift(30)
    client = password_login("station_staff")  # the password only, no code yet
    assert redirect_path(client.get(SETUP)) == VERIFY
    assert redirect_path(client.post("/account/2fa/disable/", {"code": codes[0]})) == VERIFY
    assert redirect_path(client.post("/account/2fa/recovery-codes/", {"code": codes[0]})) == VERIFY
    assert TOTPDevice.objects.filter(user=world.station_staff).count() == 1
    assert StaticToken.objects.filter(device__user=world.station_staff).count() == RECOVERY_CODE_COUNT
