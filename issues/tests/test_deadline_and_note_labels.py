"""One term for one thing: Issue.deadline is the current state's deadline and is shown with its
kind (受理时限, 审核时限, 办结时限, 评价期限); the villager's rating comment is labelled as coming
from the villager, not as a message to them."""

import re
from datetime import timedelta

import pytest
from django.conf import settings
from django.urls import reverse

from issues import services
from issues.deadlines import DeadlineKind, deadline_kind
from issues.models import State
from issues.permissions import VILLAGER
from issues.services.core import reply_deadline
from issues.tests.admin_support import case_in_state, client_for
from issues.workdays import add_working_days


def test_each_step_sets_the_deadline_its_kind_says(world):
    """The table in issues.deadlines, checked against what the services actually write."""
    staff = world.actor("station_staff")
    issue = world.submit()
    assert deadline_kind(issue.state) == DeadlineKind.ACCEPT
    assert issue.deadline == add_working_days(issue.created_at, settings.ISSUE_ACCEPT_WORKING_DAYS)

    issue = services.issue_accept(actor=staff, issue_id=issue.pk)
    assert deadline_kind(issue.state) == DeadlineKind.REVIEW
    assert issue.deadline == add_working_days(issue.accepted_at, settings.ISSUE_REVIEW_WORKING_DAYS)

    issue = services.issue_review(actor=staff, issue_id=issue.pk)
    reviewed_deadline = issue.deadline
    assert deadline_kind(issue.state) == DeadlineKind.REPLY
    issue = services.issue_assign(actor=staff, issue_id=issue.pk, department_id=world.department.pk)
    assert deadline_kind(issue.state) == DeadlineKind.REPLY
    assert issue.deadline == reviewed_deadline  # handing on does not restart the reply clock

    issue = services.issue_reply(actor=staff, issue_id=issue.pk, text="已处理")
    assert deadline_kind(issue.state) == DeadlineKind.RATING
    assert issue.deadline == issue.replied_at + timedelta(days=settings.ISSUE_EVALUATION_WINDOW_DAYS)

    issue = services.issue_evaluate(actor=VILLAGER, issue_id=issue.pk, rating="unsatisfied", comment="没修好")
    issue.refresh_from_db()
    assert (issue.state, deadline_kind(issue.state)) == (State.REVIEWED, DeadlineKind.REPLY)  # at the station
    assert issue.deadline == reply_deadline(issue, issue.events.last().created_at)


@pytest.mark.parametrize("state", [State.REJECTED, State.EVALUATED, State.CLOSED])
def test_a_finished_case_has_no_kind_of_deadline(state):
    assert deadline_kind(state) is None


@pytest.mark.parametrize(
    ("state", "label"),
    [
        (State.SUBMITTED, "受理时限"),
        (State.ACCEPTED, "审核时限"),
        (State.REVIEWED, "办结时限"),
        (State.ASSIGNED, "办结时限"),
    ],
)
def test_the_case_list_labels_the_current_deadline_with_its_kind(world, state, label):
    case_in_state(world, state)
    url = reverse("admin:issues_issue_changelist")
    listing = client_for(world, "station_staff").get(url, {"queue": "all"}).content.decode()
    assert "当前时限" in listing and label in listing
    assert "办理期限" not in listing


def _summary_deadline(world, issue) -> str:
    page = client_for(world, "station_staff").get(reverse("admin:issues_issue_change", args=[issue.pk]))
    return re.search(r'<span class="liaison-deadline">([^<]*)</span>', page.content.decode()).group(1)


def test_the_case_page_calls_a_replied_cases_deadline_the_rating_window(world):
    issue = case_in_state(world, State.REPLIED)
    assert _summary_deadline(world, issue).startswith("评价期限: ")


def test_the_case_page_calls_a_reviewed_cases_deadline_the_reply_deadline(world):
    issue = case_in_state(world, State.REVIEWED)
    assert _summary_deadline(world, issue).startswith("办结时限: ")


def test_the_villagers_rating_comment_is_labelled_as_coming_from_the_villager(world):
    issue = case_in_state(world, State.REPLIED)
    services.issue_evaluate(actor=VILLAGER, issue_id=issue.pk, rating="unsatisfied", comment="路灯还是不亮")
    body = client_for(world, "station_staff").get(reverse("admin:issues_issue_change", args=[issue.pk])).content
    page = body.decode()
    assert "群众评价意见:</span> 路灯还是不亮" in page
    assert "致群众:</span> 路灯还是不亮" not in page
    assert "致群众:</span> 路灯已经修好了。" in page  # the reply is still a message to the villager


def test_the_api_documents_the_public_note_as_written_either_way(client):
    schema = client.get("/api/schema/", {"format": "json"}).json()
    note = schema["components"]["schemas"]["StaffEvent"]["properties"]["public_note"]
    assert "评价" in note["description"]
