"""Deputy A triages on a phone: logs in, opens a case, accepts it and replies, in a real
Chromium at 360×740. The screenshots are kept as test artefacts."""

import pytest

from issues.models import State
from issues.tests.admin_support import _plain_static_files  # noqa: F401
from testsupport.browser import screenshot
from testsupport.world import PASSWORD, build_world

pytestmark = [pytest.mark.browser]

PHONE = {"width": 360, "height": 740}


@pytest.fixture
def _fast_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def test_deputy_accepts_and_replies_to_a_case_on_a_phone(browser, live_server, transactional_db, _fast_hashing):
    world = build_world()
    issue = world.submit(content="码头边的路灯坏了三天，晚上渔民上岸看不见路。", submitter_phone="13812345678")
    world.submit(deputy=world.deputy_b, content="乙站：渡口栏杆断了。")
    context = browser.new_context(viewport=PHONE, device_scale_factor=2, is_mobile=True, has_touch=True, locale="zh-CN")
    page = context.new_page()
    try:
        page.goto(f"{live_server.url}/admin/")
        page.fill("#id_username", "deputy_a")
        page.fill("#id_password", PASSWORD)
        screenshot(page, "admin-phone-1-login")
        page.click("input[type=submit]")
        page.goto(f"{live_server.url}/admin/issues/issue/")
        assert issue.content[:10] in page.content() and "乙站" not in page.content()
        screenshot(page, "admin-phone-2-case-list")

        page.click("#result_list .field-excerpt a")  # the code column is hidden on a phone
        page.wait_for_selector("[data-action=accept]")
        screenshot(page, "admin-phone-3-case")
        page.click("button[data-action=accept]")
        page.wait_for_selector("details[data-action=reply]")
        screenshot(page, "admin-phone-4-accepted")

        page.click("details[data-action=reply] summary")
        page.fill("details[data-action=reply] textarea", "已联系电力所，明天上午来修。")
        screenshot(page, "admin-phone-5-reply-form")
        page.click("details[data-action=reply] button[type=submit]")
        page.wait_for_selector(".messagelist")
        screenshot(page, "admin-phone-6-replied")
    finally:
        context.close()
    issue.refresh_from_db()
    assert issue.state == State.REPLIED
    assert issue.reply_text == "已联系电力所，明天上午来修。"
    assert [e.actor for e in issue.events.filter(action__in=["accept", "reply"])] == [world.deputy_a_user] * 2
