"""axe-core (Deque's accessibility engine, npm `axe-core`, MPL-2.0) run in a Playwright page, for
the browser tests only: the copy in vendor/axe-core/ is never served to users.

`axe_violations(page)` injects the engine through the DevTools protocol (page.evaluate is not an
inline <script>, so the page's Content-Security-Policy stays as it is) and returns every
violation of the WCAG 2.0, 2.1 and 2.2 level A and AA rules, each as a short readable line."""

import functools
from pathlib import Path

VENDOR = Path(__file__).resolve().parent / "vendor" / "axe-core"
WCAG_AA_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]

_RUN = """async (tags) => {
  const result = await axe.run(document, {runOnly: {type: "tag", values: tags}, resultTypes: ["violations"]});
  return result.violations.map((v) => ({
    id: v.id, impact: v.impact, help: v.help,
    nodes: v.nodes.slice(0, 5).map((n) => n.target.join(" ") + ": " + n.failureSummary.replace(/\\s+/g, " ")),
  }));
}"""


@functools.cache
def axe_source() -> str:
    return (VENDOR / "axe.min.js").read_text()


def axe_violations(page) -> list[str]:
    if not page.evaluate("typeof window.axe === 'object'"):
        page.evaluate(axe_source())
    found = page.evaluate(_RUN, WCAG_AA_TAGS)
    return [f"{v['id']} ({v['impact']}): {v['help']} — {'; '.join(v['nodes'])}" for v in found]
