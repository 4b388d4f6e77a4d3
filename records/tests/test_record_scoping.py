"""Who reads whose duty record, on the admin page and over the API: a deputy their own, staff
the deputies of their stations, superusers all; everyone else a 404 (never a 403 that confirms
the deputy exists). The matrix covers every role of the named world and every deputy."""

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from issues.tests.admin_support import client_for, user_of
from records.tests.conftest import OCTOBER

pytestmark = [pytest.mark.django_db, pytest.mark.postgres]

# role -> the deputies (by world attribute) whose record that role reads.
READS = {
    "admin": {"deputy_a", "deputy_b", "colleague"},
    "deputy_a": {"deputy_a"},
    "deputy_b": {"deputy_b"},
    "station_staff": {"deputy_a", "colleague"},
    "township_staff": {"deputy_a", "colleague"},
}
PERIOD = {"start": OCTOBER[0].isoformat(), "end": OCTOBER[1].isoformat()}


def _deputies(world, colleague):
    return {"deputy_a": world.deputy_a, "deputy_b": world.deputy_b, "colleague": colleague}


def _api(world, role) -> APIClient:
    client = APIClient()
    token, _ = Token.objects.get_or_create(user=user_of(world, role))
    client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    return client


@pytest.mark.parametrize("role", sorted(READS))
def test_each_role_reads_exactly_the_records_in_its_scope(october, colleague, frozen_now, role):
    page_client, api_client = client_for(october, role), _api(october, role)
    for name, deputy in _deputies(october, colleague).items():
        page = page_client.get(reverse("records:deputy", args=[deputy.pk]), PERIOD)
        api = api_client.get(reverse("api:deputy-record", args=[deputy.pk]), PERIOD)
        expected = 200 if name in READS[role] else 404
        assert (page.status_code, api.status_code) == (expected, expected), (role, name)
        if expected == 404:
            assert deputy.name not in page.content.decode() + api.content.decode(), (role, name)
        else:
            assert api.json()["deputy"]["name"] == deputy.name
    listing = page_client.get(reverse("records:deputies")).content.decode()
    for name, deputy in _deputies(october, colleague).items():
        assert (reverse("records:deputy", args=[deputy.pk]) in listing) == (name in READS[role]), (role, name)


def test_an_account_without_scope_sees_no_record(october, frozen_now):
    stranger = get_user_model().objects.create_user(username="stranger", password="x" * 20, is_staff=True)
    client = client_for(october, "admin")
    client.force_login(stranger)
    assert client.get(reverse("records:deputy", args=[october.deputy_a.pk])).status_code == 404
    token, _ = Token.objects.get_or_create(user=stranger)
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    assert api.get(reverse("api:deputy-record", args=[october.deputy_a.pk])).status_code == 403


def test_anonymous_visitors_are_sent_to_log_in_or_refused(october, client):
    page = client.get(reverse("records:deputy", args=[october.deputy_a.pk]))
    assert page.status_code == 302 and "login" in page["Location"]
    assert APIClient().get(reverse("api:deputy-record", args=[october.deputy_a.pk])).status_code == 401


def test_a_deputy_id_that_does_not_exist_is_a_404_like_any_other(october, frozen_now):
    assert _api(october, "admin").get(reverse("api:deputy-record", args=[999999])).status_code == 404


def test_the_api_gives_the_selectors_record(october, frozen_now):
    from records.selectors import duty_record

    body = _api(october, "station_staff").get(reverse("api:deputy-record", args=[october.deputy_a.pk]), PERIOD).json()
    record = duty_record(october.station_staff, october.deputy_a, *OCTOBER)
    assert body["cases"] == record["cases"]
    assert body["satisfaction"]["numerator"] == 1 and body["satisfaction"]["denominator"] == 2
    assert body["reception_days"]["value"] == 3 and body["promises_kept"]["denominator"] == 2
    assert body["first_day"] == "2025-10-01" and body["empty"] is False


@pytest.mark.parametrize(
    "params",
    [
        {"start": "2025-10-31", "end": "2025-10-01"},
        {"start": "2025-10-01"},
        {"start": "1999-01-01", "end": "2025-01-01"},
    ],
)
def test_a_bad_period_is_a_400_that_says_what_to_fix(october, params):
    response = _api(october, "station_staff").get(reverse("api:deputy-record", args=[october.deputy_a.pk]), params)
    assert response.status_code == 400
    assert response.json()["error"]["fields"]


def test_the_record_endpoint_is_in_the_openapi_schema(october):
    schema = APIClient().get("/api/schema/", {"format": "json"}).json()
    operation = schema["paths"]["/api/deputies/{id}/record/"]["get"]
    assert {"200", "400", "401", "403", "404"} <= set(operation["responses"])


def test_the_admin_header_leads_to_the_duty_records_and_they_to_the_roster_import(october):
    page = client_for(october, "station_staff").get(reverse("admin:index")).content.decode()
    header = page.split('id="user-tools"', 1)[1].split("</div>", 1)[0]
    assert f'href="{reverse("records:deputies")}"' in header
    listing = client_for(october, "station_staff").get(reverse("records:deputies")).content.decode()
    assert reverse("rosters:index") in listing
    assert (
        reverse("rosters:index")
        not in client_for(october, "township_staff").get(reverse("records:deputies")).content.decode()
    )
