"""A case is handed to a department of its own township or to a county department serving that
township, never to any department of the city: the case page lists only those, and the service
(so the admin, the bulk action and the API alike) refuses the others with a clear reason and
writes nothing."""

import pytest
from django.urls import reverse
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from issues.departments import departments_in_scope, serving_region_ids
from issues.models import Department, Forwarding, IssueEvent, State
from issues.services import issue_assign
from issues.tests.admin_support import _plain_static_files, case_in_state, client_for  # noqa: F401
from liaison.errors import InvalidInput
from stations.models import Region

pytestmark = pytest.mark.django_db


@pytest.fixture
def departments(world):
    """白泉镇's own office (world.department), 定海区's transport bureau (its county), 秀山乡's
    office and 岱山县's bureau (another county), a city department and one without a region."""
    dinghai = world.baiquan.parent
    daishan = world.xiushan.parent
    made = {
        "baiquan": world.department,
        "dinghai": Department.objects.create(name="定海区交通运输局", region=dinghai),
        "xiushan": Department.objects.create(name="秀山乡村镇建设办", region=world.xiushan),
        "daishan": Department.objects.create(name="岱山县交通运输局", region=daishan),
        "city": Department.objects.create(name="舟山市住建局", region=world.city),
        "nowhere": Department.objects.create(name="未设区划的办公室"),
        "closed": Department.objects.create(name="白泉镇已撤销办公室", region=world.baiquan, is_active=False),
    }
    world.departments = made
    return world


# station -> the departments that serve its cases, township first.
SERVED = {
    "railway_point": ["baiquan", "dinghai"],  # the point sits in 潮面村, a village of 白泉镇
    "xiushan_station": ["xiushan", "daishan"],
}


@pytest.mark.parametrize("station", list(SERVED))
def test_a_case_may_go_to_its_townships_and_its_countys_departments_only(departments, station):
    world = departments
    issue = case_in_state(world, State.REVIEWED, station=getattr(world, station))
    names = {d.pk: key for key, d in world.departments.items()}
    assert [names[d.pk] for d in departments_in_scope(issue)] == SERVED[station]


def test_a_station_at_county_level_is_served_by_the_county_departments(departments):
    world = departments
    dinghai = world.baiquan.parent
    assert serving_region_ids(dinghai) == [dinghai.pk]
    village = Region.objects.create(name="新村", code="330902104299", level=Region.Level.VILLAGE, parent=world.baiquan)
    assert serving_region_ids(village) == [world.baiquan.pk, dinghai.pk]


@pytest.mark.parametrize("outside", ["xiushan", "daishan", "city", "nowhere"])
def test_the_service_refuses_a_department_outside_the_cases_scope_and_writes_nothing(departments, outside):
    world = departments
    issue = case_in_state(world, State.REVIEWED)
    events = IssueEvent.objects.filter(issue=issue).count()
    department = world.departments[outside]
    with pytest.raises(InvalidInput) as raised:
        issue_assign(actor=world.actor("station_staff"), issue_id=issue.pk, department_id=department.pk)
    assert department.name in str(raised.value.message) and raised.value.field == "department"
    issue.refresh_from_db()
    assert issue.state == State.REVIEWED and issue.department_id is None
    assert IssueEvent.objects.filter(issue=issue).count() == events
    assert not Forwarding.objects.filter(issue=issue).exists()


def test_the_county_department_serving_the_township_is_accepted(departments):
    world = departments
    issue = case_in_state(world, State.REVIEWED)
    issue_assign(actor=world.actor("station_staff"), issue_id=issue.pk, department_id=world.departments["dinghai"].pk)
    issue.refresh_from_db()
    assert issue.state == State.ASSIGNED and issue.department == world.departments["dinghai"]


def test_the_case_page_lists_only_the_departments_serving_the_case(departments):
    world = departments
    issue = case_in_state(world, State.REVIEWED)
    page = client_for(world, "station_staff").get(reverse("admin:issues_issue_change", args=[issue.pk]))
    form = next(b["form"] for b in page.context["buttons"] if b["action"] == "assign")
    assert list(form.fields["department"].queryset) == [world.departments["baiquan"], world.departments["dinghai"]]
    body = page.content.decode()
    for outside in ("xiushan", "daishan", "city", "nowhere", "closed"):
        assert world.departments[outside].name not in body


def test_the_admin_refuses_a_posted_department_outside_the_scope_with_its_reason(departments):
    world = departments
    issue = case_in_state(world, State.REVIEWED)
    url = reverse("admin:issues_issue_action", args=[issue.pk, "assign"])
    response = client_for(world, "station_staff").post(
        url, {"department": world.departments["xiushan"].pk}, follow=True
    )
    texts = [str(m) for m in response.context["messages"]]
    assert any(world.departments["xiushan"].name in text for text in texts), texts
    issue.refresh_from_db()
    assert issue.state == State.REVIEWED


def _api(world, user) -> APIClient:
    client = APIClient()
    token, _ = Token.objects.get_or_create(user=user)
    client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    return client


def test_the_api_refuses_an_out_of_scope_department_with_a_clear_error(departments):
    world = departments
    issue = case_in_state(world, State.REVIEWED)
    response = _api(world, world.station_staff).post(
        f"/api/issues/{issue.pk}/assign/", {"department_id": world.departments["daishan"].pk}, format="json"
    )
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "invalid" and world.departments["daishan"].name in error["message"]
    issue.refresh_from_db()
    assert issue.state == State.REVIEWED


def test_the_api_lists_the_departments_a_case_may_go_to(departments):
    world = departments
    issue = case_in_state(world, State.REVIEWED)
    response = _api(world, world.station_staff).get("/api/departments/", {"issue": issue.pk})
    assert response.status_code == 200
    assert {row["id"] for row in response.json()["results"]} == {
        world.departments["baiquan"].pk,
        world.departments["dinghai"].pk,
    }


@pytest.mark.parametrize("value", ["abc", "0", "99999999999999999999", "-1"])
def test_the_api_department_list_for_a_bad_case_id_is_not_found(departments, value):
    response = _api(departments, departments.station_staff).get("/api/departments/", {"issue": value})
    assert response.status_code == 404


def test_the_api_department_list_for_another_stations_case_is_not_found(departments):
    world = departments
    theirs = case_in_state(world, State.REVIEWED, station=world.xiushan_station)
    response = _api(world, world.station_staff).get("/api/departments/", {"issue": theirs.pk})
    assert response.status_code == 404
    assert world.departments["xiushan"].name not in response.content.decode()
