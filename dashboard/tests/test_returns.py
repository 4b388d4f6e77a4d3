"""退办率 by department: of the hand-overs to each lead department, how many it sent back."""

import pytest
from django.test import Client

from dashboard.returns import returns_by_department
from issues.models import Department, Forwarding
from issues.permissions import PLATFORM, Actor
from issues.selectors import issues_visible_to
from issues.services import issue_accept, issue_assign, issue_review
from issues.services.exchange import issue_return

pytestmark = pytest.mark.django_db


def hand_over(world, department, *, deputy=None):
    staff = Actor.of(world.station_staff if deputy is None else world.admin)
    issue = world.submit(deputy=deputy or world.deputy_a)
    issue_accept(actor=staff, issue_id=issue.pk)
    issue_review(actor=staff, issue_id=issue.pk)
    issue_assign(actor=staff, issue_id=issue.pk, department_id=department.pk)
    return issue


def send_back(issue, message_id: str):
    forwarding = Forwarding.objects.filter(issue=issue).order_by("-sequence").first()
    issue_return(actor=PLATFORM, forwarding_id=forwarding.pk, message_id=message_id, reason="不属于本部门职责")


def test_each_lead_department_has_its_hand_overs_its_returns_and_their_rate(world):
    harbour = Department.objects.create(name="岱山县港航中心", region=world.baiquan)
    returned = hand_over(world, world.department)
    hand_over(world, world.department)
    hand_over(world, world.department)
    send_back(returned, "ret-1")
    issue_assign(actor=Actor.of(world.station_staff), issue_id=returned.pk, department_id=harbour.pk)

    rows = returns_by_department(issues_visible_to(world.township_staff))

    assert rows == [
        {"department": world.department.name, "handed": 3, "returned": 1, "rate": 1 / 3},
        {"department": harbour.name, "handed": 1, "returned": 0, "rate": 0.0},
    ]


def test_the_dashboard_shows_the_returns_of_the_users_scope_only(world):
    mine = hand_over(world, world.department)
    theirs_department = Department.objects.create(name="秀山乡农办", region=world.xiushan)
    theirs = hand_over(world, theirs_department, deputy=world.deputy_b)
    send_back(mine, "ret-mine")
    send_back(theirs, "ret-theirs")
    client = Client()
    client.force_login(world.township_staff)

    page = client.get("/dashboard/").content.decode()

    assert 'id="returns"' in page
    assert world.department.name in page and theirs_department.name not in page
    assert "1/1" in page
