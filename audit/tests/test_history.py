"""Changes to the reference data and to who may do what are kept with who made them: stations
and their stationings edited in the admin, departments' categories, staff memberships, group
and permission membership of accounts. Passwords are never copied, logins add nothing."""

import datetime

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.urls import reverse

from issues.tests.admin_support import _plain_static_files, client_for  # noqa: F401
from stations.models import StaffMembership, Station
from stations.services import membership_grant

pytestmark = pytest.mark.django_db


def station_form(station: Station, **changes) -> dict:
    """The station's change form as the browser posts it, its stationings and duty slots kept."""
    data = {
        "name": station.name,
        "kind": station.kind,
        "region": station.region_id,
        "address": station.address,
        "phone": station.phone,
        "description": station.description,
        "is_active": "on",
        "_save": "1",
    }
    stationings = list(station.stationings.all())
    data.update(
        {
            "stationings-TOTAL_FORMS": len(stationings),
            "stationings-INITIAL_FORMS": len(stationings),
            "stationings-MIN_NUM_FORMS": 0,
            "stationings-MAX_NUM_FORMS": 1000,
            "duty_slots-TOTAL_FORMS": 0,
            "duty_slots-INITIAL_FORMS": 0,
            "duty_slots-MIN_NUM_FORMS": 0,
            "duty_slots-MAX_NUM_FORMS": 1000,
        }
    )
    for n, row in enumerate(stationings):
        data.update(
            {
                f"stationings-{n}-id": row.pk,
                f"stationings-{n}-station": station.pk,
                f"stationings-{n}-deputy": row.deputy_id,
                f"stationings-{n}-kind": row.kind,
                f"stationings-{n}-start_date": row.start_date.isoformat(),
            }
        )
    data.update(changes)
    return data


def test_editing_a_station_in_the_admin_records_who_changed_what(world):
    station = world.railway_point
    before = station.history.count()

    response = client_for(world, "admin").post(
        reverse("admin:stations_station_change", args=[station.pk]),
        station_form(station, address="白泉镇潮面村村委会一楼", **{"stationings-0-end_date": "2030-12-31"}),
    )

    assert response.status_code == 302, response.content.decode()[:2000]
    assert station.history.count() == before + 1
    latest = station.history.latest()
    assert latest.history_type == "~"
    assert latest.history_user == world.admin
    changes = {c.field: (c.old, c.new) for c in latest.diff_against(latest.prev_record).changes}
    assert changes == {"address": ("", "白泉镇潮面村村委会一楼")}
    stationing = station.stationings.get()
    record = stationing.history.latest()
    assert record.history_user == world.admin
    assert record.end_date == datetime.date(2030, 12, 31)
    assert record.prev_record.end_date is None


def test_a_refused_admin_edit_records_nothing(world):
    station = world.railway_point
    before = station.history.count()

    response = client_for(world, "admin").post(
        reverse("admin:stations_station_change", args=[station.pk]), station_form(station, name="")
    )

    assert response.status_code == 200  # the form again, with the error
    assert station.history.count() == before


def test_a_change_made_by_a_command_or_task_is_kept_without_a_user(world):
    station = world.xiushan_station
    station.phone = "0580-4440000"
    station.save()

    latest = station.history.latest()
    assert latest.history_user is None
    assert latest.phone == "0580-4440000"


def test_granting_a_staff_membership_is_kept(world):
    user = get_user_model().objects.create_user("new_staff")

    membership = membership_grant(user=user, role=StaffMembership.Role.STATION_STAFF, station=world.xiushan_station)

    (created,) = membership.history.all()
    assert created.history_type == "+"
    assert (created.role, created.station_id) == (StaffMembership.Role.STATION_STAFF, world.xiushan_station.pk)


def test_a_department_handing_over_a_category_is_kept(world):
    department = world.department
    before = department.history.count()

    department.categories.remove(world.category)

    assert department.history.count() == before + 1
    latest = department.history.latest()
    assert list(latest.categories.values_list("category_id", flat=True)) == []
    assert list(latest.prev_record.categories.values_list("category_id", flat=True)) == [world.category.pk]


def test_group_and_permission_membership_of_an_account_is_kept(world):
    user = world.station_staff
    group = Group.objects.create(name="联络站工作人员")
    group.permissions.add(Permission.objects.get(codename="view_issue"))

    user.groups.add(group)

    latest = user.history.latest()
    assert group.pk in latest.groups.values_list("group_id", flat=True)
    assert group.pk not in latest.prev_record.groups.values_list("group_id", flat=True)
    assert list(group.history.latest().permissions.values_list("permission__codename", flat=True)) == ["view_issue"]


def test_account_history_keeps_no_password_and_no_row_per_login(world, client):
    user = world.station_staff
    before = user.history.count()

    client.force_login(user)  # Django saves the login time on the account
    user.set_password("another long passphrase")
    user.save()
    assert user.history.count() == before

    user.first_name = "立军"
    user.save()

    history_fields = {field.name for field in user.history.model._meta.fields}
    assert "password" not in history_fields
    assert "last_login" not in history_fields
    assert user.history.count() == before + 1
    assert user.history.latest().first_name == "立军"


def test_saving_without_a_change_adds_no_version(world):
    station, department = world.railway_point, world.department
    stations, departments = station.history.count(), department.history.count()

    station.save()
    department.categories.add(world.category)  # already handled there
    department.categories.set([world.category])

    assert (station.history.count(), department.history.count()) == (stations, departments)


def test_the_history_pages_are_for_superusers_only_and_show_the_change(world):
    station = world.railway_point
    client_for(world, "admin").post(
        reverse("admin:stations_station_change", args=[station.pk]), station_form(station, phone="0580-8888888")
    )
    url = reverse("admin:audit_historicalstation_changelist")

    for role in ("station_staff", "township_staff", "deputy_a"):
        assert client_for(world, role).get(url).status_code == 403, role
    page = client_for(world, "admin").get(url)

    assert page.status_code == 200
    body = page.content.decode()
    assert "0580-8888888" in body
    assert "admin" in body
