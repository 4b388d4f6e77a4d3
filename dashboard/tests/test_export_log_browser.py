"""A superuser reads the export log in a real Chromium: who exported which list, with which
filters, how many rows; no button to add, change or delete. Screenshots are test artefacts."""

import pytest

from dashboard.services import export_log_record
from testsupport.browser import screenshot
from testsupport.twofactor import complete_two_factor
from testsupport.world import PASSWORD, build_world

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("plain_static")]


def test_a_superuser_reads_the_export_log_and_cannot_change_it(browser, live_server, transactional_db):
    world = build_world()
    entry = export_log_record(
        user=world.township_staff,
        export="cases",
        fmt="xlsx",
        query_string="period=custom&start=2025-09-01&end=2025-10-31",
        filters={"first_day": "2025-09-01", "last_day": "2025-10-31", "station_id": None},
        row_count=8,
    )
    context = browser.new_context(viewport={"width": 1280, "height": 800}, locale="zh-CN")
    page = context.new_page()
    try:
        page.goto(f"{live_server.url}/admin/")
        page.fill("#id_username", "admin")
        page.fill("#id_password", PASSWORD)
        page.click("input[type=submit]")
        complete_two_factor(page, world.admin)
        page.goto(f"{live_server.url}/admin/dashboard/exportlog/")
        body = page.content()
        assert "township_staff" in body and "2025-10-31" in body
        assert "/admin/dashboard/exportlog/add/" not in body
        screenshot(page, "export-log-1-list")
        page.goto(f"{live_server.url}/admin/dashboard/exportlog/{entry.pk}/change/")
        assert page.locator("input[type=submit]").count() == 0  # nothing to save
        screenshot(page, "export-log-2-entry")
    finally:
        context.close()
