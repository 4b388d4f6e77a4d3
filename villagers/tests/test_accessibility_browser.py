"""Every villager page in a real Chromium, in the standard and the elderly mode (长辈版): axe-core
finds no WCAG 2.0/2.1/2.2 A or AA violation, nothing scrolls sideways at 320 and 360 CSS px (a
cheap phone, and a 1280 px window zoomed to 400 %) nor at 360 px with the text at 200 %, and
each page is screenshot at phone size in test-artifacts/ (accessibility-MODE-PAGE.png).

The pages: home; the lookup with a mistake; the deputy's page; the deputy's form with mistakes
and a kept photo; the station's page with a problem shown for "me too" (its phone field open)
and the page after tapping it; the receipt; the tracking page with the answer and its rating
form; the tracking page once rated; the tracking page of a case on the results wall
(with its take-down button); the station's results wall; the tracking page once taken down; the
lookup's result; the station directory; a QR code no longer in use; a page that does not exist.
The mode is switched by tapping the header's link, as a villager would, and the pages are
visited with JavaScript on (the form's script runs) and must break no rule of the
Content-Security-Policy."""

import datetime
import io

import pytest
from django.core.cache import cache
from django.core.files.base import ContentFile
from django.utils import timezone
from PIL import Image

from deputies.services import deputy_rotate_token
from issues.models import Issue
from issues.services import issue_accept, issue_reply, issue_review
from issues.services.metoo import public_call_show
from results.services import publication_publish, publication_review
from stations.models import DutySlot, Station
from testsupport.axe import axe_violations
from testsupport.browser import screenshot
from villagers.tests.test_csp_browser import COLLECT

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 360, "height": 740}
WIDTHS = (320, 360)
FITS = "document.documentElement.scrollWidth <= window.innerWidth"
WIDEST = """() => [...document.querySelectorAll("body *")]
  .filter((e) => e.getBoundingClientRect().right > window.innerWidth + 0.5)
  .slice(0, 6)
  .map((e) => `${e.tagName}#${e.id}.${e.className} ${Math.round(e.getBoundingClientRect().right)}`)"""
DOUBLE_TEXT = """() => {
  const root = document.documentElement;
  root.style.setProperty("font-size", parseFloat(getComputedStyle(root).fontSize) * 2 + "px", "important");
}"""


class Checked:
    """A phone-sized page whose every visit is checked with axe-core and for sideways scrolling."""

    def __init__(self, page, mode: str):
        self.page, self.mode, self.seen = page, mode, []

    def check(self, name: str) -> None:
        page = self.page
        assert page.locator("#mode-switch").is_visible(), f"{name}: no visible mode switch"
        assert page.evaluate("window.__violations") == [], f"{self.mode} {name}: the page broke its CSP"
        violations = axe_violations(page)
        assert violations == [], f"{self.mode} {name}:\n" + "\n".join(violations)
        for width in WIDTHS:
            page.set_viewport_size({"width": width, "height": 740})
            assert page.evaluate(FITS), f"{self.mode} {name}: scrolls sideways at {width} px"
        page.set_viewport_size(PHONE)
        screenshot(page, f"accessibility-{self.mode}-{name}")
        page.evaluate(DOUBLE_TEXT)
        wide = page.evaluate(WIDEST)
        assert page.evaluate(FITS), f"{self.mode} {name}: scrolls sideways with the text at 200 %: {wide}"
        page.evaluate("document.documentElement.style.removeProperty('font-size')")
        self.seen.append(name)


def portrait() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (240, 300), (170, 140, 120)).save(out, format="JPEG")
    return out.getvalue()


@pytest.mark.parametrize("mode", ["standard", "elder"])
def test_every_villager_page_passes_axe_and_fits_a_phone_in_both_modes(
    browser, live_server, world, settings, tmp_path, mode
):
    settings.PUBLIC_BASE_URL = live_server.url
    world.deputy_a.photo.save("chen.jpg", ContentFile(portrait()))
    Station.objects.filter(pk=world.railway_point.pk).update(address="白泉镇潮面村甬舟铁路项目部", phone="0580-8012345")
    today = timezone.localdate()
    DutySlot.objects.create(deputy=world.deputy_a, station=world.railway_point, date=today)
    DutySlot.objects.create(deputy=world.deputy_a, station=world.railway_point, date=today + datetime.timedelta(days=2))
    picture = tmp_path / "road.jpg"
    Image.new("RGB", (800, 600), (90, 120, 160)).save(picture, format="JPEG")
    deputy_url = f"{live_server.url}/d/{world.deputy_a.qr_token}/"

    context = browser.new_context(viewport=PHONE, locale="zh-CN")
    page = context.new_page()
    page.add_init_script(COLLECT)  # the elderly mode's stylesheet is allowed by the policy too
    checked = Checked(page, mode)
    try:
        page.goto(f"{live_server.url}/")
        if mode == "elder":
            page.click("#mode-switch")
            page.wait_for_selector("#mode-switch:has-text('标准版')")
            assert page.evaluate("parseFloat(getComputedStyle(document.body).fontSize)") >= 22
        else:
            assert page.evaluate("parseFloat(getComputedStyle(document.body).fontSize)") >= 18
        checked.check("home")
        page.click("button[type=submit]")
        page.wait_for_selector(".errors")
        checked.check("lookup-with-a-mistake")

        page.goto(deputy_url)
        assert page.locator("h1").inner_text() == "陈海涛"
        checked.check("deputy")
        page.fill("#f-content", "短")
        page.set_input_files("#f-photos", str(picture))
        page.click("#f-send")
        page.wait_for_selector("#error-summary")
        assert page.locator("#kept-photos li").count() == 1
        checked.check("deputy-form-with-mistakes")
        page.fill("#f-content", "村口路灯坏了三天，晚上看不见路。")
        page.click("#f-send")
        page.wait_for_url("**/receipt/")
        checked.check("receipt")

        issue = Issue.objects.get()
        issue_accept(actor=world.actor("deputy_a_user"), issue_id=issue.pk)
        issue_review(actor=world.actor("station_staff"), issue_id=issue.pk)
        issue_reply(actor=world.actor("station_staff"), issue_id=issue.pk, text="已联系供电所，路灯明天修好。")
        page.goto(f"{live_server.url}/t/{issue.tracking_code}/")
        page.wait_for_selector("#rate")
        checked.check("tracking-with-the-answer")
        page.check("#r-satisfied")
        page.click("#rate button[type=submit]")
        page.wait_for_url("**?rated=1")
        checked.check("tracking-rated")

        review = publication_review(actor=world.actor("station_staff"), issue_id=issue.pk)
        publication_publish(
            actor=world.actor("station_staff"),
            issue_id=issue.pk,
            problem=review.problem.text,
            answer=review.answer.text,
        )
        page.reload()
        page.wait_for_selector("#take-down")
        checked.check("tracking-on-the-results-wall")
        page.click("main a[href$='/results/']")
        page.wait_for_selector("article.result")
        checked.check("results-wall")
        page.go_back()
        page.click("#take-down")
        page.wait_for_selector("#taken-down")
        checked.check("tracking-taken-down")

        page.goto(f"{live_server.url}/")
        page.fill("#f-code", issue.short_code)
        page.click("button[type=submit]")
        page.wait_for_selector("#rate-with-link")
        checked.check("lookup-result")

        shown = world.submit(content="码头的护栏松了，小孩容易掉下去。")
        public_call_show(actor=world.actor("station_staff"), issue_id=shown.pk, text="码头的护栏松了，小孩容易掉下去。")
        page.goto(f"{live_server.url}/s/{world.railway_point.qr_token}/")
        assert "陈海涛" in page.inner_text("main") and "码头的护栏松了" in page.inner_text("#metoo")
        page.click("#metoo summary")  # the optional phone field of "me too", open
        checked.check("station")
        page.click("#metoo button[type=submit]")
        page.wait_for_selector("h1:has-text('谢谢')")
        checked.check("metoo-recorded")

        page.goto(f"{live_server.url}/")
        page.click("#to-directory")
        page.wait_for_selector("article.station")
        assert page.locator("article.station").count() == 2 and "0580-8012345" in page.inner_text("main")
        checked.check("directory")

        deputy_rotate_token(deputy=world.deputy_a, by_user=world.admin)
        cache.clear()  # the old code's page is cached for half a minute
        page.goto(deputy_url)
        assert page.locator("h1").inner_text() == "这个二维码已停用"
        checked.check("moved")
        page.goto(f"{live_server.url}/t/no-such-code/")
        checked.check("not-found")
        assert len(checked.seen) == 16
    finally:
        context.close()


def test_the_axe_check_finds_what_it_must_refuse(browser):
    """The check above is only as good as the engine's run: on a page built to break the rules,
    it must name each of them."""
    page = browser.new_page()
    try:
        page.set_content('<html><body><img src="x.png"><p>低对比度</p><input type="text"></body></html>')
        page.evaluate("document.querySelector('p').style.color = '#bbb'")
        found = {line.split(" ")[0] for line in axe_violations(page)}
        assert {"image-alt", "label", "color-contrast", "html-has-lang", "document-title"} <= found
    finally:
        page.close()


def test_the_elderly_mode_is_switched_on_and_used_without_javascript(browser, live_server, world):
    """No JavaScript at all: the header's link switches the mode, the cookie keeps it from page to
    page, and a case is sent from the short form."""
    context = browser.new_context(viewport=PHONE, java_script_enabled=False, locale="zh-CN")
    page = context.new_page()
    try:
        page.goto(f"{live_server.url}/d/{world.deputy_a.qr_token}/")
        assert page.locator("#f-category").count() == 1 and page.locator("#f-name").count() == 1
        page.click("text=长辈版（大字）")
        page.wait_for_selector("#mode-switch:has-text('标准版')")
        assert page.url.endswith(f"/d/{world.deputy_a.qr_token}/")
        assert page.locator("#f-category").count() == 0 and page.locator("#f-name").count() == 0
        assert page.locator("#f-anonymous").count() == 0
        assert page.evaluate("parseFloat(getComputedStyle(document.body).fontSize)") >= 22
        assert page.evaluate("document.getElementById('f-send').getBoundingClientRect().height") >= 48
        assert page.evaluate("document.getElementById('mode-switch').getBoundingClientRect().height") >= 48
        page.fill("#f-content", "村口路灯坏了三天，晚上看不见路。")
        page.fill("#f-phone", "13805801234")
        page.check("#f-consent")
        page.click("#f-send")
        page.wait_for_url("**/receipt/")
        assert page.inner_text("#mode-switch") == "标准版"  # still in the elderly mode
        issue = Issue.objects.get()
        assert issue.submitter_phone == "13805801234" and issue.submitter_name == ""
        page.click("#mode-switch")
        page.wait_for_selector("#mode-switch:has-text('长辈版')")
        assert page.url.endswith("/receipt/")
        assert page.evaluate("parseFloat(getComputedStyle(document.body).fontSize)") == 18
    finally:
        context.close()
