"""In a real Chromium, station staff see a case proposed by the escalation chain in their case
list and take it up with one click on the list itself: the button submits the list's own form
(and its CSRF token) to the one-click URL, and the case becomes a topic of the next appointment."""

import datetime as dt

import pytest
from django.utils import timezone

from activities.models import EscalatedCase, Kind
from activities.services import activity_create
from issues import clock, services
from issues.escalation import escalate_cases
from issues.models import State
from issues.tests.lifecycle import REOPEN_REASON, REPLY_TEXT, drive_to
from testsupport.browser import screenshot
from testsupport.world import PASSWORD, build_world

pytestmark = [pytest.mark.browser]


@pytest.fixture
def _fast_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def test_one_click_on_the_proposal_in_the_case_list_escalates_the_case(
    browser, live_server, transactional_db, _fast_hashing
):
    world = build_world()
    staff = world.actor("station_staff")
    issue = drive_to(world, State.REPLIED)
    services.issue_reopen(actor=staff, issue_id=issue.pk, reason=REOPEN_REASON)
    services.issue_reply(actor=staff, issue_id=issue.pk, text=REPLY_TEXT)
    services.issue_reopen(actor=staff, issue_id=issue.pk, reason=REOPEN_REASON)
    drive_to(world, State.SUBMITTED)  # another case in the list, not proposed
    assert escalate_cases() == 1
    planned = activity_create(
        actor=staff,
        station_id=world.railway_point.pk,
        kind=Kind.TOWNSHIP_HEAD_APPOINTMENT,
        theme="乡长有约：路灯",
        date=timezone.localdate(clock.now()) + dt.timedelta(days=5),
    )
    context = browser.new_context(viewport={"width": 1280, "height": 800}, locale="zh-CN")
    page = context.new_page()
    try:
        page.goto(f"{live_server.url}/admin/")
        page.fill("#id_username", "station_staff")
        page.fill("#id_password", PASSWORD)
        page.click("input[type=submit]")
        page.goto(f"{live_server.url}/admin/issues/issue/?queue=all")
        page.wait_for_selector("#result_list")
        buttons = page.locator("#result_list button.liaison-proposal-badge")
        assert buttons.count() == 1
        screenshot(page, "admin-list-escalation-proposal-1280")
        buttons.first.click()
        page.wait_for_url(f"**/admin/activities/activity/{planned.pk}/change/")
    finally:
        context.close()
    assert list(EscalatedCase.objects.values_list("activity_id", "case_id")) == [(planned.pk, issue.pk)]
