"""A case reopened twice is proposed by the escalation chain (issues.escalation): station staff see
the proposal on the case page and in the case list, and one click makes the case the topic of the
station's next appointment with the township head (or opens the form with the case filled in when
none is planned). Others see no button, and the click refuses them."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from activities.models import Activity, EscalatedCase, Kind
from activities.services import activity_create, escalate_case_to_appointment
from issues import clock, services
from issues.escalation import escalate_cases
from issues.models import Issue, State
from issues.tests.admin_support import _plain_static_files, client_for  # noqa: F401
from issues.tests.lifecycle import REOPEN_REASON, REPLY_TEXT, drive_to

pytestmark = pytest.mark.usefixtures("_plain_static_files")


def proposed_case(world) -> Issue:
    staff = world.actor("station_staff")
    issue = drive_to(world, State.REPLIED)
    services.issue_reopen(actor=staff, issue_id=issue.pk, reason=REOPEN_REASON)
    services.issue_reply(actor=staff, issue_id=issue.pk, text=REPLY_TEXT)
    services.issue_reopen(actor=staff, issue_id=issue.pk, reason=REOPEN_REASON)
    assert escalate_cases() == 1
    return Issue.objects.get(pk=issue.pk)


def appointment(world, station, days_ahead: int = 7) -> Activity:
    return activity_create(
        actor=world.actor("station_staff") if station == world.railway_point else world.actor("admin"),
        station_id=station.pk,
        kind=Kind.TOWNSHIP_HEAD_APPOINTMENT,
        theme="乡长有约：村道修复",
        date=timezone.localdate(clock.now()) + dt.timedelta(days=days_ahead),
    )


def click_url(issue: Issue) -> str:
    return reverse("admin:activities_escalate_proposed", args=[issue.pk])


def test_station_staff_see_the_proposal_with_its_button_on_the_case_page_and_in_the_list(world):
    issue = proposed_case(world)
    client = client_for(world, "station_staff")
    page = client.get(reverse("admin:issues_issue_change", args=[issue.pk])).content.decode()
    assert 'id="escalation-proposal"' in page and f'action="{click_url(issue)}"' in page
    listing = client.get(reverse("admin:issues_issue_changelist"), {"queue": "all"}).content.decode()
    assert f'formaction="{click_url(issue)}"' in listing


def test_the_deputy_sees_the_proposal_without_a_button(world):
    issue = proposed_case(world)
    page = client_for(world, "deputy_a").get(reverse("admin:issues_issue_change", args=[issue.pk])).content.decode()
    assert 'id="escalation-proposal"' in page and click_url(issue) not in page


def test_one_click_makes_the_case_a_topic_of_the_next_appointment_and_ends_the_proposal(world):
    issue = proposed_case(world)
    later = appointment(world, world.railway_point, days_ahead=14)
    sooner = appointment(world, world.railway_point, days_ahead=3)
    appointment(world, world.xiushan_station, days_ahead=1)  # another station's: never chosen
    response = client_for(world, "station_staff").post(click_url(issue))
    assert response.status_code == 302
    assert response["Location"] == reverse("admin:activities_activity_change", args=[sooner.pk])
    assert list(EscalatedCase.objects.values_list("activity_id", "case_id")) == [(sooner.pk, issue.pk)]
    assert later.escalated_cases.count() == 0
    assert Issue.objects.get(pk=issue.pk).escalation_proposed_at is None
    page = client_for(world, "station_staff").get(reverse("admin:issues_issue_change", args=[issue.pk]))
    assert 'id="escalation-proposal"' not in page.content.decode()


def test_the_click_from_the_list_submits_the_lists_own_form_and_still_escalates(world):
    issue = proposed_case(world)
    planned = appointment(world, world.railway_point)
    client = client_for(world, "station_staff")
    response = client.post(click_url(issue), {"action": "", "index": "0", "_selected_action": [issue.pk]})
    assert response.status_code == 302
    assert planned.escalated_cases.filter(case=issue).exists()


def test_without_a_planned_appointment_the_click_opens_the_form_with_the_case_filled_in(world):
    issue = proposed_case(world)
    client = client_for(world, "station_staff")
    response = client.post(click_url(issue))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("admin:activities_escalatedcase_add"))
    assert f"case_code={issue.short_code}" in response["Location"]
    form = client.get(response["Location"]).content.decode()
    assert f'value="{issue.short_code}"' in form
    assert not EscalatedCase.objects.exists()
    assert Issue.objects.get(pk=issue.pk).escalation_proposed_at is not None


def test_escalating_by_the_form_also_ends_the_proposal(world):
    issue = proposed_case(world)
    escalate_case_to_appointment(
        actor=world.actor("station_staff"), case_id=issue.pk, date=timezone.localdate(clock.now()), theme="乡长有约"
    )
    assert Issue.objects.get(pk=issue.pk).escalation_proposed_at is None


@pytest.mark.parametrize(
    ("role", "statuses"),
    [("deputy_a", (403,)), ("deputy_b", (403,)), ("township_staff", (403,))],
)
def test_those_who_may_not_escalate_are_refused_and_nothing_is_written(world, role, statuses):
    issue = proposed_case(world)
    appointment(world, world.railway_point)
    assert client_for(world, role).post(click_url(issue)).status_code in statuses
    assert not EscalatedCase.objects.exists()
    assert Issue.objects.get(pk=issue.pk).escalation_proposed_at is not None


def test_the_click_is_a_post_and_a_case_outside_the_scope_is_not_found(world):
    issue = proposed_case(world)
    client = client_for(world, "station_staff")
    assert client.get(click_url(issue)).status_code == 405
    other = world.submit(deputy=world.deputy_b, content="乙站：渡口栏杆断了。")
    appointment(world, world.xiushan_station)
    assert client.post(click_url(other)).status_code == 404
    assert client.post(reverse("admin:activities_escalate_proposed", args=[999999])).status_code == 404
    assert not EscalatedCase.objects.exists()
