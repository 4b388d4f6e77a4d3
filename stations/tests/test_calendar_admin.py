"""The holiday schedule (stations.CalendarDay) in the admin: entered by superusers or by staff
they grant the permission to, checked before it is saved, and in force for deadlines at once."""

import datetime
from zoneinfo import ZoneInfo

import pytest
from django.contrib.auth.models import Permission
from django.db import IntegrityError, transaction
from django.urls import reverse

from issues import workdays
from issues.tests.admin_support import _plain_static_files, client_for  # noqa: F401
from issues.workdays import add_working_days
from stations.models import CalendarDay

pytestmark = pytest.mark.django_db

SHANGHAI = ZoneInfo("Asia/Shanghai")
NEW_YEARS_EVE = datetime.datetime(2026, 12, 31, 10, 0, tzinfo=SHANGHAI)
CHANGELIST = reverse("admin:stations_calendarday_changelist")
ADD = reverse("admin:stations_calendarday_add")


def end_of(year, month, day) -> datetime.datetime:
    return datetime.datetime(year, month, day, 23, 59, 59, tzinfo=SHANGHAI)


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _fresh_schedule():
    workdays.forget_schedule()
    yield
    workdays.forget_schedule()


def row(day="2027-01-01", kind="holiday", name="元旦", note=""):
    return {"date": day, "kind": kind, "name": name, "note": note, "_save": "1"}


def test_superuser_enters_new_years_day_2027_and_deadlines_skip_it_at_once(world):
    client = client_for(world, "admin")
    assert add_working_days(NEW_YEARS_EVE, 1) == end_of(2027, 1, 1)
    response = client.post(ADD, row())
    assert response.status_code == 302
    day = CalendarDay.objects.get()
    assert (day.date, day.kind, day.name) == (datetime.date(2027, 1, 1), "holiday", "元旦")
    assert add_working_days(NEW_YEARS_EVE, 1) == end_of(2027, 1, 4)


def test_deleting_a_day_in_the_admin_gives_deadlines_the_weekday_back_at_once(world):
    day = CalendarDay.objects.create(date=datetime.date(2027, 1, 1), kind="holiday", name="元旦")
    assert add_working_days(NEW_YEARS_EVE, 1) == end_of(2027, 1, 4)
    client = client_for(world, "admin")
    response = client.post(reverse("admin:stations_calendarday_delete", args=[day.pk]), {"post": "yes"})
    assert response.status_code == 302
    assert not CalendarDay.objects.exists()
    assert add_working_days(NEW_YEARS_EVE, 1) == end_of(2027, 1, 1)


def test_deleting_several_days_with_the_bulk_action_counts_at_once(world):
    days = [
        CalendarDay.objects.create(date=datetime.date(2027, 1, 1), kind="holiday", name="元旦"),
        CalendarDay.objects.create(date=datetime.date(2027, 1, 4), kind="holiday", name="元旦"),
    ]
    assert add_working_days(NEW_YEARS_EVE, 1) == end_of(2027, 1, 5)
    client = client_for(world, "admin")
    response = client.post(
        CHANGELIST, {"action": "delete_selected", "_selected_action": [d.pk for d in days], "post": "yes"}
    )
    assert response.status_code == 302
    assert not CalendarDay.objects.exists()
    assert add_working_days(NEW_YEARS_EVE, 1) == end_of(2027, 1, 1)


def test_editing_a_day_in_the_admin_counts_at_once(world):
    day = CalendarDay.objects.create(date=datetime.date(2027, 1, 2), kind="workday", name="元旦")
    assert add_working_days(NEW_YEARS_EVE, 2) == end_of(2027, 1, 2)  # Friday 1, Saturday 2 (make-up)
    client = client_for(world, "admin")
    response = client.post(reverse("admin:stations_calendarday_change", args=[day.pk]), row(day="2027-01-01"))
    assert response.status_code == 302
    assert add_working_days(NEW_YEARS_EVE, 1) == end_of(2027, 1, 4)


def test_a_make_up_working_day_on_a_weekday_is_refused_in_chinese(world):
    client = client_for(world, "admin")
    response = client.post(ADD, row(day="2027-02-05", kind="workday", name="春节"))  # a Friday
    assert response.status_code == 200
    assert "调休上班日只能是周六或周日。" in response.content.decode()
    assert not CalendarDay.objects.exists()


def test_a_make_up_working_day_on_a_saturday_is_accepted(world):
    client = client_for(world, "admin")
    response = client.post(ADD, row(day="2027-02-06", kind="workday", name="春节"))
    assert response.status_code == 302
    assert CalendarDay.objects.get().kind == CalendarDay.Kind.WORKDAY


def test_the_same_date_twice_is_refused(world):
    CalendarDay.objects.create(date=datetime.date(2027, 1, 1), kind="holiday", name="元旦")
    client = client_for(world, "admin")
    response = client.post(ADD, row(name="元旦（重复）"))
    assert response.status_code == 200
    assert CalendarDay.objects.count() == 1
    assert CalendarDay.objects.get().name == "元旦"


def test_an_unknown_kind_is_refused_by_the_form_and_by_the_database(world):
    client = client_for(world, "admin")
    response = client.post(ADD, row(kind="halfday"))
    assert response.status_code == 200 and not CalendarDay.objects.exists()
    with pytest.raises(IntegrityError), transaction.atomic():
        CalendarDay.objects.create(date=datetime.date(2027, 1, 1), kind="halfday", name="元旦")


def test_the_list_shows_the_weekday_in_chinese(world):
    CalendarDay.objects.create(date=datetime.date(2027, 2, 6), kind="workday", name="春节")
    response = client_for(world, "admin").get(CHANGELIST)
    assert response.status_code == 200
    page = response.content.decode()
    assert "星期六" in page and "调休上班" in page


@pytest.mark.parametrize("role", ["deputy_a", "station_staff", "township_staff"])
def test_people_without_the_permission_can_neither_see_nor_change_the_schedule(world, role):
    client = client_for(world, role)
    assert client.get(CHANGELIST).status_code == 403
    assert client.post(ADD, row()).status_code == 403
    assert not CalendarDay.objects.exists()
    assert CHANGELIST not in client.get(reverse("admin:index")).content.decode()


def test_staff_granted_the_permissions_enter_the_schedule(world):
    codenames = ["view_calendarday", "add_calendarday", "change_calendarday"]
    world.township_staff.user_permissions.add(*Permission.objects.filter(codename__in=codenames))
    client = client_for(world, "township_staff")
    assert CHANGELIST in client.get(reverse("admin:index")).content.decode()
    assert client.post(ADD, row()).status_code == 302
    assert CalendarDay.objects.filter(date=datetime.date(2027, 1, 1)).exists()
