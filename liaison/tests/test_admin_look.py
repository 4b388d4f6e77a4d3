"""The admin as a browser shows it: no stray list bullets beside a case's photos and forwarding
rows, the waiting counts and the dashboard link on the front page, the site's icon. Screenshots
go to test-artifacts/."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from issues.models import Attachment, Forwarding, State
from issues.tests.admin_support import _plain_static_files, case_in_state  # noqa: F401
from testsupport.browser import screenshot
from testsupport.world import PASSWORD, build_world

pytestmark = [pytest.mark.browser]

PHONE = {"width": 360, "height": 740}
DESKTOP = {"width": 1280, "height": 900}


@pytest.fixture
def _fast_hashing(settings, tmp_path):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.MEDIA_ROOT = tmp_path


def jpeg() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (120, 90), (40, 120, 200)).save(buffer, "JPEG")
    return buffer.getvalue()


def log_in(browser, live_server, username, viewport):
    context = browser.new_context(viewport=viewport, locale="zh-CN")
    page = context.new_page()
    page.goto(f"{live_server.url}/admin/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("input[type=submit]")
    page.wait_for_selector("#user-tools")
    return context, page


def test_case_page_shows_photos_and_forwarding_rows_without_bullets(
    browser, live_server, transactional_db, _fast_hashing
):
    world = build_world()
    issue = case_in_state(world, State.ASSIGNED)
    for _ in range(2):
        Attachment.objects.create(
            issue=issue, image=SimpleUploadedFile("p.jpg", jpeg(), "image/jpeg"), width=120, height=90, size=1000
        )
    Forwarding.objects.filter(issue=issue).update(
        status=Forwarding.Status.FAILED, attempts=10, last_error="connection refused"
    )
    for viewport, name in [(PHONE, "phone"), (DESKTOP, "desktop")]:
        context, page = log_in(browser, live_server, "station_staff", viewport)
        try:
            page.goto(f"{live_server.url}{reverse('admin:issues_issue_change', args=[issue.pk])}")
            page.wait_for_selector(".liaison-photos li")
            styles = page.eval_on_selector_all(
                ".liaison-photos > li, .liaison-forwarding > li",
                "items => items.map(i => getComputedStyle(i).listStyleType)",
            )
            screenshot(page, f"admin-case-photos-forwarding-{name}")
        finally:
            context.close()
        assert len(styles) == 3  # two photos, one forwarding row
        assert set(styles) == {"none"}


def test_front_page_shows_the_waiting_counts_and_the_dashboard_link(
    browser, live_server, transactional_db, _fast_hashing
):
    world = build_world()
    for state in [State.SUBMITTED, State.SUBMITTED, State.ACCEPTED, State.REVIEWED]:
        case_in_state(world, state)
    for viewport, name in [(PHONE, "phone"), (DESKTOP, "desktop")]:
        context, page = log_in(browser, live_server, "station_staff", viewport)
        try:
            page.goto(f"{live_server.url}/admin/")
            counts = page.eval_on_selector_all(
                ".liaison-count", "items => items.map(i => i.innerText.replace(/\\s+/g, ' ').trim())"
            )
            bullets = page.eval_on_selector_all(
                ".liaison-counts > li", "items => items.map(i => getComputedStyle(i).listStyleType)"
            )
            link = page.get_attribute("#user-tools a[href='/dashboard/']", "href")
            icon = page.evaluate("fetch('/favicon.ico').then(r => [r.status, r.headers.get('content-type')])")
            screenshot(page, f"admin-index-{name}")
        finally:
            context.close()
        # My queue's tiles first (issues.queue: all that waits for station staff), then the station's counts.
        assert counts == [
            *("待我办理 4", "其中已逾期 0", "其中今日到期 0"),
            *("待受理 2", "待审核 1", "待交办/答复 1", "已逾期 0"),
        ]
        assert set(bullets) == {"none"}
        assert link == "/dashboard/"
        assert icon[0] == 200 and icon[1].startswith("image/")
