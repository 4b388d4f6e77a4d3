"""The long tracking code is the villager's secret and the key to the rating: it reaches the
villager (receipt, their own page) and no staff-facing page, export or API response."""

import pytest
from django.test import Client
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from issues.permissions import Actor
from issues.services import issue_accept, issue_reply, issue_review
from testsupport.twofactor import verified_login

pytestmark = pytest.mark.django_db

STAFF = ["deputy_a_user", "station_staff", "township_staff", "admin"]


@pytest.fixture
def replied_case(world):
    """A case with the villager's phone, answered: every staff page has something to show."""
    staff = Actor.of(world.station_staff)
    issue = world.submit(submitter_phone="13812345678", submitter_name="王阿婆")
    issue_accept(actor=staff, issue_id=issue.pk)
    issue_review(actor=staff, issue_id=issue.pk)
    return issue_reply(actor=staff, issue_id=issue.pk, text="已修好。")


def api_client(user) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.get_or_create(user=user)[0].key}")
    return client


@pytest.mark.parametrize("who", STAFF)
def test_no_staff_api_response_carries_the_tracking_code(world, replied_case, who):
    client = api_client(getattr(world, who))
    urls = [
        "/api/issues/",
        f"/api/issues/?search={replied_case.short_code}",
        f"/api/issues/{replied_case.pk}/",
        "/api/stations/",
        "/api/deputies/",
        "/api/stats/",
    ]
    for url in urls:
        response = client.get(url)
        assert response.status_code in (200, 404), url
        assert replied_case.tracking_code not in response.content.decode(), url
    # Action responses too, including a refused one.
    response = client.post(f"/api/issues/{replied_case.pk}/reopen/", {"reason": "再看看"}, format="json")
    assert replied_case.tracking_code not in response.content.decode()


@pytest.mark.parametrize("who", STAFF)
def test_no_staff_page_or_export_carries_the_tracking_code(world, replied_case, who):
    client = Client()
    verified_login(client, getattr(world, who))  # a superuser's pages need the second factor
    urls = [
        "/admin/",
        "/admin/issues/issue/",
        f"/admin/issues/issue/{replied_case.pk}/change/",
        "/dashboard/",
        "/dashboard/print/",
        "/dashboard/export/cases.csv",
        "/dashboard/export/cases.xlsx",
        "/dashboard/export/figures.csv",
    ]
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200, (who, url)  # the page itself, not a redirect that shows nothing
        body = b"".join(response.streaming_content) if response.streaming else response.content
        assert replied_case.tracking_code.encode() not in body, url


def test_the_tracking_code_a_villager_reads_out_still_finds_the_case_for_staff(world, replied_case):
    rows = api_client(world.station_staff).get("/api/issues/", {"search": replied_case.tracking_code}).json()
    assert [row["short_code"] for row in rows["results"]] == [replied_case.short_code]


def test_what_staff_see_cannot_rate_the_answer(world, replied_case):
    """Staff hold the case's id and short code; the rating endpoint takes neither."""
    anon = APIClient()
    for key in (str(replied_case.pk), replied_case.short_code, replied_case.short_code.replace("-", "")):
        response = anon.post(f"/api/public/issues/{key}/evaluation/", {"rating": "satisfied"}, format="json")
        assert response.status_code == 404
    replied_case.refresh_from_db()
    assert replied_case.state == "replied"
