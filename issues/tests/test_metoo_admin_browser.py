"""Station staff show a case for "me too" (我也遇到) on a 360 px phone, in a real Chromium: the
case page offers the de-identified text with what was taken out; a text with a name left in is
refused with the reason; the reviewed text is shown, and the station's page lists it. The
screenshots are kept as test artefacts (admin-metoo-*.png)."""

import pytest

from issues.models import PublicCall
from issues.tests.admin_support import _plain_static_files  # noqa: F401
from testsupport.browser import screenshot
from testsupport.world import PASSWORD, build_world

pytestmark = [pytest.mark.browser]

PHONE = {"width": 360, "height": 740}
FITS = "document.documentElement.scrollWidth <= window.innerWidth"


@pytest.fixture
def _fast_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def test_station_staff_review_and_show_a_case_for_me_too_on_a_phone(
    browser, live_server, transactional_db, _fast_hashing
):
    world = build_world()
    issue = world.submit(
        content="我叫王秀英，住潮面村12号，码头边的路灯坏了三天。电话13805801234。", submitter_name="王秀英"
    )
    context = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True, locale="zh-CN")
    page = context.new_page()
    try:
        page.goto(f"{live_server.url}/admin/")
        page.fill("#id_username", "station_staff")
        page.fill("#id_password", PASSWORD)
        page.click("input[type=submit]")
        page.goto(f"{live_server.url}/admin/issues/issue/{issue.pk}/change/")
        panel = page.locator("#metoo")
        assert panel.locator("textarea").input_value() == "我叫王某，住潮面村××号，码头边的路灯坏了三天。电话[手机号]。"
        assert "姓名“王秀英”" in panel.inner_text()
        panel.scroll_into_view_if_needed()
        assert page.evaluate(FITS)
        screenshot(page, "admin-metoo-1-review")

        panel.locator("textarea").fill("王秀英家门口码头边的路灯坏了三天。")
        panel.locator("#metoo-show").click()
        page.wait_for_selector(".messagelist")
        assert "仍有个人信息" in page.inner_text(".messagelist") and not PublicCall.objects.exists()
        page.locator("#metoo textarea").fill("码头边的路灯坏了三天。")
        page.locator("#metoo-show").click()
        page.wait_for_selector("#metoo-hide")
        assert "码头边的路灯坏了三天。" in page.inner_text("#metoo-text") and page.evaluate(FITS)
        screenshot(page, "admin-metoo-2-shown")

        page.goto(f"{live_server.url}/s/{world.railway_point.qr_token}/")
        assert "码头边的路灯坏了三天。" in page.inner_text("#metoo") and "王秀英" not in page.inner_text("body")
    finally:
        context.close()
    assert PublicCall.objects.get().shown_by == world.station_staff
