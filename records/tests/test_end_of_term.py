"""The end of a deputy's term at a station: every open case of theirs at that station moves to
the chosen deputy with a timeline event, and only those; the QR code sends villagers to the
station; the record stays readable; nothing moves when anything is wrong."""

from datetime import date

import pytest
from django.urls import reverse

from deputies.models import Stationing
from issues.models import Action, Issue, State
from issues.services.handover import deputy_end_term
from issues.tests.admin_support import case_in_state, client_for
from issues.timeline import check_case
from liaison.errors import ActionForbidden, InvalidInput, IssueNotFound
from records.selectors import duty_record, record_deputies
from villagers.selectors import deputy_page

pytestmark = [pytest.mark.django_db, pytest.mark.postgres]

OPEN = [State.SUBMITTED, State.ACCEPTED, State.REVIEWED, State.ASSIGNED]


@pytest.fixture
def cases(world, colleague):
    """Deputy A's cases at the railway point in every state, one of theirs at 秀山乡 (where they
    also serve as a visitor) and one of the colleague's."""
    Stationing.objects.create(
        deputy=world.deputy_a, station=world.xiushan_station, kind=Stationing.Kind.VISITING, start_date=date(2020, 1, 1)
    )
    by_state = {state: case_in_state(world, state) for state in [*OPEN, State.REPLIED]}
    rejected = world.submit()
    from issues.services import issue_reject

    issue_reject(actor=world.actor("admin"), issue_id=rejected.pk, reason="重复")
    elsewhere = world.submit(station=world.xiushan_station, deputy=world.deputy_a, content="秀山乡码头的灯坏了")
    theirs = world.submit(deputy=colleague, content="同事收到的路灯问题")
    return {"by_state": by_state, "rejected": rejected, "elsewhere": elsewhere, "theirs": theirs}


def _end(world, colleague, **kwargs):
    params = {
        "actor": world.actor("station_staff"),
        "deputy_id": world.deputy_a.pk,
        "station_id": world.railway_point.pk,
        "successor_id": colleague.pk,
    }
    return deputy_end_term(**{**params, **kwargs})


def test_every_open_case_moves_with_an_event_and_only_those(world, colleague, cases):
    before = {i.pk: (i.deputy_id, i.state, i.round) for i in Issue.objects.all()}
    result = _end(world, colleague)
    expected = sorted(cases["by_state"][s].pk for s in OPEN)
    assert sorted(result.moved) == expected
    for issue in Issue.objects.all():
        if issue.pk in expected:
            assert issue.deputy_id == colleague.pk and issue.state == before[issue.pk][1]
            event = issue.events.order_by("-created_at", "-id").first()
            assert event.action == Action.HAND_OVER and event.actor_id == world.station_staff.pk
            assert event.data == {"from_deputy": world.deputy_a.pk, "to_deputy": colleague.pk}
        else:
            assert (issue.deputy_id, issue.state, issue.round) == before[issue.pk]
        assert check_case(issue.pk).problem == ""  # the timeline chain is intact
    stationing = Stationing.objects.get(deputy=world.deputy_a, station=world.railway_point)
    assert stationing.end_date is not None
    world.deputy_a.refresh_from_db()
    assert world.deputy_a.is_active and result.stopped_serving is False  # still serving at 秀山乡


def test_a_deputy_left_serving_nowhere_stops_and_their_qr_sends_villagers_to_the_station(world, colleague):
    open_case = world.submit()
    case_in_state(world, State.REPLIED)  # answered: it stays on the deputy's record
    result = _end(world, colleague)
    assert result.moved == [open_case.pk] and result.stopped_serving
    world.deputy_a.refresh_from_db()
    assert world.deputy_a.is_active is False
    assert deputy_page(world.deputy_a.qr_token).moved_to == [world.railway_point]
    assert record_deputies(world.station_staff).filter(pk=world.deputy_a.pk).exists()
    record = duty_record(world.station_staff, world.deputy_a, date(2000, 1, 1), date(2099, 12, 31))
    assert record["serving"] is False and record["cases"]["value"] == 1


@pytest.mark.parametrize(
    "change, error",
    [
        ({"successor_id": "self"}, InvalidInput),
        ({"successor_id": "deputy_b"}, InvalidInput),  # serves at another station
        ({"actor": "township_staff"}, ActionForbidden),
        ({"actor": "deputy_b_user"}, IssueNotFound),
        ({"station_id": "xiushan"}, IssueNotFound),  # not the staff's station
    ],
)
def test_nothing_moves_when_the_hand_over_is_not_allowed(world, colleague, cases, change, error):
    values = {
        "self": world.deputy_a.pk,
        "deputy_b": world.deputy_b.pk,
        "township_staff": world.actor("township_staff"),
        "deputy_b_user": world.actor("deputy_b_user"),
        "xiushan": world.xiushan_station.pk,
    }
    before = list(Issue.objects.order_by("pk").values_list("pk", "deputy_id"))
    with pytest.raises(error):
        _end(world, colleague, **{key: values[value] for key, value in change.items()})
    assert list(Issue.objects.order_by("pk").values_list("pk", "deputy_id")) == before
    assert Stationing.objects.get(deputy=world.deputy_a, station=world.railway_point).end_date is None


def test_the_end_of_term_page_hands_over_and_returns_to_the_record(world, colleague, cases):
    url = reverse("records:end-term", args=[world.deputy_a.pk])
    staff = client_for(world, "station_staff")
    page = staff.get(url)
    assert page.status_code == 200 and colleague.name in page.content.decode()
    response = staff.post(url, {"station": world.railway_point.pk, "successor": colleague.pk})
    assert response.status_code == 302 and response["Location"] == reverse("records:deputy", args=[world.deputy_a.pk])
    assert Issue.objects.filter(deputy=colleague).count() == 1 + len(OPEN)
    for role in ("township_staff", "deputy_b", "deputy_a"):
        assert client_for(world, role).get(url).status_code == 404, role


def test_a_bad_choice_on_the_page_is_reported_and_moves_nothing(world, colleague, cases):
    staff = client_for(world, "station_staff")
    page = staff.post(
        reverse("records:end-term", args=[world.deputy_a.pk]),
        {"station": world.railway_point.pk, "successor": world.deputy_b.pk},
    )
    assert page.status_code == 200 and page.context["error"]
    assert not Issue.objects.filter(deputy=colleague).exclude(pk=cases["theirs"].pk).exists()
