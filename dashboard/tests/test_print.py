"""The print view fits an A4 page and its table headers read, on paper and on the screen. With the
seed's demo data as a superuser (every station, deputy and overdue case of the city)."""

import os
import re
import shutil
import subprocess

import pytest

from testsupport.browser import ARTIFACTS, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# A4 is 210 mm wide; print.css's @page takes 15 mm each side: 180 mm of CSS pixels (96 per inch).
A4_WIDTH_PT = 595.28
MARGIN_MM = 15
PRINTABLE_PX = int((210 - 2 * MARGIN_MM) / 25.4 * 96)

# Each table header's text colour against the colour actually behind it (the first ancestor
# with an opaque background), as WCAG's contrast ratio.
HEADER_CONTRASTS = """() => {
  const rgb = (s) => (s.match(/[\\d.]+/g) || []).map(Number);
  const luminance = ([r, g, b]) => {
    const c = [r, g, b].map((v) => { v /= 255; return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; });
    return 0.2126 * c[0] + 0.7152 * c[1] + 0.0722 * c[2];
  };
  const behind = (el) => {
    for (let node = el; node; node = node.parentElement) {
      const bg = rgb(getComputedStyle(node).backgroundColor);
      if (bg.length === 3 || (bg.length === 4 && bg[3] > 0.5)) { return bg.slice(0, 3); }
    }
    return [255, 255, 255];
  };
  return [...document.querySelectorAll("th")].map((th) => {
    const a = luminance(rgb(getComputedStyle(th).color).slice(0, 3)), b = luminance(behind(th));
    return [th.textContent.trim(), (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05)];
  });
}"""

WIDEST_CELL = """() => Math.max(document.documentElement.scrollWidth,
  ...[...document.querySelectorAll("table, th, td")].map((el) => el.getBoundingClientRect().right))"""


def _print_view(signed_in, live_server):
    page = signed_in("demo_admin")
    page.goto(f"{live_server.url}/dashboard/print/")
    return page


def test_every_column_of_the_print_view_fits_the_width_of_an_a4_page(signed_in, live_server):
    page = _print_view(signed_in, live_server)
    page.emulate_media(media="print")
    page.set_viewport_size({"width": PRINTABLE_PX, "height": 1123})
    # figures, stations, deputies, overdue, extended deadlines, returns by department
    assert page.locator("table").count() == 6
    assert page.locator("#stations tbody tr").count() == 9  # every station, not the screen's first 40
    assert page.evaluate(WIDEST_CELL) <= PRINTABLE_PX
    screenshot(page, "dashboard-print-a4-width")


@pytest.mark.parametrize("media", ["print", "screen"])
def test_the_print_views_table_headers_are_readable(signed_in, live_server, media):
    page = _print_view(signed_in, live_server)
    page.emulate_media(media=media)
    contrasts = page.evaluate(HEADER_CONTRASTS)
    assert len(contrasts) >= 20
    unreadable = [(text, round(ratio, 2)) for text, ratio in contrasts if ratio < 4.5]
    assert unreadable == []


def _poppler(tool: str) -> str:
    path = shutil.which(tool)
    if path:
        return path
    if os.environ.get("REQUIRE_SERVICES") == "1":
        pytest.fail(f"{tool} is required (REQUIRE_SERVICES=1): apt-get install poppler-utils")
    pytest.skip(f"needs {tool} (apt-get install poppler-utils)")


def test_the_printed_pdf_keeps_every_word_inside_the_a4_page(signed_in, live_server, tmp_path):
    """Chromium's own A4 PDF, read back word by word: nothing reaches into the right margin, where
    the 口径 column used to be cut. Its pages are kept as PNG artefacts to look at."""
    pdftotext, pdftoppm = _poppler("pdftotext"), _poppler("pdftoppm")
    page = _print_view(signed_in, live_server)
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    pdf = ARTIFACTS / "dashboard-print.pdf"
    page.pdf(path=str(pdf), format="A4")
    pages = str(ARTIFACTS / "dashboard-print-page")
    subprocess.run([pdftoppm, "-png", "-r", "60", str(pdf), pages], check=True)  # noqa: S603 - poppler, our own PDF
    words = tmp_path / "words.html"
    subprocess.run([pdftotext, "-bbox", str(pdf), str(words)], check=True)  # noqa: S603 - poppler, our own PDF
    boxes = re.findall(r'<page width="([\d.]+)"|<word xMin="([\d.]+)" yMin="[\d.]+" xMax="([\d.]+)"', words.read_text())
    widths = [float(w) for w, _a, _b in boxes if w]
    right_edges = [float(x) for _w, _a, x in boxes if x]
    assert widths and all(w == pytest.approx(A4_WIDTH_PT, abs=1) for w in widths)
    assert len(right_edges) > 500  # the whole city's tables, not an empty page
    margin_pt = MARGIN_MM / 25.4 * 72
    assert max(right_edges) <= A4_WIDTH_PT - margin_pt + 1
