"""A real headless Chromium (Debian's package) driven by Playwright, for browser tests.

Use the `browser` fixture (a Playwright Browser) with pytest-django's `live_server`, e.g.
`page = browser.new_page(viewport={"width": 360, "height": 740})`. Screenshots go to
`test-artifacts/` (kept by CI as artefacts). No browser is ever downloaded: without Debian's
chromium the tests skip, or fail under REQUIRE_SERVICES=1."""

import os
import shutil
from pathlib import Path

import pytest

CHROMIUM = os.environ.get("CHROMIUM_PATH") or shutil.which("chromium") or "/usr/bin/chromium"
ARTIFACTS = Path(os.environ.get("TEST_ARTIFACTS_DIR", Path.cwd() / "test-artifacts"))
# Without the background-networking flags Chromium tries to reach Google's hosts at start.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
]


def require_chromium() -> None:
    if Path(CHROMIUM).exists():
        return
    if os.environ.get("REQUIRE_SERVICES") == "1":
        pytest.fail(f"Chromium is required (REQUIRE_SERVICES=1) but {CHROMIUM} does not exist")
    pytest.skip("needs Debian's chromium (apt-get install chromium fonts-noto-cjk)")


@pytest.fixture(scope="session")
def _playwright():
    require_chromium()
    # Playwright's sync API runs an event loop; Django refuses sync ORM calls from a thread
    # with a running loop unless told this is deliberate.
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        yield playwright


@pytest.fixture(scope="session")
def browser(_playwright):
    browser = _playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
    yield browser
    browser.close()


def screenshot(page, name: str) -> Path:
    """Save a full-page screenshot as a test artefact and return its path."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path
