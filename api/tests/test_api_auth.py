from django.contrib.auth import get_user_model
from rest_framework.authtoken.models import Token

from testsupport.world import PASSWORD

TOKEN = "/api/auth/token/"


def test_staff_get_a_token_and_use_it(world, anon):
    response = anon.post(TOKEN, {"username": "station_staff", "password": PASSWORD}, format="json")
    assert response.status_code == 200
    token = response.json()["token"]
    assert Token.objects.get(user=world.station_staff).key == token
    anon.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    assert anon.get("/api/issues/").status_code == 200


def test_a_wrong_password_is_400_without_a_token(world, anon):
    response = anon.post(TOKEN, {"username": "station_staff", "password": "wrong"}, format="json")
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "invalid_credentials"
    assert not Token.objects.exists()


def test_guessing_passwords_is_stopped_with_429(world, anon):
    codes = [
        anon.post(TOKEN, {"username": "station_staff", "password": f"guess{i}"}, format="json").status_code
        for i in range(12)
    ]
    assert codes[0] == 400
    assert codes[-1] == 429
    # Even the right password is refused while locked out / throttled.
    right = anon.post(TOKEN, {"username": "station_staff", "password": PASSWORD}, format="json")
    assert right.status_code == 429 and int(right["Retry-After"]) > 0


def test_staff_endpoints_without_a_token_are_401(world, anon):
    for url in ("/api/issues/", "/api/issues/1/", "/api/stations/", "/api/stats/"):
        response = anon.get(url)
        assert response.status_code == 401, url
        assert response.json()["error"]["code"] == "not_authenticated"
    assert anon.post("/api/issues/1/accept/", {}).status_code == 401


def test_a_bad_token_is_401(world, anon):
    anon.credentials(HTTP_AUTHORIZATION="Token 0000000000000000000000000000000000000000")
    response = anon.get("/api/issues/")
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "authentication_failed"


def test_an_account_without_any_station_or_region_is_403(world, anon):
    nobody = get_user_model().objects.create_user(username="nobody", password=PASSWORD)
    anon.force_authenticate(nobody)
    for url in ("/api/issues/", "/api/stations/", "/api/deputies/", "/api/departments/", "/api/stats/"):
        response = anon.get(url)
        assert response.status_code == 403, url
        assert response.json()["error"]["code"] == "forbidden"


def test_session_login_works_for_the_browsable_api(world, client, plain_static):
    client.force_login(world.station_staff)
    response = client.get("/api/issues/", HTTP_ACCEPT="text/html")
    assert response.status_code == 200
    assert b"<html" in response.content.lower()
