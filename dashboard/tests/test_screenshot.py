"""The wall-screen view: the seed's demo data, seen by 白泉镇's township staff at 1920×1080."""

import io

import pytest
from django.core.management import call_command

from testsupport.browser import screenshot


@pytest.mark.django_db(transaction=True)
def test_the_dashboard_of_the_demo_township_staff_fits_a_wall_screen(browser, live_server, settings):
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    call_command("seed_demo", password="demo-password-123", stdout=io.StringIO())
    context = browser.new_context(viewport={"width": 1920, "height": 1080}, locale="zh-CN")
    page = context.new_page()
    page.goto(f"{live_server.url}/admin/login/?next=/dashboard/")
    page.fill("input[name=username]", "demo_township_staff")
    page.fill("input[name=password]", "demo-password-123")
    page.click("[type=submit]")
    page.wait_for_url("**/dashboard/")
    page.wait_for_selector(".chart canvas")
    page.wait_for_timeout(300)
    assert "白泉镇" in page.inner_text("h1")
    assert "秀山" not in page.content()
    assert page.locator(".card").count() >= 12
    # Nothing overflows the screen's width.
    assert page.evaluate("document.documentElement.scrollWidth") <= 1920
    full = screenshot(page, "dashboard-wall-1920x1080")  # the whole page
    page.screenshot(path=str(full.with_name("dashboard-wall-first-screen.png")))  # what the wall shows
    context.close()
