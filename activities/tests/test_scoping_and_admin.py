"""Activities are scoped like the cases, and the admin pages render for each role."""

import datetime

import pytest
from django.test import Client
from django.utils import timezone

from activities.models import Activity, Kind, Status
from activities.selectors import activities_visible_to, upcoming_public_events
from activities.services import activity_create, activity_hold, item_raise, promise_record
from issues import clock
from issues.permissions import Actor
from liaison.errors import ActionForbidden
from stations.models import DutySlot
from testsupport.twofactor import verified_login

ROLES = ["admin", "deputy_a_user", "deputy_b_user", "station_staff", "township_staff"]
BACKEND = "django.contrib.auth.backends.ModelBackend"
TODAY = datetime.date(2025, 6, 20)


def client_for(user) -> Client:
    if user.is_superuser:  # superusers have passed two-step verification (accounts.policy)
        return verified_login(Client(), user, backend=BACKEND)
    client = Client()
    client.force_login(user, backend=BACKEND)
    return client


@pytest.fixture
def activities(world):
    """A held 乡长有约 at the 白泉镇 railway point (one item with a promise), a planned evening talk
    at 秀山乡."""
    with clock.frozen_at(timezone.make_aware(datetime.datetime(2025, 6, 20, 10))):
        railway = activity_create(
            actor=world.actor("station_staff"),
            station_id=world.railway_point.pk,
            kind=Kind.TOWNSHIP_HEAD_APPOINTMENT,
            theme="铁路征地补偿乡长有约",
            topic_source="deputy",
            date=TODAY,
            deputy_ids=[world.deputy_a.pk],
            officials=[("张伟", "镇长")],
        )
        activity_hold(actor=world.actor("station_staff"), activity_id=railway.pk, minutes="纪要", attendance=15)
        item = item_raise(
            actor=world.actor("station_staff"),
            activity_id=railway.pk,
            content="征地补偿款发放进度慢。",
            deputy_id=world.deputy_a.pk,
        )
        promise_record(
            actor=world.actor("station_staff"),
            item_id=item.pk,
            measure="月底前发放完毕",
            department_id=world.department.pk,
            deadline=datetime.date(2025, 6, 30),
        )
    xiushan = Activity.objects.create(
        station=world.xiushan_station, kind=Kind.EVENING_TALK, theme="秀山渔村夜谈", date=timezone.localdate()
    )
    return railway, item, xiushan


def test_deputies_and_township_staff_see_only_their_stations_activities(world, activities):
    railway, _item, xiushan = activities
    visible = {role: set(activities_visible_to(getattr(world, role))) for role in ROLES}
    assert visible["admin"] == {railway, xiushan}
    assert visible["station_staff"] == visible["deputy_a_user"] == visible["township_staff"] == {railway}
    assert visible["deputy_b_user"] == {xiushan}


def test_township_staff_and_deputies_cannot_write(world, activities):
    _railway, _item, _xiushan = activities
    for role in ("township_staff", "deputy_a_user"):
        with pytest.raises(ActionForbidden):
            activity_create(
                actor=world.actor(role), station_id=world.railway_point.pk, kind=Kind.THEMED, theme="主题", date=TODAY
            )
    assert Activity.objects.count() == 2


@pytest.mark.usefixtures("_plain_static_files")
@pytest.mark.parametrize("role", ROLES)
def test_the_admin_pages_render_for_each_role(world, activities, role):
    railway, item, _xiushan = activities
    client = client_for(getattr(world, role))
    sees_railway = role != "deputy_b_user"
    listing = client.get("/admin/activities/activity/")
    assert listing.status_code == 200
    assert ("铁路征地补偿乡长有约" in listing.content.decode()) == sees_railway
    assert ("秀山渔村夜谈" in listing.content.decode()) == (role in ("admin", "deputy_b_user"))
    pages = [
        f"/admin/activities/activity/{railway.pk}/change/",
        f"/admin/activities/activity/{railway.pk}/supervision/",
        f"/admin/activities/activity/{railway.pk}/supervision.xlsx",
        f"/admin/activities/activityitem/{item.pk}/change/",
    ]
    for url in pages:
        assert client.get(url).status_code == (200 if sees_railway else 404), url
    for url in ("/admin/activities/activityitem/", "/admin/activities/dutyrule/", "/admin/activities/itemrating/"):
        assert client.get(url).status_code == 200, url
    may_add = role in ("admin", "station_staff")
    assert client.get("/admin/activities/activity/add/").status_code == (200 if may_add else 403)
    assert client.get("/admin/activities/dutyrule/swap/").status_code == (200 if may_add else 403)
    if sees_railway:
        page = client.get(f"/admin/activities/activity/{railway.pk}/change/").content.decode()
        assert ("Raise an item" in page or "提出事项" in page) == may_add
        print_page = client.get(f"/admin/activities/activity/{railway.pk}/supervision/").content.decode()
        assert "征地补偿款发放进度慢" in print_page and "白泉镇城建办" in print_page


@pytest.mark.usefixtures("_plain_static_files")
def test_township_staff_posting_a_workflow_button_changes_nothing(world, activities):
    railway, _item, _xiushan = activities
    response = client_for(world.township_staff).post(f"/admin/activities/activity/{railway.pk}/do/close/")
    assert response.status_code == 302
    railway.refresh_from_db()
    assert railway.status == Status.HELD
    response = client_for(world.station_staff).post(f"/admin/activities/activity/{railway.pk}/do/close/")
    railway.refresh_from_db()
    assert railway.status == Status.CLOSED


@pytest.mark.usefixtures("_plain_static_files")
def test_station_staff_add_an_activity_through_the_admin(world):
    client = client_for(world.station_staff)
    response = client.post(
        "/admin/activities/activity/add/",
        {
            "station": world.railway_point.pk,
            "kind": Kind.INSPECTION,
            "theme": "视察铁路施工现场",
            "topic_source": "congress",
            "date": "2031-05-04",
            "is_public": "on",
            "participations-TOTAL_FORMS": "1",
            "participations-INITIAL_FORMS": "0",
            "participations-0-deputy": world.deputy_a.pk,
            "participations-0-attended": "on",
            "officials-TOTAL_FORMS": "0",
            "officials-INITIAL_FORMS": "0",
            "preparatory_meetings-TOTAL_FORMS": "0",
            "preparatory_meetings-INITIAL_FORMS": "0",
            "items-TOTAL_FORMS": "0",
            "items-INITIAL_FORMS": "0",
            "escalated_cases-TOTAL_FORMS": "0",
            "escalated_cases-INITIAL_FORMS": "0",
            "photos-TOTAL_FORMS": "0",
            "photos-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    activity = Activity.objects.get(theme="视察铁路施工现场")
    assert activity.created_by == world.station_staff
    assert list(activity.deputies.all()) == [world.deputy_a]
    # The public station page sees it, with the reception days.
    DutySlot.objects.create(deputy=world.deputy_a, station=world.railway_point, date=datetime.date(2031, 5, 1))
    with clock.frozen_at(timezone.make_aware(datetime.datetime(2031, 4, 20, 9))):
        events = upcoming_public_events(world.railway_point)
    assert [(e.date, e.kind) for e in events] == [
        (datetime.date(2031, 5, 1), Kind.RECEPTION_DAY),
        (datetime.date(2031, 5, 4), Kind.INSPECTION),
    ]
    assert events[0].deputy_name == world.deputy_a.name


def test_actor_of_a_deputy_cannot_hold_their_stations_activity(world, activities):
    _railway, _item, xiushan = activities
    with pytest.raises(ActionForbidden):
        activity_hold(actor=Actor.of(world.deputy_b_user), activity_id=xiushan.pk, minutes="纪要", attendance=3)


@pytest.mark.usefixtures("_plain_static_files")
def test_station_staff_escalate_a_case_from_the_admin(world):
    case = world.submit(content="铁路施工车辆压坏村道，需要修复。")
    client = client_for(world.station_staff)
    assert client.get("/admin/activities/activity/escalate/").status_code == 200
    response = client.post(
        "/admin/activities/activity/escalate/",
        {"case_code": case.short_code.lower(), "date": "2031-05-04", "theme": "村道修复乡长有约"},
    )
    assert response.status_code == 302
    appointment = Activity.objects.get(theme="村道修复乡长有约")
    assert appointment.kind == Kind.TOWNSHIP_HEAD_APPOINTMENT
    assert list(appointment.escalated_cases.values_list("case_id", flat=True)) == [case.pk]
    assert client_for(world.township_staff).get("/admin/activities/activity/escalate/").status_code == 403
