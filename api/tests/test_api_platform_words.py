"""The platform's words in the API: extension requests listed, approved and refused; a case
returned by its department handed to another, with co-handling departments."""

import datetime

import pytest

from issues.models import Department, ExtensionRequest, Forwarding, PlatformNotice, State
from issues.permissions import PLATFORM, Actor
from issues.services import issue_accept, issue_assign, issue_review
from issues.services.exchange import issue_request_extension, issue_return

pytestmark = pytest.mark.django_db


def assigned(world, station=None):
    staff = Actor.of(world.station_staff if station is None else world.admin)
    issue = world.submit() if station is None else world.submit(deputy=world.deputy_b)
    issue_accept(actor=staff, issue_id=issue.pk)
    issue_review(actor=staff, issue_id=issue.pk)
    department = world.department  # 白泉镇's: it serves the railway point, not 秀山乡
    if station is not None:
        department, _ = Department.objects.get_or_create(name="秀山乡城建办", defaults={"region": station.region})
    issue_assign(actor=staff, issue_id=issue.pk, department_id=department.pk)
    issue.refresh_from_db()
    return issue


def asked(issue, *, message_id="ext-1", days=5) -> ExtensionRequest:
    forwarding = Forwarding.objects.get(issue=issue)
    issue_request_extension(
        actor=PLATFORM,
        forwarding_id=forwarding.pk,
        message_id=message_id,
        deadline=issue.deadline + datetime.timedelta(days=days),
        reason="需要等配件到货",
    )
    return ExtensionRequest.objects.get(request_id=message_id)


def test_staff_list_the_pending_requests_of_their_cases_only(world, client_for):
    mine = asked(assigned(world))
    asked(assigned(world, station=world.xiushan_station), message_id="ext-other")

    response = client_for("station_staff").get("/api/extension-requests/", {"status": "pending"})

    assert response.status_code == 200
    rows = response.json()["results"]
    assert [row["id"] for row in rows] == [mine.pk]
    assert rows[0]["reason"] == "需要等配件到货" and rows[0]["status"] == "pending"


def test_approving_through_the_api_moves_the_deadline_and_queues_the_platforms_notice(world, client_for):
    request = asked(assigned(world))

    response = client_for("station_staff").post(f"/api/extension-requests/{request.pk}/approve/", {}, format="json")

    assert response.status_code == 200 and response.json()["status"] == "approved"
    request.refresh_from_db()
    assert request.issue.deadline == request.requested_deadline
    assert PlatformNotice.objects.get(issue=request.issue).payload["approved"] is True
    again = client_for("station_staff").post(f"/api/extension-requests/{request.pk}/refuse/", {"note": "不行"})
    assert again.status_code == 409


def test_refusing_needs_a_reason_and_another_stations_request_is_not_found(world, client_for):
    request = asked(assigned(world))
    other = asked(assigned(world, station=world.xiushan_station), message_id="ext-other")
    staff = client_for("station_staff")

    assert staff.post(f"/api/extension-requests/{request.pk}/refuse/", {"note": ""}, format="json").status_code == 400
    assert staff.post(f"/api/extension-requests/{other.pk}/refuse/", {"note": "不行"}, format="json").status_code == 404
    refused = staff.post(f"/api/extension-requests/{request.pk}/refuse/", {"note": "时限内能办完"}, format="json")

    assert refused.status_code == 200 and refused.json()["decision_note"] == "时限内能办完"
    assert ExtensionRequest.objects.get(pk=other.pk).status == ExtensionRequest.Status.PENDING


def test_township_staff_may_read_but_not_decide(world, client_for):
    request = asked(assigned(world))
    township = client_for("township_staff")

    assert [row["id"] for row in township.get("/api/extension-requests/").json()["results"]] == [request.pk]
    assert township.post(f"/api/extension-requests/{request.pk}/approve/", {}, format="json").status_code == 403
    assert ExtensionRequest.objects.get(pk=request.pk).status == ExtensionRequest.Status.PENDING


def test_a_returned_case_is_handed_to_another_department_with_co_handlers_through_the_api(world, client_for):
    issue = assigned(world)
    issue_return(
        actor=PLATFORM,
        forwarding_id=Forwarding.objects.get(issue=issue).pk,
        message_id="ret-1",
        reason="不属于本部门职责",
    )
    harbour = Department.objects.create(name="岱山县港航中心", region=world.baiquan)
    helper = Department.objects.create(name="白泉镇农业农村办", region=world.baiquan)
    staff = client_for("station_staff")

    detail = staff.get(f"/api/issues/{issue.pk}/").json()
    assert detail["state"] == State.REVIEWED and "assign" in detail["available_actions"]
    response = staff.post(
        f"/api/issues/{issue.pk}/assign/",
        {"department_id": harbour.pk, "co_department_ids": [helper.pk]},
        format="json",
    )

    assert response.status_code == 200 and response.json()["state"] == State.ASSIGNED
    second = Forwarding.objects.get(issue=issue, sequence=2)
    assert second.department == harbour and list(second.co_departments.all()) == [helper]
    bad = staff.post(
        f"/api/issues/{issue.pk}/assign/", {"department_id": harbour.pk, "co_department_ids": ["x"]}, format="json"
    )
    assert bad.status_code in (400, 409)


def test_the_schema_documents_the_new_actions(anon):
    paths = anon.get("/api/schema/", {"format": "json"}).json()["paths"]

    assert "/api/extension-requests/" in paths
    for action in ("approve", "refuse"):
        post = paths[f"/api/extension-requests/{{id}}/{action}/"]["post"]
        assert set(post["responses"]) >= {"200", "400", "401", "403", "404", "409"}
    assign = paths["/api/issues/{id}/assign/"]["post"]["requestBody"]["content"]["application/json"]["schema"]
    assert assign["$ref"].endswith("/Assign")
