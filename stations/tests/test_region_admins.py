"""A county administrator runs their county alone in the admin: its stations, regions, deputies,
departments, staff accounts and platform settings, and nothing of another county; no superuser,
no role above their own, no membership outside their region."""

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from deputies.models import Deputy, Stationing
from issues.models import Department, GovernancePlatform
from issues.tests.admin_support import _plain_static_files, client_for  # noqa: F401
from stations.models import Region, StaffMembership, Station
from stations.scope import scope_of
from stations.selectors import users_run_by
from testsupport.regions import grow_province

pytestmark = pytest.mark.django_db
User = get_user_model()


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def province(world):
    return grow_province(world)


@pytest.fixture
def county(world, province):
    return client_for(world, "county_admin")


def _station_form(station, **changes):
    data = {
        "name": station.name,
        "kind": station.kind,
        "region": station.region_id,
        "address": station.address,
        "phone": station.phone,
        "description": station.description,
        "is_active": "on",
    }
    for prefix in ("stationings", "duty_slots"):
        data.update({f"{prefix}-TOTAL_FORMS": "0", f"{prefix}-INITIAL_FORMS": "0"})
    return {**data, **changes}


def test_a_county_administrator_edits_and_moves_a_station_of_their_county(world, county):
    station = world.railway_point
    url = reverse("admin:stations_station_change", args=[station.pk])
    response = county.post(url, _station_form(station, name="白泉镇铁路联络点", region=world.baiquan.pk))
    assert response.status_code == 302, response.content.decode()[:2000]
    station.refresh_from_db()
    assert (station.name, station.region_id) == ("白泉镇铁路联络点", world.baiquan.pk)


def test_a_county_administrator_cannot_open_or_change_another_countys_station(world, county):
    station = world.xiushan_station
    for url in (
        reverse("admin:stations_station_change", args=[station.pk]),
        reverse("admin:stations_station_delete", args=[station.pk]),
    ):
        response = county.get(url)
        assert response.status_code in (403, 404) and station.name not in response.content.decode()
        assert county.post(url, _station_form(station, name="改掉", post="yes")).status_code in (403, 404)
    station.refresh_from_db()
    assert station.name == "秀山乡人大代表联络站"


def test_a_county_administrator_cannot_move_a_station_out_of_their_county(world, county):
    station = world.railway_point
    url = reverse("admin:stations_station_change", args=[station.pk])
    response = county.post(url, _station_form(station, region=world.xiushan.pk))
    assert response.status_code == 200  # the form again, with the error
    assert response.context["adminform"].form.errors["region"]
    station.refresh_from_db()
    assert station.region_id == world.chaomian.pk


def test_a_county_administrator_adds_a_station_in_their_county_only(world, county):
    url = reverse("admin:stations_station_add")
    assert county.post(url, _station_form(Station(name="白泉镇新站", region=world.baiquan))).status_code == 302
    response = county.post(url, _station_form(Station(name="秀山乡新站", region=world.xiushan)))
    assert response.status_code == 200 and response.context["adminform"].form.errors["region"]
    assert set(Station.objects.filter(name__endswith="新站").values_list("name", flat=True)) == {"白泉镇新站"}


def _account_form(**extra):
    return {"username": "new_clerk", "password1": "Lian-luo-2026!x", "password2": "Lian-luo-2026!x", **extra}


def test_a_county_administrator_creates_a_staff_account_with_its_membership(world, county):
    response = county.post(
        reverse("admin:auth_user_add"),
        _account_form(role="station_staff", station=world.railway_point.pk, is_superuser="on", is_staff="on"),
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    clerk = User.objects.get(username="new_clerk")
    assert not clerk.is_superuser and clerk.is_staff  # staff through the membership, never superuser
    assert list(clerk.memberships.values_list("role", "station_id")) == [("station_staff", world.railway_point.pk)]
    assert not clerk.user_permissions.exists()
    assert set(clerk.groups.values_list("name", flat=True)) == {"station_staff"}


@pytest.mark.parametrize(
    "extra",
    [
        {"role": "city_admin", "region": "city"},  # a role above their own
        {"role": "county_admin", "region": "dinghai"},  # their own rank: no
        {"role": "station_staff", "station": "xiushan_station"},  # a station of another county
        {"role": "township_staff", "region": "xiushan"},  # a township of another county
        {"role": "township_staff"},  # no region
    ],
)
def test_a_county_administrator_cannot_create_an_account_above_or_outside_their_county(world, province, county, extra):
    def pk(name):
        return (getattr(world, name, None) or getattr(province, name)).pk

    data = {key: (value if key == "role" else pk(value)) for key, value in extra.items()}
    response = county.post(reverse("admin:auth_user_add"), _account_form(**data))
    assert response.status_code == 200
    assert response.context["adminform"].form.errors
    assert not User.objects.filter(username="new_clerk").exists()


def test_a_county_administrator_never_sees_a_superuser_or_another_countys_account(world, province, county):
    xiushan_clerk = User.objects.create_user(username="xiushan_clerk")
    StaffMembership.objects.create(user=xiushan_clerk, role="station_staff", station=world.xiushan_station)
    both = User.objects.create_user(username="two_counties")
    StaffMembership.objects.create(user=both, role="station_staff", station=world.railway_point)
    StaffMembership.objects.create(user=both, role="station_staff", station=world.xiushan_station)
    run = set(users_run_by(scope_of(province.county_admin)).values_list("username", flat=True))
    assert run == {"station_staff", "township_staff"}
    for user in (world.admin, xiushan_clerk, both, province.city_admin, world.deputy_a_user):
        for view in ("change", "password_change", "history"):
            url = reverse(f"admin:auth_user_{view}", args=[user.pk])
            assert county.get(url).status_code == 404, (user.username, view)
        assert county.post(reverse("admin:auth_user_change", args=[user.pk]), {"username": "x"}).status_code == 404
    world.admin.refresh_from_db()
    assert world.admin.is_superuser and world.admin.username == "admin"


def test_a_county_administrator_edits_their_staffs_account_without_staff_or_superuser_flags(world, county):
    clerk = world.station_staff
    url = reverse("admin:auth_user_change", args=[clerk.pk])
    form = county.get(url).context["adminform"].form
    assert "is_superuser" not in form.fields and "groups" not in form.fields and "user_permissions" not in form.fields
    data = {"username": "station_staff", "first_name": "小王", "is_active": "on", "is_superuser": "on"}
    assert county.post(url, data).status_code == 302
    clerk.refresh_from_db()
    assert clerk.first_name == "小王" and not clerk.is_superuser


def test_a_county_administrator_gives_memberships_inside_their_county_below_their_rank(world, province, county):
    url = reverse("admin:stations_staffmembership_add")
    clerk = world.station_staff
    assert county.post(url, {"user": clerk.pk, "role": "township_staff", "region": world.baiquan.pk}).status_code == 302
    for refused in (
        {"user": clerk.pk, "role": "county_admin", "region": province.dinghai.pk},
        {"user": clerk.pk, "role": "township_staff", "region": world.xiushan.pk},
        {"user": world.admin.pk, "role": "township_staff", "region": world.baiquan.pk},
    ):
        response = county.post(url, refused)
        assert response.status_code == 200 and response.context["adminform"].form.errors, refused
    assert set(clerk.memberships.values_list("role", flat=True)) == {"station_staff", "township_staff"}
    assert not world.admin.memberships.exists()


def test_a_city_administrator_may_name_county_administrators_in_their_city(world, province):
    city = client_for(world, "city_admin")
    clerk = world.township_staff
    url = reverse("admin:stations_staffmembership_add")
    assert city.post(url, {"user": clerk.pk, "role": "county_admin", "region": province.daishan.pk}).status_code == 302
    response = city.post(url, {"user": clerk.pk, "role": "city_admin", "region": world.city.pk})
    assert response.status_code == 200 and response.context["adminform"].form.errors


def test_a_county_administrator_edits_their_countys_departments_only(world, province, county):
    ours = world.department
    theirs = Department.objects.create(name="秀山乡农办", region=world.xiushan)
    data = {"name": "白泉镇城建办公室", "region": world.baiquan.pk, "is_active": "on", "categories": []}
    assert county.post(reverse("admin:issues_department_change", args=[ours.pk]), data).status_code == 302
    data = {"name": "改掉", "region": world.xiushan.pk, "is_active": "on"}
    assert county.post(reverse("admin:issues_department_change", args=[theirs.pk]), data).status_code == 403
    ours.refresh_from_db()
    theirs.refresh_from_db()
    assert (ours.name, theirs.name) == ("白泉镇城建办公室", "秀山乡农办")
    response = county.post(reverse("admin:issues_department_add"), {"name": "秀山新办", "region": world.xiushan.pk})
    assert response.status_code == 200 and not Department.objects.filter(name="秀山新办").exists()


def test_a_county_administrator_changes_their_countys_platform_settings_only(world, province, county):
    def platform(region, code):
        return GovernancePlatform.objects.create(
            region=region, code=code, url=f"https://{code}.example.cn/", token_env="T", callback_secret_env="S"
        )

    ours, theirs = platform(province.dinghai, "dinghai"), platform(province.daishan, "daishan")
    changelist = county.get(reverse("admin:issues_governanceplatform_changelist"))
    assert [p.code for p in changelist.context["cl"].result_list] == ["dinghai"]
    data = {"url": "https://new.dinghai.example.cn/", "token_env": "T2", "callback_secret_env": "S", "is_active": "on"}
    assert county.post(reverse("admin:issues_governanceplatform_change", args=[ours.pk]), data).status_code == 302
    assert county.post(reverse("admin:issues_governanceplatform_change", args=[theirs.pk]), data).status_code == 404
    ours.refresh_from_db()
    theirs.refresh_from_db()
    assert (ours.url, ours.region_id, theirs.url) == (
        "https://new.dinghai.example.cn/",
        province.dinghai.pk,
        "https://daishan.example.cn/",
    )


def test_a_county_administrator_adds_a_deputy_stationed_in_their_county(world, county):
    data = {
        "name": "王立新",
        "level": "township",
        "occupation": "",
        "phone": "",
        "is_active": "on",
        "stationings-TOTAL_FORMS": "1",
        "stationings-INITIAL_FORMS": "0",
        "stationings-0-station": world.railway_point.pk,
        "stationings-0-kind": "visiting",
        "stationings-0-start_date": "2026-01-01",
    }
    assert county.post(reverse("admin:deputies_deputy_add"), data).status_code == 302
    deputy = Deputy.objects.get(name="王立新")
    assert list(Stationing.objects.filter(deputy=deputy).values_list("station_id", flat=True)) == [
        world.railway_point.pk
    ]
    data.update({"name": "外县代表", "stationings-0-station": world.xiushan_station.pk})
    assert county.post(reverse("admin:deputies_deputy_add"), data).status_code == 200
    assert not Deputy.objects.filter(name="外县代表").exists()
    response = county.post(
        reverse("admin:deputies_deputy_change", args=[world.deputy_b.pk]),
        {**data, "name": "改掉", "stationings-TOTAL_FORMS": "0"},
    )
    assert response.status_code in (403, 404)
    world.deputy_b.refresh_from_db()
    assert world.deputy_b.name == "林秀英"


def test_a_county_administrator_edits_regions_below_their_own_only(world, province, county):
    def change(region, **data):
        return county.post(reverse("admin:stations_region_change", args=[region.pk]), data)

    fields = {"level": "township", "parent": province.dinghai.pk}
    assert change(world.baiquan, name="白泉镇（改）", code=world.baiquan.code, **fields).status_code == 302
    own = {"name": "定海", "code": province.dinghai.code, "level": "district", "parent": world.city.pk}
    assert change(province.dinghai, **own).status_code == 403
    assert change(world.xiushan, name="改掉", code=world.xiushan.code, **fields).status_code == 404
    assert set(
        Region.objects.filter(pk__in=[province.dinghai.pk, world.xiushan.pk]).values_list("name", flat=True)
    ) == {
        "定海区",
        "秀山乡",
    }


def test_the_membership_service_refuses_what_the_admin_form_hides(world, province):
    from liaison.errors import ActionForbidden, InvalidInput
    from stations.services import membership_save

    county = User.objects.get(pk=province.county_admin.pk)
    refused = [
        (ActionForbidden, StaffMembership(user=world.admin, role="township_staff", region=world.baiquan)),
        (ActionForbidden, StaffMembership(user=world.station_staff, role="township_staff", region=world.xiushan)),
        (ActionForbidden, StaffMembership(user=world.station_staff, role="city_admin", region=world.city)),
        (ActionForbidden, StaffMembership(user=world.station_staff, role="station_staff")),
        (InvalidInput, StaffMembership(user=world.station_staff, role="county_admin", region=world.baiquan)),
    ]
    before = StaffMembership.objects.count()
    for error, membership in refused:
        with pytest.raises(error):
            membership_save(by_user=county, membership=membership)
    assert StaffMembership.objects.count() == before
    assert not world.admin.memberships.exists()
