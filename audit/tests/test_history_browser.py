"""A superuser changes a station's address in the admin with a real browser, then reads on the
station history page who changed what. Screenshots are kept as test artefacts."""

import pytest
from django.conf import settings
from django.test import Client

from testsupport.browser import screenshot
from testsupport.twofactor import verified_login
from testsupport.world import build_world

pytestmark = [pytest.mark.browser]
DESKTOP = {"width": 1280, "height": 800}


def test_a_superuser_sees_who_changed_a_stations_address(browser, live_server, transactional_db):
    world = build_world()
    station = world.railway_point
    context = browser.new_context(viewport=DESKTOP, locale="zh-CN")
    # Superusers pass two-step verification; the session of a verified login is handed over.
    session = verified_login(Client(), world.admin).cookies[settings.SESSION_COOKIE_NAME].value
    context.add_cookies([{"name": settings.SESSION_COOKIE_NAME, "value": session, "url": live_server.url}])
    page = context.new_page()
    try:
        page.goto(f"{live_server.url}/admin/stations/station/{station.pk}/change/")
        page.fill("#id_address", "白泉镇潮面村村委会一楼")
        page.click("input[name=_save]")
        page.wait_for_selector(".messagelist")

        page.goto(f"{live_server.url}/admin/audit/historicalstation/")
        first_row = page.inner_text("#result_list tbody tr:first-child")
        screenshot(page, "audit-station-history")
    finally:
        context.close()
    assert "已修改" in first_row  # simple_history's own translation of "Changed"
    assert "admin" in first_row
    assert "地址: — → 白泉镇潮面村村委会一楼" in first_row
    assert station.history.latest().history_user == world.admin
