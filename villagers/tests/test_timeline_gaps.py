"""The villager's tracking page describes every event it can and never fails on one it cannot:
events written by an import, a bench fill or an older version may lack the rating or the
department their line names."""

import pytest
from django.urls import reverse

from issues.models import IssueEvent, Rating
from issues.selectors import public_timeline
from villagers.tests.conftest import zh

pytestmark = pytest.mark.django_db


def append_event(issue, action: str, data) -> None:
    IssueEvent.objects.create(
        issue=issue,
        action=action,
        from_state=issue.state,
        to_state=issue.state,
        round=1,
        actor_kind="system",
        data=data,
    )


@pytest.mark.parametrize("data", [{}, {"rating": "excellent"}, {"rating": None}, [], None])
def test_an_evaluation_without_a_known_rating_is_shown_as_rated_without_a_500(client, world, data):
    issue = world.submit()
    append_event(issue, "evaluate", data if data is not None else {})

    response = client.get(reverse("public:track", args=[issue.tracking_code]))

    assert response.status_code == 200
    html = response.content.decode()
    assert zh("You rated the reply") in html
    assert zh("Your case was received") in html


def test_a_hand_over_without_a_department_name_names_the_department_responsible(client, world):
    issue = world.submit()
    append_event(issue, "assign", {"department_id": 1})

    response = client.get(reverse("public:track", args=[issue.tracking_code]))

    assert response.status_code == 200
    assert zh("Handed to the department responsible") in response.content.decode()


def test_events_that_carry_their_details_keep_their_full_lines(world):
    issue = world.submit()
    append_event(issue, "evaluate", {"rating": "basically_satisfied"})
    append_event(issue, "assign", {"department": "城建办"})

    titles = [event.title for event in public_timeline(issue)]

    assert zh("You rated the reply: %(rating)s", rating=Rating.BASICALLY_SATISFIED.label) in titles
    assert zh("Handed to %(department)s", department="城建办") in titles
