"""The superuser's first login on a phone (360 px, real Chromium): sent to set up two-step
verification, the QR code is drawn and scans to the otpauth address, the recovery codes follow.
Screenshots are kept in test-artifacts/."""

import io
import time
from urllib.parse import unquote

import pytest
from django_otp.plugins.otp_totp.models import TOTPDevice
from PIL import Image

from accounts.tests.support import code_now, code_of_next_step, enroll, wrong_code
from testsupport.browser import screenshot
from testsupport.world import PASSWORD, build_world

pytestmark = [pytest.mark.browser]

PHONE = {"width": 360, "height": 740}


def test_superuser_sets_up_two_step_verification_on_a_phone(browser, live_server, transactional_db, settings):
    from pyzbar.pyzbar import decode

    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    world = build_world()
    context = browser.new_context(viewport=PHONE, device_scale_factor=2, is_mobile=True, has_touch=True, locale="zh-CN")
    page = context.new_page()
    try:
        page.goto(f"{live_server.url}/admin/")
        page.fill("#id_username", "admin")
        page.fill("#id_password", PASSWORD)
        page.click("input[type=submit]")
        page.wait_for_url("**/account/2fa/setup/**")
        qr = page.locator("#totp-qr")
        # Drawn in the page itself: the Content-Security-Policy would refuse a data: image.
        assert page.evaluate("() => document.getElementById('totp-qr').getBoundingClientRect().width") >= 200
        box = qr.bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"]
        assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
        screenshot(page, "twofactor-1-setup-phone")

        scanned = decode(Image.open(io.BytesIO(qr.screenshot())))
        assert len(scanned) == 1
        uri = unquote(scanned[0].data.decode())
        assert uri.startswith("otpauth://totp/Liaison 人大代表联络站:admin?")
        assert "issuer=Liaison 人大代表联络站" in uri

        device = TOTPDevice.objects.get(user=world.admin, confirmed=False)
        page.fill("#id_code", code_now(device))
        page.click("input[type=submit]")
        page.wait_for_selector("#recovery-codes")
        assert page.locator("#recovery-codes li").count() == 10
        assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
        screenshot(page, "twofactor-2-recovery-codes-phone")

        page.click("text=我已保存")
        page.wait_for_url(f"{live_server.url}/admin/")
        assert page.locator("#site-name").count() == 1
        screenshot(page, "twofactor-3-admin-phone")
    finally:
        context.close()


def test_an_enrolled_superuser_is_told_a_code_is_wrong_then_gets_in_on_a_phone(
    browser, live_server, transactional_db, settings
):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    world = build_world()
    device, _codes = enroll(world.admin)
    context = browser.new_context(viewport=PHONE, device_scale_factor=2, is_mobile=True, has_touch=True, locale="zh-CN")
    page = context.new_page()
    try:
        page.goto(f"{live_server.url}/admin/issues/issue/")
        page.fill("#id_username", "admin")
        page.fill("#id_password", PASSWORD)
        page.click("input[type=submit]")
        page.wait_for_url("**/account/2fa/verify/**")
        page.fill("#id_code", wrong_code(device))
        page.click("input[type=submit]")
        page.wait_for_selector(".errorlist")
        assert "验证码不正确" in page.locator(".errorlist").inner_text()
        assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
        screenshot(page, "twofactor-4-wrong-code-phone")

        time.sleep(1.1)  # one wrong code: the device waits a second before it tries again
        page.fill("#id_code", code_of_next_step(device))
        page.click("input[type=submit]")
        page.wait_for_url(f"{live_server.url}/admin/issues/issue/")
    finally:
        context.close()
