"""Bulk accept and assign on the case list: each case through the service, and a report of how
many succeeded and why the others did not — cases outside the scope counted as not found."""

import pytest
from django.urls import reverse

from issues.models import State
from issues.tests.admin_support import _plain_static_files, case_in_state, client_for  # noqa: F401

pytestmark = pytest.mark.django_db

URL = "admin:issues_issue_changelist"


def _messages(response) -> list[str]:
    return [str(m) for m in response.context["messages"]]


def test_bulk_accept_reports_done_wrong_state_and_out_of_scope_separately(world):
    mine = [case_in_state(world, State.SUBMITTED) for _ in range(2)]
    already = case_in_state(world, State.ACCEPTED)
    theirs = world.submit(deputy=world.deputy_b)
    selected = [c.pk for c in [*mine, already, theirs]]
    response = client_for(world, "deputy_a").post(
        reverse(URL), {"action": "accept_selected", "_selected_action": selected}, follow=True
    )
    texts = _messages(response)
    assert len(texts) == 3, texts
    assert texts[0].startswith("2 ")  # accepted
    assert texts[1].startswith("1 ")  # wrong state, with the service's reason
    assert texts[2].startswith("1 ")  # not found: never says it belongs to another station
    assert theirs.short_code not in response.content.decode()
    for case in mine:
        case.refresh_from_db()
        assert case.state == State.ACCEPTED
    theirs.refresh_from_db()
    assert theirs.state == State.SUBMITTED and theirs.events.count() == 1


def test_bulk_assign_asks_for_the_department_then_assigns_through_the_service(world):
    reviewed = case_in_state(world, State.REVIEWED)
    submitted = case_in_state(world, State.SUBMITTED)
    theirs = world.submit(deputy=world.deputy_b)
    client = client_for(world, "station_staff")
    selected = [reviewed.pk, submitted.pk, theirs.pk]
    page = client.post(reverse(URL), {"action": "assign_selected", "_selected_action": selected})
    assert page.status_code == 200
    body = page.content.decode()
    assert world.department.name in body and reviewed.short_code in body and theirs.short_code not in body
    data = {"action": "assign_selected", "_selected_action": selected, "apply": "1", "department": world.department.pk}
    texts = _messages(client.post(reverse(URL), data, follow=True))
    assert [t[:2] for t in texts] == ["1 ", "1 ", "1 "], texts
    reviewed.refresh_from_db()
    submitted.refresh_from_db()
    assert (reviewed.state, reviewed.department) == (State.ASSIGNED, world.department)
    assert submitted.state == State.SUBMITTED


def test_bulk_assign_without_a_department_changes_nothing(world):
    reviewed = case_in_state(world, State.REVIEWED)
    client = client_for(world, "station_staff")
    data = {"action": "assign_selected", "_selected_action": [reviewed.pk], "apply": "1", "department": ""}
    assert client.post(reverse(URL), data).status_code == 200  # the form again, with its error
    reviewed.refresh_from_db()
    assert reviewed.state == State.REVIEWED


def test_deputies_and_township_staff_are_not_offered_bulk_assign(world):
    for role, expected in [("deputy_a", {"accept_selected", "merge_selected"}), ("township_staff", set())]:
        response = client_for(world, role).get(reverse(URL))
        form = response.context["action_form"]  # None when no action is offered at all
        choices = {value for value, _label in form.fields["action"].choices if value} if form else set()
        assert choices == expected, role


def test_case_page_shows_a_failed_forwarding_and_staff_can_retry_it(world):
    from issues.models import Forwarding

    issue = case_in_state(world, State.ASSIGNED)
    row = Forwarding.objects.filter(issue=issue).first() or Forwarding.objects.create(
        issue=issue, round=issue.round, key=f"test-{issue.pk}"
    )
    Forwarding.objects.filter(pk=row.pk).update(status=Forwarding.Status.FAILED, last_error="平台返回 503")
    url = reverse("admin:issues_issue_change", args=[issue.pk])
    staff_page = client_for(world, "station_staff").get(url).content.decode()
    assert "平台返回 503" in staff_page and 'data-action="retry_forwarding"' in staff_page
    deputy_page = client_for(world, "deputy_a").get(url).content.decode()
    assert "平台返回 503" in deputy_page and 'data-action="retry_forwarding"' not in deputy_page
    retry = reverse("admin:issues_issue_retry_forwarding", args=[issue.pk, row.pk])
    assert client_for(world, "deputy_b").post(retry).status_code == 404
    client_for(world, "station_staff").post(retry)
    row.refresh_from_db()
    assert row.status == Forwarding.Status.PENDING
