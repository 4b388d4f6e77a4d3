"""/api/issues/ at millions of cases (issue 18): the count stops at a cap and says so
(`count_capped`), the pages past the cap stay reachable and in order, and a page costs the
same queries whatever the number of cases in scope."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from api import pagination
from issues.models import Channel, Issue
from issues.selectors import issues_visible_to

pytestmark = pytest.mark.django_db

WHO = ["admin", "township_staff", "station_staff", "deputy_a_user", "deputy_b_user"]


def _cases(world, n: int, *, station=None, deputy=None) -> None:
    station = station or world.railway_point
    Issue.objects.bulk_create(
        Issue(
            station=station,
            deputy=deputy or world.deputy_a,
            category=world.category,
            channel=Channel.DEPUTY_QR,
            content=f"第{i}件：码头的护栏松动了。",
            region_path=station.region.path,  # bulk_create skips save(), which sets it
        )
        for i in range(n)
    )


def test_below_the_cap_the_count_is_exact_and_not_capped(world, client_for, monkeypatch):
    monkeypatch.setattr(pagination, "COUNT_CAP", 10)
    _cases(world, 7)
    body = client_for("station_staff").get("/api/issues/", {"page_size": 5}).json()
    assert body["count"] == 7 and body["count_capped"] is False
    assert len(body["results"]) == 5 and body["next"]


def test_past_the_cap_the_count_stops_at_the_cap_and_says_so_without_counting_every_case(
    world, client_for, monkeypatch
):
    monkeypatch.setattr(pagination, "COUNT_CAP", 10)
    _cases(world, 25)
    with CaptureQueriesContext(connection) as captured:
        body = client_for("station_staff").get("/api/issues/", {"page_size": 5}).json()
    assert body["count"] == 10 and body["count_capped"] is True
    assert body["next"] and len(body["results"]) == 5
    counts = [q["sql"] for q in captured.captured_queries if q["sql"].upper().startswith("SELECT COUNT(")]
    counts = [sql for sql in counts if 'FROM "issues_issue"' in sql]
    assert counts and all("LIMIT 11" in sql for sql in counts), counts


def test_following_next_past_the_cap_reaches_every_case_in_the_lists_order(world, client_for, monkeypatch):
    monkeypatch.setattr(pagination, "COUNT_CAP", 4)
    _cases(world, 9)
    _cases(world, 4, station=world.xiushan_station, deputy=world.deputy_b)  # not station staff's
    client = client_for("station_staff")
    seen, url, pages = [], "/api/issues/?page_size=2", 0
    while url:
        body = client.get(url).json()
        seen += [row["id"] for row in body["results"]]
        url, pages = body["next"], pages + 1
        assert pages <= 10
    expected = list(issues_visible_to(world.station_staff).order_by("-created_at", "-id").values_list("pk", flat=True))
    assert seen == expected and len(seen) == 9


def test_a_late_page_asked_for_directly_opens_and_a_page_past_the_end_is_404(world, client_for, monkeypatch):
    monkeypatch.setattr(pagination, "COUNT_CAP", 4)
    _cases(world, 11)
    client = client_for("admin")
    late = client.get("/api/issues/", {"page_size": 2, "page": 6}).json()
    assert len(late["results"]) == 1 and late["next"] is None and late["previous"]
    assert late["count_capped"] is False and late["count"] == 11  # the cap was raised to reach it
    assert client.get("/api/issues/", {"page_size": 2, "page": 7}).status_code == 404


@pytest.mark.parametrize("who", WHO)
def test_a_page_takes_as_many_queries_with_many_cases_as_with_a_few(world, client_for, who):
    for station, deputy in ((world.railway_point, world.deputy_a), (world.xiushan_station, world.deputy_b)):
        _cases(world, 3, station=station, deputy=deputy)
    client = client_for(who)

    def queries(params) -> int:
        with CaptureQueriesContext(connection) as captured:
            response = client.get("/api/issues/", params)
        assert response.status_code == 200 and response.json()["results"]
        return len(captured.captured_queries)

    few = queries({"page_size": 2})
    for station, deputy in ((world.railway_point, world.deputy_a), (world.xiushan_station, world.deputy_b)):
        _cases(world, 60, station=station, deputy=deputy)
        _cases(world, 20, station=station, deputy=world.deputy_a)  # deputy_a's cases at another station
    assert queries({"page_size": 2}) == few
    assert queries({"page_size": 2, "page": 20}) == few


def test_the_schema_documents_the_capped_count(anon):
    schema = anon.get("/api/schema/", {"format": "json"}).json()
    page = schema["components"]["schemas"]["PaginatedIssueListList"]
    assert page["properties"]["count_capped"]["type"] == "boolean"
    assert "count_capped" in page["required"]
