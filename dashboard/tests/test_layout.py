"""The dashboard fits a phone (360 px), a tablet (768 px) and a desktop (1440 px): no figure runs
out of its card, no title is cut, no chart legend covers its chart, no table row is cut in half.
With the seed's demo data, as 白泉镇's township staff and as a superuser (the city: the longest
tables). Screenshots of each go to test-artifacts/."""

import pytest

from testsupport.browser import screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WIDTHS = (360, 768, 1440)

# Every way a reader would see something cut, as a list of findings (empty: nothing is cut).
FIND_CUTS = """() => {
  const found = [];
  const name = (el) => el.dataset.key || el.id || el.className;
  const box = (el) => el.getBoundingClientRect();
  if (document.documentElement.scrollWidth > window.innerWidth) {
    found.push(["page wider than the screen", document.documentElement.scrollWidth]);
  }
  document.querySelectorAll(".card, .panel").forEach((card) => {
    if (card.scrollWidth > card.clientWidth) { found.push(["overflows its card", name(card)]); }
  });
  document.querySelectorAll(".card").forEach((card) => {
    const edge = box(card);
    card.querySelectorAll("h3, .big, .nd, .explain, .target").forEach((text) => {
      const r = box(text);
      if (!text.getClientRects().length) { return; }  // not displayed (an empty line)
      if (text.scrollWidth > text.clientWidth || r.right > edge.right + 0.5 || r.left < edge.left - 0.5) {
        found.push(["text cut", name(card), text.className || text.tagName, text.textContent.trim()]);
      }
    });
  });
  document.querySelectorAll(".chart-body").forEach((body) => {
    const legend = body.querySelector(".legend"), chart = body.querySelector(".chart");
    if (!legend || !chart) { return; }
    const a = box(legend), b = box(chart);
    if (a.left < b.right && b.left < a.right && a.top < b.bottom && b.top < a.bottom) {
      found.push(["legend over its chart", chart.dataset.chart]);
    }
  });
  let scrolling = 0;
  document.querySelectorAll(".scroll").forEach((scroll) => {
    if (!scroll.getClientRects().length) { return; }  // a closed data table
    scroll.scrollTop = 0;
    const top = box(scroll).top + scroll.clientTop, bottom = top + scroll.clientHeight;
    if (scroll.scrollHeight > scroll.clientHeight) {
      scrolling += 1;
      const hint = scroll.nextElementSibling;
      if (!hint || !hint.classList.contains("scroll-hint") || hint.hidden) {
        found.push(["scrolls without saying so", scroll.closest("section").id]);
      }
    }
    scroll.querySelectorAll("tbody tr").forEach((row, i) => {
      const r = box(row);
      if (r.top < bottom - 0.5 && r.bottom > bottom + 0.5) {
        found.push(["row cut", scroll.closest("section").id, i + 1]);
      }
    });
  });
  return { found, scrolling };
}"""


@pytest.mark.parametrize("username", ["demo_township_staff", "demo_admin"])
def test_nothing_is_cut_on_a_phone_a_tablet_or_a_desktop(signed_in, username):
    page = signed_in(username)
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 900})
        page.reload()
        page.wait_for_selector(".chart canvas")
        page.wait_for_timeout(200)
        result = page.evaluate(FIND_CUTS)
        screenshot(page, f"dashboard-{username}-{width}")
        assert result["found"] == [], f"{username} at {width} px"
        assert page.locator(".card .explain").count() >= 12
        if username == "demo_admin":
            # The city's 24 deputies do not fit 420 px: the row check above was exercised.
            assert result["scrolling"] >= 1


def test_the_checks_see_a_figure_too_wide_and_a_row_cut_in_half(signed_in):
    """The checks above would pass on an empty page; here they must catch the two faults the
    issue reported, put back by hand."""
    page = signed_in("demo_admin", width=360)
    page.wait_for_selector(".chart canvas")
    # Through the CSSOM: the Content-Security-Policy refuses an added <style> element.
    page.evaluate(
        """() => {
      const set = (selector, name, value) =>
        document.querySelectorAll(selector).forEach((e) => e.style.setProperty(name, value, "important"));
      set(".card .big", "font-size", "60px");
      set("#deputies .scroll", "max-height", "333px");
    }"""
    )
    found = page.evaluate(FIND_CUTS)["found"]
    assert any(f[0] == "text cut" and f[2] == "big" for f in found)
    assert any(f[0] == "row cut" and f[1] == "deputies" for f in found)


def test_a_legend_toggles_its_series_and_says_so(signed_in):
    page = signed_in("demo_township_staff")
    page.wait_for_selector(".chart canvas")
    button = page.locator("#chart-weekly .legend button").first
    name = button.inner_text()
    button.click()
    assert button.get_attribute("aria-pressed") == "false"
    selected = page.evaluate(
        "() => echarts.getInstanceByDom(document.querySelector('[data-chart=weekly]')).getOption().legend[0].selected"
    )
    assert selected[name] is False
    # The pie's legend carries each category's count and share, where its slice labels were cut.
    first = page.locator("#chart-categories .legend li").first.inner_text()
    assert "%" in first and "·" in first
