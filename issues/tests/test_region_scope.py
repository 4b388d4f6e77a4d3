"""Scoping by the region tree, for every role at every level: a province, a city and a county
administrator, township staff, station staff and the deputies each see exactly their cases and
stations, in the selector, the admin list, the API and the dashboard's figures; and the scope
follows a station or a region that moves."""

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from issues.models import Issue
from issues.permissions import scope_of
from issues.selectors import issues_visible_to
from issues.tests.admin_support import _plain_static_files, client_for, user_of  # noqa: F401
from liaison.errors import InvalidInput
from stations.models import StaffMembership
from stations.services import membership_grant
from testsupport.regions import grow_province

pytestmark = pytest.mark.django_db

# role -> the stations whose cases (one each) it sees: A 白泉镇's railway point (定海区, 舟山市),
# B 秀山乡 (岱山县, 舟山市), C 大碶街道 (北仑区, 宁波市).
EXPECTED = {
    "province_admin": {"A", "B", "C"},
    "city_admin": {"A", "B"},
    "county_admin": {"A"},
    "township_staff": {"A"},
    "station_staff": {"A"},
    "deputy_a": {"A"},
    "deputy_b": {"B"},
}


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def province(world):
    grown = grow_province(world)
    grown.cases = {
        "A": world.submit(content="甲：白泉镇铁路工地的路灯坏了。"),
        "B": world.submit(deputy=world.deputy_b, content="乙：秀山乡渡口栏杆断了。"),
        "C": world.submit(station=grown.daqi_station, content="丙：大碶街道的井盖松了。"),
    }
    grown.stations = {"A": world.railway_point, "B": world.xiushan_station, "C": grown.daqi_station}
    return grown


def _letters(province, pks) -> set[str]:
    return {letter for letter, issue in province.cases.items() if issue.pk in set(pks)}


@pytest.mark.parametrize("role", EXPECTED)
def test_each_role_sees_exactly_the_cases_of_its_region_or_stations(world, province, role):
    visible = issues_visible_to(user_of(world, role)).values_list("pk", flat=True)
    assert _letters(province, visible) == EXPECTED[role]


@pytest.mark.parametrize("role", EXPECTED)
def test_the_admin_case_list_shows_each_role_exactly_its_cases(world, province, role):
    response = client_for(world, role).get(reverse("admin:issues_issue_changelist"))
    assert response.status_code == 200
    cl = response.context["cl"]
    assert _letters(province, cl.root_queryset.values_list("pk", flat=True)) == EXPECTED[role]
    assert _letters(province, [issue.pk for issue in cl.result_list]) <= EXPECTED[role]


@pytest.mark.parametrize("role", EXPECTED)
def test_the_api_lists_each_role_exactly_its_cases_and_stations(world, province, role):
    client = APIClient()
    token, _ = Token.objects.get_or_create(user=user_of(world, role))
    client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    cases = client.get("/api/issues/").json()["results"]
    assert _letters(province, [row["id"] for row in cases]) == EXPECTED[role]
    stations = {row["id"] for row in client.get("/api/stations/").json()["results"]}
    assert {letter for letter, station in province.stations.items() if station.pk in stations} == EXPECTED[role]


@pytest.mark.parametrize("role", EXPECTED)
def test_the_dashboard_counts_each_role_exactly_its_cases(world, province, role):
    response = client_for(world, role).get(reverse("dashboard:index"))
    assert response.status_code == 200
    assert response.context["figures"]["received"]["value"] == len(EXPECTED[role])
    body = response.content.decode()
    for letter, station in province.stations.items():
        if letter not in EXPECTED[role]:
            assert station.name not in body, (role, letter)


def test_a_region_scope_is_a_prefix_match_not_a_list_of_station_ids(world, province):
    scope = scope_of(province.city_admin)
    assert scope.named_station_ids == frozenset()
    with CaptureQueriesContext(connection) as queries:
        list(Issue.objects.filter(scope.issue_filter()).values_list("pk", flat=True))
    sql = queries.captured_queries[-1]["sql"]
    assert "region_path" in sql and "LIKE" in sql.upper()
    assert "station_id" not in sql
    assert scope.cache_key == f"r{world.city.path}|s|dNone"


def test_a_station_that_moves_takes_its_cases_into_the_new_region_scope(world, province):
    county = province.county_admin
    assert not scope_of(get_user_model().objects.get(pk=county.pk)).can_see(province.cases["B"])
    station = world.xiushan_station
    station.region = world.baiquan
    station.save()
    province.cases["B"].refresh_from_db()
    assert province.cases["B"].region_path == world.baiquan.path
    fresh = get_user_model().objects.get(pk=county.pk)  # a new request: a new scope
    assert _letters(province, issues_visible_to(fresh).values_list("pk", flat=True)) == {"A", "B"}


def test_a_region_that_moves_carries_its_subtree_and_cases_along(world, province):
    township = world.xiushan
    township.parent = province.dinghai
    township.save()
    township.refresh_from_db()
    assert township.path.startswith(province.dinghai.path)
    province.cases["B"].refresh_from_db()
    assert province.cases["B"].region_path == township.path
    county = get_user_model().objects.get(pk=province.county_admin.pk)
    assert _letters(province, issues_visible_to(county).values_list("pk", flat=True)) == {"A", "B"}
    city = get_user_model().objects.get(pk=province.city_admin.pk)
    assert _letters(province, issues_visible_to(city).values_list("pk", flat=True)) == {"A", "B"}


def test_region_administrators_read_cases_but_take_no_action(world, province):
    from issues.permissions import Role

    for role in ("province_admin", "city_admin", "county_admin"):
        assert scope_of(user_of(world, role)).roles_for(province.cases["A"]) == {Role.TOWNSHIP_STAFF}


@pytest.mark.parametrize(
    ("role", "region_attr"),
    [
        (StaffMembership.Role.COUNTY_ADMIN, "baiquan"),  # a township, not a county
        (StaffMembership.Role.CITY_ADMIN, "dinghai"),  # a county, not a city
        (StaffMembership.Role.PROVINCE_ADMIN, "city"),  # a city, not a province
    ],
)
def test_an_administrator_is_bound_to_a_region_of_their_level_only(world, province, role, region_attr):
    region = getattr(province, region_attr, None) or getattr(world, region_attr)
    user = get_user_model().objects.create_user(username="wrong_level")
    with pytest.raises(InvalidInput):
        membership_grant(user=user, role=role, region=region)
    assert not StaffMembership.objects.filter(user=user).exists()
    user.refresh_from_db()
    assert not user.is_staff
