"""The villager's path in a real headless Chromium at a cheap phone's size (360×740): scan the
deputy's code, write, attach a photo, send, keep the code, follow the case, rate the answer —
with JavaScript on and off. Screenshots land in test-artifacts/."""

import datetime
import io

import pytest
from django.core.files.base import ContentFile
from django.utils import timezone
from PIL import Image
from pyzbar.pyzbar import decode

from issues.models import Issue, State
from issues.services import issue_accept, issue_reply, issue_review
from liaison.qr import deputy_public_url, qr_png
from stations.models import DutySlot
from testsupport.browser import screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 360, "height": 740}


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "nojs"])
def test_villager_scans_sends_a_photo_follows_and_rates_the_case(
    browser, live_server, world, settings, tmp_path, javascript
):
    settings.PUBLIC_BASE_URL = live_server.url
    portrait = io.BytesIO()
    Image.new("RGB", (240, 300), (170, 140, 120)).save(portrait, format="JPEG")
    world.deputy_a.photo.save("chen.jpg", ContentFile(portrait.getvalue()))
    DutySlot.objects.create(
        deputy=world.deputy_a, station=world.railway_point, date=timezone.localdate() + datetime.timedelta(days=2)
    )
    png = qr_png(deputy_public_url(world.deputy_a))
    with Image.open(io.BytesIO(png)) as image:
        url = decode(image)[0].data.decode()
    picture = tmp_path / "road.jpg"
    Image.new("RGB", (800, 600), (90, 120, 160)).save(picture, format="JPEG")
    suffix = "js" if javascript else "nojs"

    context = browser.new_context(viewport=PHONE, java_script_enabled=javascript, locale="zh-CN")
    page = context.new_page()
    requested: list[str] = []
    page.on("request", lambda request: requested.append(request.url))

    page.goto(url)
    assert page.locator("h1").inner_text() == "陈海涛"
    assert page.evaluate("document.querySelector('.person img').naturalWidth") == 240
    screenshot(page, f"villager-1-deputy-page-{suffix}")
    if javascript:  # 200 % text: everything still fits the phone's width
        # Through the CSSOM: the Content-Security-Policy refuses an added <style> element.
        page.evaluate("document.documentElement.style.setProperty('font-size', '225%', 'important')")
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
        screenshot(page, "villager-1-deputy-page-text-200")
        page.reload()
    page.get_by_label("遇到了什么问题？（必填）").fill("村口路灯坏了三天，晚上看不见路。")
    page.set_input_files("#f-photos", str(picture))
    page.get_by_label("姓名", exact=True).fill("王阿婆")
    page.get_by_label("手机号码", exact=True).fill("13800138000")
    page.click("#f-send")  # no consent ticked yet: the page says why and keeps everything
    page.wait_for_selector("#error-summary")
    assert page.get_by_label("遇到了什么问题？（必填）").input_value() == "村口路灯坏了三天，晚上看不见路。"
    assert page.locator("#kept-photos li").count() == 1  # the photo is kept: no need to choose it again
    screenshot(page, f"villager-2-consent-missing-{suffix}")
    page.check("#f-consent")
    page.click("#f-send")
    page.wait_for_url("**/receipt/")
    short_code = page.inner_text("#short-code")
    screenshot(page, f"villager-3-receipt-{suffix}")

    issue = Issue.objects.get()
    assert issue.short_code == short_code and issue.attachments.count() == 1
    page.click("text=查看办理进度")
    page.wait_for_url(f"**/t/{issue.tracking_code}/")
    assert "您反映的问题已收到" in page.inner_text("#timeline")
    screenshot(page, f"villager-4-tracking-{suffix}")

    issue_accept(actor=world.actor("deputy_a_user"), issue_id=issue.pk)
    issue_review(actor=world.actor("station_staff"), issue_id=issue.pk)
    issue_reply(actor=world.actor("station_staff"), issue_id=issue.pk, text="已联系供电所，路灯明天修好。")
    page.reload()
    page.check("#r-unsatisfied")
    page.click("text=提交评价")
    page.wait_for_selector(".errors")
    assert "请说明哪里还不满意" in page.content()
    page.check("#r-unsatisfied")
    page.fill("#f-comment", "路灯还是不亮。")
    page.click("text=提交评价")
    page.wait_for_url("**?rated=1")
    assert "重新办理" in page.inner_text("main")
    screenshot(page, f"villager-5-reopened-{suffix}")
    issue.refresh_from_db()
    assert issue.round == 2 and issue.state == State.REVIEWED

    assert all(u.startswith(live_server.url) or u.startswith("data:") for u in requested), requested
    context.close()


def test_a_case_without_a_photo_is_read_by_the_fast_form_parser(browser, live_server, world, monkeypatch):
    """Most villagers send no photo: Chromium's multipart body, with its empty file part, must be
    one the fast parser reads (liaison.formparser), and read right."""
    import liaison.formparser

    results = []
    real_parse = liaison.formparser.parse_fields

    def spy(*args):
        results.append(real_parse(*args))
        return results[-1]

    monkeypatch.setattr(liaison.formparser, "parse_fields", spy)
    context = browser.new_context(viewport=PHONE, java_script_enabled=False, locale="zh-CN")
    page = context.new_page()
    page.goto(f"{live_server.url}/d/{world.deputy_a.qr_token}/")
    page.get_by_label("遇到了什么问题？（必填）").fill("码头边的垃圾桶满了，没人清理。<script>")
    page.click("#f-send")
    page.wait_for_url("**/receipt/")

    issue = Issue.objects.get()
    assert issue.content == "码头边的垃圾桶满了，没人清理。<script>" and not issue.attachments.exists()
    assert page.inner_text("#short-code") == issue.short_code
    assert len(results) == 1 and results[0] is not None  # not left to Django's parser
    assert dict(results[0])["photos"] == ""  # the empty file input, as Django reads it
    context.close()


def test_station_poster_and_deputy_cards_print_on_a4(browser, live_server, world, settings, client):
    settings.PUBLIC_BASE_URL = live_server.url
    client.force_login(world.station_staff)
    context = browser.new_context(viewport={"width": 794, "height": 1123}, locale="zh-CN")
    context.add_cookies([{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}])
    page = context.new_page()
    page.goto(f"{live_server.url}/posters/station/{world.railway_point.pk}/")
    assert "扫码向联络站反映问题" in page.inner_text("body")
    screenshot(page, "poster-station")
    page.goto(f"{live_server.url}/posters/station/{world.railway_point.pk}/cards/")
    assert page.locator(".card").count() == 1
    screenshot(page, "poster-station-cards")
    page.goto(f"{live_server.url}/posters/deputy/{world.deputy_a.pk}/")
    screenshot(page, "poster-deputy")
    assert len(page.pdf(format="A4")) > 1000  # prints
    context.close()
