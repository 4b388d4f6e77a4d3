""" "Me too" (我也遇到) in a real headless Chromium at a cheap phone's size (360×740), with
JavaScript off (standard mode) and on (the elderly mode, checked with axe-core): the station's
page lists the shown problem with its count; a villager opens the optional phone field, leaves
a number with consent and taps the button; the page says it was recorded, and a second tap from
the same phone is refused in Chinese. Screenshots land in test-artifacts/ (metoo-*.png)."""

import pytest
from django.core.cache import cache

from issues.models import Seconding
from issues.services.metoo import public_call_show
from testsupport.axe import axe_violations
from testsupport.browser import screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 360, "height": 740}
FITS = "document.documentElement.scrollWidth <= window.innerWidth"


def checked(page, javascript: bool) -> None:
    """Nothing scrolls sideways and axe-core finds nothing (with JavaScript on: both need it)."""
    if javascript:
        assert page.evaluate(FITS)
        assert axe_violations(page) == []


@pytest.mark.parametrize("javascript,mode", [(False, "standard"), (True, "elder")], ids=["nojs", "elder-js"])
def test_a_villager_says_me_too_with_a_phone_once_on_a_phone_sized_page(browser, live_server, world, javascript, mode):
    issue = world.submit(content="我叫王秀英，村口的路灯坏了三天，晚上看不见路。", submitter_name="王秀英")
    public_call_show(actor=world.actor("station_staff"), issue_id=issue.pk, text="村口的路灯坏了三天，晚上看不见路。")
    suffix = f"{mode}-{'js' if javascript else 'nojs'}"
    context = browser.new_context(viewport=PHONE, java_script_enabled=javascript, locale="zh-CN")
    if mode == "elder":
        context.add_cookies([{"name": "liaison_mode", "value": "elder", "url": live_server.url}])
    page = context.new_page()
    try:
        page.goto(f"{live_server.url}/s/{world.railway_point.qr_token}/")
        card = page.locator("#metoo")
        assert "村口的路灯坏了三天" in card.inner_text() and "王秀英" not in page.inner_text("body")
        assert "（已有 0 人）" in card.inner_text()
        checked(page, javascript)
        card.scroll_into_view_if_needed()
        screenshot(page, f"metoo-1-station-page-{suffix}")

        card.locator("summary").click()
        card.get_by_label("手机号码", exact=True).fill("139 0000 1111")
        card.get_by_label("我同意联络站为这个问题使用我的手机号码").check()
        checked(page, javascript)
        screenshot(page, f"metoo-2-phone-open-{suffix}")
        card.get_by_role("button", name="我也遇到").click()
        page.wait_for_selector("h1:has-text('谢谢，已记下您也遇到这个问题')")
        assert "问题答复后我们会发短信告诉您" in page.inner_text("main")
        checked(page, javascript)
        screenshot(page, f"metoo-3-recorded-{suffix}")
        assert list(Seconding.objects.values_list("phone", "sms_consent")) == [("13900001111", True)]

        page.get_by_role("link", name="返回联络站页面").click()
        cache.clear()  # the station's page is cached for half a minute: see the new count
        page.reload()
        assert "（已有 1 人）" in page.locator("#metoo").inner_text()
        page.locator("#metoo").get_by_role("button", name="我也遇到").click()
        page.wait_for_selector("h1:has-text('已经记下过了')")
        assert "您已经对这个问题点过“我也遇到”了" in page.inner_text("main")
        screenshot(page, f"metoo-4-twice-{suffix}")
        assert Seconding.objects.count() == 1
    finally:
        context.close()
