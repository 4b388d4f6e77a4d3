"""The forgiving form in a real headless Chromium at a cheap phone's size (360×740), with
JavaScript on and off: a round with several mistakes and two photos shows every mistake in a
summary and keeps the photos; one photo is removed; the villager fixes the rest, presses Enter in
the phone field, and gets one case with the photo, and a receipt whose QR code scans."""

import re

import pytest
from PIL import Image
from playwright.sync_api import TimeoutError as PlaywrightTimeout
from pyzbar.pyzbar import decode

from issues.models import Issue, KeptPhoto
from testsupport.browser import screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 360, "height": 740}
TEXT = "村口路灯坏了三天，晚上看不见路。"


LOADED = "[...document.querySelectorAll('#kept-photos img')].every(i => i.complete && i.naturalWidth > 0)"


def assert_thumbnails_shown(page, base_url: str) -> None:
    """Each kept photo's thumbnail is served to this form's holder, and drawn. In two of four full
    CI runs one thumbnail of the JavaScript-less page never finished loading although the
    server answers it (the same page passes alone and in most runs): a dropped connection of
    the test server is the likely cause, so an image that has not loaded after 10 s is asked for
    once more before the test fails."""
    for src in page.eval_on_selector_all("#kept-photos img", "imgs => imgs.map(i => i.getAttribute('src'))"):
        served = page.request.get(base_url + src)
        assert served.status == 200 and served.headers["content-type"] == "image/jpeg", src
    try:
        page.wait_for_function(LOADED, polling=100, timeout=10_000)
    except PlaywrightTimeout:
        page.eval_on_selector_all(
            "#kept-photos img", "imgs => imgs.forEach(i => { if (!i.naturalWidth) i.src = i.src + '?again'; })"
        )
        page.wait_for_function(LOADED, polling=100, timeout=20_000)


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "nojs"])
def test_a_villager_fixes_every_mistake_in_one_go_and_keeps_the_photo(
    browser, live_server, world, settings, tmp_path, javascript
):
    settings.PUBLIC_BASE_URL = live_server.url
    road, bin_ = tmp_path / "road.jpg", tmp_path / "bin.jpg"
    Image.new("RGB", (800, 600), (90, 120, 160)).save(road, format="JPEG")
    Image.new("RGB", (600, 800), (160, 120, 90)).save(bin_, format="JPEG")
    suffix = "js" if javascript else "nojs"
    context = browser.new_context(viewport=PHONE, java_script_enabled=javascript, locale="zh-CN")
    page = context.new_page()

    page.goto(f"{live_server.url}/d/{world.deputy_a.qr_token}/")
    assert page.is_visible("text=勾选匿名后，下面填写的姓名和电话不会保存")  # said before sending, JS or not
    if javascript:  # ticking 匿名 greys the contact fields out, and they are not sent
        page.check("#f-anonymous")
        assert page.is_disabled("#f-phone") and page.is_disabled("#f-name")
        screenshot(page, "villager-rounds-0-anonymous-js")
        page.uncheck("#f-anonymous")
        assert page.is_enabled("#f-phone")
    page.fill("#f-content", "灯坏")
    page.set_input_files("#f-photos", [str(road), str(bin_)])
    page.fill("#f-phone", "12345")
    page.click("#f-send")
    page.wait_for_selector("#error-summary")

    summary = page.locator("#error-summary")
    assert summary.locator("h2").inner_text() == "提交前请修改以下问题"
    assert [summary.locator("a").nth(i).get_attribute("href") for i in range(3)] == [
        "#f-content",
        "#f-phone",
        "#f-consent",
    ]
    assert summary.locator("a").count() == 3
    if javascript:
        assert page.evaluate("document.activeElement.id") == "error-summary"
    assert page.locator("#kept-photos li").count() == 2
    assert_thumbnails_shown(page, live_server.url)
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    screenshot(page, f"villager-rounds-1-errors-{suffix}")

    summary.locator('a[href="#f-phone"]').click()
    if javascript:
        assert page.evaluate("document.activeElement.id") == "f-phone"

    page.locator("#kept-photos li").nth(1).get_by_role("button").click()  # 删除 the second photo
    page.wait_for_selector("text=这张照片已删除。")
    assert page.locator("#kept-photos li").count() == 1
    assert page.input_value("#f-content") == "灯坏" and page.input_value("#f-phone") == "12345"
    screenshot(page, f"villager-rounds-2-removed-{suffix}")

    page.fill("#f-content", TEXT)
    page.fill("#f-phone", "13800138000")
    page.check("#f-consent")
    page.press("#f-phone", "Enter")  # Enter sends the form: it never presses a 删除 button
    page.wait_for_url(re.compile(r"/receipt/$"))
    qr = page.locator("#track-qr")
    page.wait_for_function("document.getElementById('track-qr').naturalWidth > 0", polling=100)
    assert "截图保存此二维码，扫码即可查看进度" in page.inner_text("main")
    screenshot(page, f"villager-rounds-3-receipt-{suffix}")

    issue = Issue.objects.get()
    assert issue.submitter_phone == "13800138000"
    assert [(a.width, a.height) for a in issue.attachments.all()] == [(800, 600)]
    assert not KeptPhoto.objects.exists()
    assert page.inner_text("#short-code") == issue.short_code
    shot = tmp_path / "qr.png"
    qr.screenshot(path=str(shot))
    with Image.open(shot) as image:
        assert decode(image)[0].data.decode() == f"{live_server.url}/t/{issue.tracking_code}/"
    context.close()
