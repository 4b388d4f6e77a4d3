"""Logins an attacker cannot wear down: guesses spread over many addresses still lock the
account, one address spraying passwords over many accounts is throttled, and API tokens end
(they expire, die with a password change, and can be revoked)."""

from datetime import timedelta

import pytest
import time_machine
from django.conf import settings
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from liaison import ratelimit
from testsupport.world import PASSWORD

pytestmark = pytest.mark.django_db

TOKEN_URL = "/api/auth/token/"


def admin_login(username: str, password: str, address: str):
    return Client(REMOTE_ADDR=address).post(
        reverse("admin:login"), {"username": username, "password": password, "next": "/admin/"}
    )


def logged_in(response) -> bool:
    return response.status_code == 302 and response.wsgi_request.user.is_authenticated


def test_guesses_from_many_addresses_lock_the_account_for_the_next_address_too(world):
    for n in range(settings.AXES_FAILURE_LIMIT + 1):
        assert not logged_in(admin_login("deputy_a", f"guess-{n}", f"203.0.113.{n + 1}"))
    assert not logged_in(admin_login("deputy_a", PASSWORD, "198.51.100.99"))


def test_password_spraying_from_one_address_is_throttled_across_usernames(world, settings):
    settings.RATE_LIMITS = {"login_fail_ip": ratelimit.Limit(6, 3600)}
    usernames = ["deputy_a", "deputy_b", "station_staff", "township_staff", "admin", "nobody-1", "nobody-2"]
    for name in usernames:  # one wrong password per account: no account reaches its own limit
        admin_login(name, "Spring2026!", "203.0.113.50")
    # The address is now refused, even with a right password...
    refused = admin_login("station_staff", PASSWORD, "203.0.113.50")
    assert not logged_in(refused)
    assert refused.status_code in (403, 429)
    # ...while the same account logs in from its own office.
    assert logged_in(admin_login("station_staff", PASSWORD, "198.51.100.20"))


def test_a_token_login_from_a_throttled_address_says_too_many_attempts(world, settings):
    settings.RATE_LIMITS = {"login_fail_ip": ratelimit.Limit(2, 3600)}
    client = APIClient(REMOTE_ADDR="203.0.113.60")
    for name in ("deputy_a", "deputy_b"):
        assert client.post(TOKEN_URL, {"username": name, "password": "x"}, format="json").status_code == 400
    response = client.post(TOKEN_URL, {"username": "station_staff", "password": PASSWORD}, format="json")
    assert response.status_code == 429
    assert response.json()["error"]["code"] == "rate_limited"


def test_a_locked_out_account_gets_429_from_the_token_login_not_wrong_password(world, settings):
    settings.RATE_LIMITS_ENABLED = False  # only django-axes' lockout in play
    client = APIClient()
    for n in range(settings.AXES_FAILURE_LIMIT):
        client.post(TOKEN_URL, {"username": "station_staff", "password": f"g{n}"}, format="json")
    response = client.post(TOKEN_URL, {"username": "station_staff", "password": PASSWORD}, format="json")
    assert response.status_code == 429
    assert response.json()["error"]["code"] == "rate_limited"


def token_of(client: APIClient, username: str) -> str:
    response = client.post(TOKEN_URL, {"username": username, "password": PASSWORD}, format="json")
    assert response.status_code == 200
    assert response.json()["expires_at"]
    return response.json()["token"]


def authed(token: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    return client


def test_a_token_expires_and_logging_in_again_gives_a_new_one(world, settings):
    settings.API_TOKEN_HOURS = 12
    token = token_of(APIClient(), "station_staff")
    assert authed(token).get("/api/issues/").status_code == 200
    with time_machine.travel(timezone.now() + timedelta(hours=12, minutes=1)):
        expired = authed(token).get("/api/issues/")
        assert expired.status_code == 401
        assert expired.json()["error"]["code"] == "authentication_failed"
        fresh = token_of(APIClient(), "station_staff")
        assert fresh != token
        assert authed(fresh).get("/api/issues/").status_code == 200


def test_an_expired_token_sent_along_does_not_stop_logging_in_again(world):
    token = token_of(APIClient(), "station_staff")
    Token.objects.filter(key=token).update(created=timezone.now() - timedelta(days=30))
    client = authed(token)
    assert client.post(TOKEN_URL, {"username": "station_staff", "password": PASSWORD}, format="json").status_code == 200


def test_a_token_can_be_revoked_with_delete(world):
    token = token_of(APIClient(), "station_staff")
    client = authed(token)
    assert client.delete(TOKEN_URL).status_code == 204
    assert not Token.objects.filter(key=token).exists()
    assert client.get("/api/issues/").status_code == 401
    assert APIClient().delete(TOKEN_URL).status_code == 401  # nothing to revoke without one


def test_changing_the_password_ends_the_token(world):
    token = token_of(APIClient(), "station_staff")
    world.station_staff.set_password("a-new-and-long-password-2026")
    world.station_staff.save()
    assert authed(token).get("/api/issues/").status_code == 401


def test_deactivating_the_account_ends_the_token(world):
    token = token_of(APIClient(), "station_staff")
    world.station_staff.is_active = False
    world.station_staff.save()
    assert not Token.objects.filter(key=token).exists()


def test_saving_the_user_for_anything_else_keeps_the_token(world):
    token = token_of(APIClient(), "station_staff")
    world.station_staff.first_name = "立军"
    world.station_staff.save()
    assert authed(token).get("/api/issues/").status_code == 200
