"""Bad input is refused with a clear domain error and nothing half-written; escalation."""

import datetime

import pytest
from django.utils import timezone

from activities.models import Activity, ActivityItem, EscalatedCase, ItemRating, Kind, Status
from activities.services import (
    activity_close,
    activity_create,
    activity_hold,
    escalate_case_to_appointment,
    item_raise,
    item_rate,
    promise_record,
)
from issues import clock
from issues.models import Issue, IssueEvent, State
from liaison.errors import ActionForbidden, IllegalTransition, InvalidInput

TODAY = datetime.date(2025, 6, 20)


@pytest.fixture
def frozen():
    with clock.frozen_at(timezone.make_aware(datetime.datetime(2025, 6, 20, 10))):
        yield


@pytest.fixture
def held_session(yangshan, frozen):
    staff = yangshan.actor()
    session = activity_create(
        actor=staff,
        station_id=yangshan.station.pk,
        kind=Kind.CONGRESS_QUESTIONING,
        theme="大会问政",
        date=TODAY,
        deputy_ids=[d.pk for d in yangshan.deputies[:2]],
    )
    activity_hold(actor=staff, activity_id=session.pk, minutes="纪要", attendance=20)
    item = item_raise(actor=staff, activity_id=session.pk, content="渔港路灯坏了，晚上看不清路。")
    return session, item


def test_an_item_rated_by_a_deputy_who_did_not_take_part_is_refused(yangshan, held_session):
    _session, item = held_session
    promise_record(
        actor=yangshan.actor(),
        item_id=item.pk,
        measure="更换路灯",
        department_id=yangshan.construction.pk,
        deadline=datetime.date(2025, 7, 1),
    )
    with pytest.raises(ActionForbidden):
        item_rate(actor=yangshan.actor(2), item_id=item.pk, rating="unsatisfied", comment="没有解决")
    with pytest.raises(ActionForbidden):  # staff entering a rating for a deputy who was not there
        item_rate(actor=yangshan.actor(), item_id=item.pk, rating="satisfied", deputy_id=yangshan.deputies[3].pk)
    assert not ItemRating.objects.exists()
    item.case.refresh_from_db()
    assert (item.case.state, item.case.round) == (State.REPLIED, 1)


def test_a_deputy_rates_an_item_once_per_round(yangshan, held_session):
    _session, item = held_session
    promise_record(
        actor=yangshan.actor(),
        item_id=item.pk,
        measure="更换路灯",
        department_id=yangshan.construction.pk,
        deadline=datetime.date(2025, 7, 1),
    )
    item_rate(actor=yangshan.actor(0), item_id=item.pk, rating="satisfied")
    with pytest.raises(IllegalTransition):
        item_rate(actor=yangshan.actor(0), item_id=item.pk, rating="basically_satisfied")
    assert ItemRating.objects.count() == 1


def test_a_promise_without_a_deadline_is_refused(yangshan, held_session):
    _session, item = held_session
    events = IssueEvent.objects.filter(issue=item.case).count()
    for missing in ({"deadline": None}, {"department_id": None}, {"measure": " "}):
        params = {"measure": "更换路灯", "department_id": yangshan.construction.pk, "deadline": None} | missing
        if "deadline" not in missing:
            params["deadline"] = datetime.date(2025, 7, 1)
        with pytest.raises(InvalidInput):
            promise_record(actor=yangshan.actor(), item_id=item.pk, **params)
    item.refresh_from_db()
    assert (item.measure, item.department_id, item.deadline) == ("", None, None)
    assert Issue.objects.get(pk=item.case_id).state == State.REVIEWED
    assert IssueEvent.objects.filter(issue=item.case).count() == events


def test_an_activity_closed_without_minutes_is_refused(yangshan, frozen):
    activity = activity_create(
        actor=yangshan.actor(), station_id=yangshan.station.pk, kind=Kind.EVENING_TALK, theme="渔村夜谈", date=TODAY
    )
    with pytest.raises(InvalidInput) as error:
        activity_close(actor=yangshan.actor(), activity_id=activity.pk)
    assert error.value.field == "minutes"
    with pytest.raises(InvalidInput):
        activity_hold(actor=yangshan.actor(), activity_id=activity.pk, minutes="", attendance=10)
    activity.refresh_from_db()
    assert (activity.status, activity.minutes, activity.closed_at) == (Status.PLANNED, "", None)


def test_an_activity_is_not_held_before_its_date(yangshan, frozen):
    activity = activity_create(
        actor=yangshan.actor(),
        station_id=yangshan.station.pk,
        kind=Kind.INSPECTION,
        theme="视察渔港",
        date=TODAY + datetime.timedelta(days=3),
    )
    with pytest.raises(IllegalTransition):
        activity_hold(actor=yangshan.actor(), activity_id=activity.pk, minutes="纪要", attendance=5)
    assert Activity.objects.get(pk=activity.pk).status == Status.PLANNED


def test_a_failed_item_raise_leaves_no_case(yangshan, held_session):
    session, _item = held_session
    cases = Issue.objects.count()
    with pytest.raises(InvalidInput):
        item_raise(actor=yangshan.actor(), activity_id=session.pk, content="路", deputy_id=yangshan.deputies[0].pk)
    with pytest.raises(InvalidInput):  # not taking part
        item_raise(
            actor=yangshan.actor(),
            activity_id=session.pk,
            content="码头漏雨需要修缮",
            deputy_id=yangshan.deputies[3].pk,
        )
    assert Issue.objects.count() == cases and ActivityItem.objects.count() == 1


def test_station_staff_escalate_a_complex_case_to_an_appointment(world, frozen):
    from stations.models import StaffMembership
    from stations.services import membership_grant

    membership_grant(user=world.station_staff, role=StaffMembership.Role.STATION_STAFF, station=world.xiushan_station)
    case = world.submit(station=world.xiushan_station, content="秀山大桥通行费对本地渔民太贵。")
    link = escalate_case_to_appointment(
        actor=world.actor("station_staff"), case_id=case.pk, date=datetime.date(2025, 7, 8), theme="大桥通行费"
    )
    appointment = link.activity
    assert (appointment.kind, appointment.status, appointment.station) == (
        Kind.TOWNSHIP_HEAD_APPOINTMENT,
        Status.PLANNED,
        world.xiushan_station,
    )
    assert list(appointment.escalated_cases.values_list("case", flat=True)) == [case.pk]
    with pytest.raises(InvalidInput):
        escalate_case_to_appointment(actor=world.actor("station_staff"), case_id=case.pk, activity_id=appointment.pk)
    with pytest.raises(ActionForbidden):  # a deputy of the station reads, staff escalate
        escalate_case_to_appointment(actor=world.actor("deputy_b_user"), case_id=case.pk, activity_id=appointment.pk)
    assert EscalatedCase.objects.count() == 1


def _png() -> bytes:
    import io

    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (40, 30), (200, 30, 30)).save(out, format="PNG")
    return out.getvalue()


def test_photos_are_re_encoded_and_a_bad_one_holds_nothing(yangshan, frozen, settings, tmp_path):
    from django.core.files.uploadedfile import SimpleUploadedFile

    settings.MEDIA_ROOT = tmp_path
    activity = activity_create(
        actor=yangshan.actor(), station_id=yangshan.station.pk, kind=Kind.INSPECTION, theme="视察码头", date=TODAY
    )
    with pytest.raises(InvalidInput):
        activity_hold(
            actor=yangshan.actor(),
            activity_id=activity.pk,
            minutes="纪要",
            attendance=5,
            photos=[SimpleUploadedFile("a.png", _png()), SimpleUploadedFile("b.png", b"not a photo")],
        )
    activity.refresh_from_db()
    assert activity.status == Status.PLANNED and not activity.photos.exists()
    activity_hold(
        actor=yangshan.actor(),
        activity_id=activity.pk,
        minutes="纪要",
        attendance=5,
        photos=[SimpleUploadedFile("a.png", _png())],
    )
    photo = activity.photos.get()
    assert photo.image.name.endswith(".jpg") and (photo.width, photo.height) == (40, 30)
    assert photo.image.read(3) == b"\xff\xd8\xff"
