"""POST /api/auth/token/ with two-step verification, and the API used through a session."""

import pytest
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from accounts.tests.support import VERIFY, code_now, enroll, password_login, wrong_code
from testsupport.world import PASSWORD

pytestmark = pytest.mark.django_db

TOKEN_URL = "/api/auth/token/"


def token_login(username: str, **extra):
    return APIClient().post(TOKEN_URL, {"username": username, "password": PASSWORD, **extra}, format="json")


def error_code(response) -> str:
    return response.json()["error"]["code"]


def test_an_enrolled_user_without_otp_token_gets_otp_required(world, clock):
    enroll(world.station_staff)
    response = token_login("station_staff")
    assert response.status_code == 400
    assert error_code(response) == "otp_required"
    assert not Token.objects.filter(user=world.station_staff).exists()


def test_an_enrolled_user_with_a_wrong_otp_token_gets_no_token(world, clock):
    device, _codes = enroll(world.station_staff)
    clock.shift(30)
    response = token_login("station_staff", otp_token=wrong_code(device))
    assert response.status_code == 400
    assert error_code(response) == "otp_invalid"
    assert response.json()["error"]["message"] == "两步验证码不正确。"
    assert not Token.objects.filter(user=world.station_staff).exists()


def test_an_enrolled_user_with_the_current_code_gets_a_token(world, clock):
    device, _codes = enroll(world.station_staff)
    clock.shift(30)
    response = token_login("station_staff", otp_token=code_now(device))
    assert response.status_code == 200
    assert response.json()["token"] == Token.objects.get(user=world.station_staff).key


def test_a_recovery_code_gets_a_token_once(world, clock):
    _device, codes = enroll(world.admin)
    assert token_login("admin", otp_token=codes[0]).status_code == 200
    clock.shift(2)
    again = token_login("admin", otp_token=codes[0])
    assert again.status_code == 400
    assert error_code(again) == "otp_invalid"


def test_wrong_codes_in_a_row_are_throttled_with_retry_after(world, clock):
    device, _codes = enroll(world.station_staff)
    clock.shift(30)
    token_login("station_staff", otp_token=wrong_code(device))
    response = token_login("station_staff", otp_token=code_now(device))
    assert response.status_code == 429
    assert int(response["Retry-After"]) >= 1


def test_a_superuser_without_a_device_must_set_it_up_in_the_browser_first(world, clock):
    response = token_login("admin")
    assert response.status_code == 403
    assert error_code(response) == "two_factor_setup_required"
    assert not Token.objects.filter(user=world.admin).exists()


def test_an_optional_user_without_a_device_gets_a_token_with_the_password(world, clock):
    assert token_login("deputy_a").status_code == 200


def test_a_wrong_password_says_so_before_anything_about_the_second_factor(world, clock):
    device, _codes = enroll(world.station_staff)
    response = APIClient().post(
        TOKEN_URL, {"username": "station_staff", "password": "wrong", "otp_token": code_now(device)}, format="json"
    )
    assert response.status_code == 400
    assert error_code(response) == "invalid_credentials"


# --- the API through a session (the browsable API) -------------------------------------------------


def test_an_unverified_session_gets_a_json_403_from_the_api(world, clock):
    client = password_login("admin")
    response = client.get("/api/issues/", HTTP_ACCEPT="application/json")
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "two_factor_setup_required"


def test_the_browsable_api_sends_an_unverified_session_to_verify(world, clock):
    enroll(world.admin)
    client = password_login("admin")
    response = client.get("/api/issues/", HTTP_ACCEPT="text/html")
    assert response.status_code == 302
    assert response["Location"] == f"{VERIFY}?next=%2Fapi%2Fissues%2F"


def test_a_verified_session_uses_the_api(world, clock):
    device, _codes = enroll(world.admin)
    clock.shift(30)
    client = password_login("admin")
    client.post(VERIFY, {"code": code_now(device)})
    assert client.get("/api/issues/", HTTP_ACCEPT="application/json").status_code == 200


def test_a_token_request_is_not_held_up_by_an_unverified_session_cookie(world, clock):
    device, _codes = enroll(world.admin)
    clock.shift(30)
    key = token_login("admin", otp_token=code_now(device)).json()["token"]
    client = password_login("admin")  # the same browser also has a password-only session
    response = client.get("/api/issues/", HTTP_ACCEPT="application/json", HTTP_AUTHORIZATION=f"Token {key}")
    assert response.status_code == 200


def test_another_authorization_scheme_does_not_get_past_the_check(world, clock):
    client = password_login("admin")
    response = client.get("/api/issues/", HTTP_ACCEPT="application/json", HTTP_AUTHORIZATION="Basic YWRtaW46eA==")
    assert response.status_code == 403


def test_the_villagers_api_ignores_an_unverified_staff_session(world, clock):
    issue = world.submit()
    client = password_login("admin")
    response = client.get(f"/api/public/issues/{issue.tracking_code}/", HTTP_ACCEPT="application/json")
    assert response.status_code == 200
