"""In a real Chromium: township staff see the villager's name masked on the case page; deputy A
reveals name and phone on a phone, and the reveal shows on the timeline. Screenshots are kept
as test artefacts."""

import pytest

from issues import services
from issues.permissions import VILLAGER
from issues.tests.admin_support import _plain_static_files  # noqa: F401
from testsupport.browser import screenshot
from testsupport.world import PASSWORD, build_world

pytestmark = [pytest.mark.browser]

PHONE = {"width": 360, "height": 740}
DESKTOP = {"width": 1280, "height": 900}


@pytest.fixture
def _fast_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def _log_in(page, url, username):
    page.goto(f"{url}/admin/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("input[type=submit]")


def test_the_name_is_masked_for_township_staff_and_revealed_on_record_for_the_deputy(
    browser, live_server, transactional_db, _fast_hashing
):
    world = build_world()
    staff = world.actor("station_staff")
    issue = world.submit(
        content="码头边的路灯坏了三天，晚上渔民上岸看不见路。", submitter_name="赵大爷", submitter_phone="13812345678"
    )
    services.issue_accept(actor=staff, issue_id=issue.pk)
    services.issue_review(actor=staff, issue_id=issue.pk)
    services.issue_reply(actor=staff, issue_id=issue.pk, text="已联系电力所，明天上午来修。")
    services.issue_evaluate(actor=VILLAGER, issue_id=issue.pk, rating="unsatisfied", comment="第二天晚上还是不亮。")
    case_url = f"{live_server.url}/admin/issues/issue/{issue.pk}/change/"

    context = browser.new_context(viewport=DESKTOP, locale="zh-CN")
    page = context.new_page()
    try:
        _log_in(page, live_server.url, "township_staff")
        page.goto(f"{live_server.url}/admin/issues/issue/")
        assert "赵**" in page.content() and "赵大爷" not in page.content()
        screenshot(page, "privacy-1-township-case-list")
        page.goto(case_url)
        body = page.content()
        assert "赵**" in body and "赵大爷" not in body and "13812345678" not in body
        assert "群众评价意见" in body
        screenshot(page, "privacy-2-township-case-page")
    finally:
        context.close()

    context = browser.new_context(viewport=PHONE, device_scale_factor=2, is_mobile=True, has_touch=True, locale="zh-CN")
    page = context.new_page()
    try:
        _log_in(page, live_server.url, "deputy_a")
        page.goto(case_url)
        assert "赵大爷" not in page.content()
        screenshot(page, "privacy-3-deputy-before-reveal")
        page.click("form[action$='reveal-contact/'] button")
        page.wait_for_selector("a.liaison-phone")
        assert "赵大爷" in page.content() and "13812345678" in page.content()
        screenshot(page, "privacy-4-deputy-after-reveal")
    finally:
        context.close()
    assert issue.events.filter(action="reveal_phone", actor=world.deputy_a_user).count() == 1
