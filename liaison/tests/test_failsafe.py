"""Bad input gets a 4xx and a database at its limits a 503, never a plain 500."""

import json

import pytest
from django.db import OperationalError, connection
from django.test import Client

from issues.models import Issue
from liaison.failsafe import server_error

pytestmark = pytest.mark.django_db

NUL_PATHS = [
    "/t/%00/",
    "/t/%00/receipt/",
    "/t/%00/qr.png",
    "/t/%00/photos/1/",
    "/d/%00/",
    "/d/%00/photo/",
    "/s/%00/",
    "/f/%00/photos/1.jpg",
    "/api/public/issues/%00/",
    "/api/public/issues/%00/evaluation/",
    "/?code=%00",
    "/t/abc%00def/",
]


@pytest.mark.parametrize("path", NUL_PATHS)
def test_a_nul_byte_in_a_public_address_is_a_400_with_a_chinese_page(path):
    response = Client(raise_request_exception=False).get(path)
    assert response.status_code == 400
    if path.startswith("/api/"):
        assert response.json()["error"]["code"] == "bad_request"
    else:
        assert "地址" in response.content.decode()


@pytest.mark.parametrize(
    "query", ["state__exact=%00", "q=%00", "station__id__exact=1%00", "o=%00", "deputy=%00", "e=1&p=%00"]
)
def test_a_nul_byte_in_an_admin_filter_is_a_400(world, query):
    client = Client(raise_request_exception=False)
    client.force_login(world.admin)
    response = client.get(f"/admin/issues/issue/?{query}")
    assert response.status_code == 400


def test_a_nul_byte_posted_in_the_public_api_is_refused_field_by_field(world):
    response = Client().post(
        "/api/public/issues/",
        {"deputy_token": world.deputy_a.qr_token, "content": "路灯坏了\x00三天，晚上看不见路。"},
        content_type="application/json",
    )
    assert response.status_code == 400
    assert "content" in response.json()["error"]["fields"]
    assert not Issue.objects.exists()


@pytest.mark.parametrize("body", [b"[" * 5000 + b"]" * 5000, b'{"a":' * 5000 + b"1" + b"}" * 5000])
@pytest.mark.parametrize("path", ["/api/public/issues/", "/api/auth/token/"])
def test_deeply_nested_json_to_the_api_is_a_400(world, path, body):
    response = Client(raise_request_exception=False).post(path, data=body, content_type="application/json")
    assert response.status_code == 400
    assert response.json()["error"]["code"]


def test_deeply_nested_json_to_a_staff_action_is_a_400(world, client):
    client.force_login(world.station_staff)
    issue = world.submit()
    response = client.post(
        f"/api/issues/{issue.pk}/reject/", data=b"[" * 5000 + b"]" * 5000, content_type="application/json"
    )
    assert response.status_code == 400


def refuse_connection():
    """What a request meets when PostgreSQL answers 'sorry, too many clients already'."""
    raise OperationalError("FATAL:  sorry, too many clients already")


@pytest.fixture
def database_out_of_connections(monkeypatch):
    monkeypatch.setattr(connection, "ensure_connection", refuse_connection)


def test_a_villager_gets_a_chinese_retry_page_when_the_database_has_no_connection_left(world, monkeypatch):
    code = world.submit().tracking_code
    monkeypatch.setattr(connection, "ensure_connection", refuse_connection)
    response = Client(raise_request_exception=False).get(f"/t/{code}/")
    assert response.status_code == 503
    assert response["Retry-After"] == "30"
    assert "请稍后再试" in response.content.decode()


def test_the_api_answers_503_with_retry_after_when_the_database_is_unavailable(world, database_out_of_connections):
    # Logging in with a token reads the database: that is where the refusal comes.
    response = Client(raise_request_exception=False).post(
        "/api/auth/token/", {"username": "x", "password": "y"}, content_type="application/json"
    )
    assert response.status_code == 503
    assert response["Retry-After"] == "30"
    assert response.json()["error"]["code"] == "unavailable"


def test_any_other_error_is_still_a_500_but_in_chinese(rf):
    try:
        raise RuntimeError("a bug")
    except RuntimeError:
        page = server_error(rf.get("/t/abc/"))
        api = server_error(rf.get("/api/issues/"))
    assert page.status_code == 500 and "出错" in page.content.decode()
    assert "Retry-After" not in page
    assert api.status_code == 500 and json.loads(api.content)["error"]["code"] == "server_error"
