"""Content-Security-Policy in a real Chromium: every page listens for `securitypolicyviolation`
(an init script collects them before any of the page's own runs) and the test fails on any. The
villager's path with JavaScript (the form's script still works: greying the contact fields,
focusing the error summary), the staff's admin, the dashboard with its charts, and the API docs."""

import re

import pytest
from django.core.cache import cache
from django.test import Client
from django.urls import reverse

from deputies.services import deputy_rotate_token
from issues.models import Issue
from testsupport.browser import screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 360, "height": 740}
COLLECT = """
window.__violations = [];
document.addEventListener("securitypolicyviolation", (e) => {
  window.__violations.push(`${e.violatedDirective} ${e.blockedURI} ${e.sample || ""}`.trim());
});
"""


class Watched:
    """A page whose CSP violations (and console reports of them) are collected."""

    def __init__(self, context):
        self.page = context.new_page()
        self.page.add_init_script(COLLECT)
        self.console: list[str] = []
        self.page.on("console", lambda m: self.console.append(m.text) if "Content Security Policy" in m.text else None)

    def check(self, name: str) -> None:
        found = self.page.evaluate("window.__violations || []") + self.console
        assert found == [], f"{name}: {found}"
        self.console.clear()

    def visit(self, url: str, name: str):
        response = self.page.goto(url)
        assert response.status < 500, name
        assert "Content-Security-Policy" in {k.title(): v for k, v in response.headers.items()}, name
        self.check(name)
        return response


def test_the_villagers_path_runs_under_the_policy_with_no_violation(browser, live_server, world, settings):
    settings.PUBLIC_BASE_URL = live_server.url
    context = browser.new_context(viewport=PHONE, locale="zh-CN")
    watched = Watched(context)
    page = watched.page
    try:
        watched.visit(f"{live_server.url}/", "home")
        deputy_url = f"{live_server.url}{reverse('public:deputy', args=[world.deputy_a.qr_token])}"
        watched.visit(deputy_url, "deputy form")
        page.check("#f-anonymous")  # the form's script runs: the contact fields grey out
        assert page.get_attribute("#contact", "class") == "off" and page.is_disabled("#f-phone")
        page.uncheck("#f-anonymous")
        watched.visit(f"{live_server.url}{reverse('public:station', args=[world.railway_point.qr_token])}", "station")

        watched.visit(deputy_url, "deputy form again")
        page.fill("#f-content", "短")
        page.click("#f-send")
        page.wait_for_selector("#error-summary")
        assert page.evaluate("document.activeElement.id") == "error-summary"  # focused by the script
        watched.check("form with errors")
        screenshot(page, "csp-1-form-with-errors")

        page.fill("#f-content", "村口路灯坏了三天，晚上看不见路。")
        page.click("#f-send")
        page.wait_for_url("**/receipt/")
        watched.check("receipt")
        assert page.evaluate("document.getElementById('track-qr').naturalWidth") > 0
        short_code = page.inner_text("#short-code")
        page.click("text=查看办理进度")
        page.wait_for_selector("#timeline")
        watched.check("tracking")

        watched.visit(f"{live_server.url}/", "home again")
        page.fill("#f-code", short_code)
        page.click("button[type=submit]")
        page.wait_for_selector("#rate-with-link")
        watched.check("lookup result")
        assert Issue.objects.get().tracking_code not in page.content()
        assert page.evaluate("getComputedStyle(document.querySelector('.bar')).backgroundColor") == "rgb(166, 27, 27)"
        screenshot(page, "csp-2-lookup-result")

        deputy_rotate_token(deputy=world.deputy_a, by_user=world.admin)
        cache.clear()  # the old code's page is cached for half a minute
        watched.visit(deputy_url, "moved")
        assert page.locator("h1").inner_text() == "这个二维码已停用"
    finally:
        context.close()


def test_the_admin_the_dashboard_and_the_api_docs_run_under_the_policy(browser, live_server, world):
    issue = world.submit(content="码头边的路灯坏了三天，晚上看不见路。")
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN")
    client = Client()
    client.force_login(world.station_staff)
    context.add_cookies([{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}])
    watched = Watched(context)
    page = watched.page
    try:
        watched.visit(f"{live_server.url}/admin/", "admin index")
        watched.visit(f"{live_server.url}/admin/issues/issue/", "case list")
        assert issue.short_code in page.content()
        watched.visit(f"{live_server.url}/admin/issues/issue/{issue.pk}/change/", "case page")
        assert issue.short_code in page.content() and issue.content in page.content()
        screenshot(page, "csp-3-admin-case")

        watched.visit(f"{live_server.url}/dashboard/", "dashboard")
        page.wait_for_selector(".chart canvas")  # echarts drew (no eval needed)
        assert page.evaluate("document.documentElement.className") == "js"
        chart = page.locator(".chart canvas").first
        chart.hover()  # tooltips are drawn too
        watched.check("dashboard with a tooltip")
        screenshot(page, "csp-4-dashboard")

        watched.visit(f"{live_server.url}/api/docs/", "api docs")
        page.wait_for_selector(".swagger-ui .info .title")
        assert re.search("Liaison API", page.inner_text(".swagger-ui .info .title"))
        watched.check("api docs drawn")
        screenshot(page, "csp-5-api-docs")
    finally:
        context.close()
