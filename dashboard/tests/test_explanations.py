"""Every figure says, in a visible line under it, what it counts; one term names one deadline."""

import re
from html import unescape

import pytest
from django.urls import reverse
from django.utils import translation

from dashboard.figures import ACTIVITY_CARDS, CARDS, EXPLANATIONS, TARGETS
from dashboard.templatetags.dashboard_tags import figure_value, human_duration
from dashboard.tests.conftest import PERIOD

pytestmark = pytest.mark.usefixtures("plain_static")

_CARD = re.compile(r'<article class="card[^"]*" data-key="(?P<key>[^"]+)">(?P<body>.*?)</article>', re.S)


def _text(html: str) -> str:
    return unescape(re.sub(r"<[^>]+>", "", html)).strip()


def _cards(content: str) -> dict[str, str]:
    return {m["key"]: m["body"] for m in _CARD.finditer(content)}


def _line(body: str, css_class: str) -> str:
    found = re.search(rf'<p class="{css_class}">(.*?)</p>', body, re.S)
    return _text(found[1]) if found else ""


def _page(login, role="township_staff") -> str:
    response = login(role).get(reverse("dashboard:index"), PERIOD)
    assert response.status_code == 200
    return response.content.decode()


def test_every_figure_on_the_page_has_a_visible_line_saying_what_it_counts(world, cases, login, frozen_now):
    shown = _cards(_page(login))
    assert set(shown) >= {key for key, _label, _kind in CARDS}
    with translation.override("zh-hans"):
        for key, body in shown.items():
            explanation = _line(body, "explain")
            assert explanation == str(EXPLANATIONS[key]), key
            # Visible, not only behind the 口径 toggle.
            assert body.index('class="explain"') < body.index("<details>"), key


def test_the_activation_rate_says_it_counts_the_deputies_own_accounts(world, cases, login, frozen_now):
    content = _page(login)
    explanation = _line(_cards(content)["deputies_active"], "explain")
    assert "本人账号" in explanation and "工作人员代为受理、答复的不计入" in explanation
    # The deputies' table beside it counts every case addressed to a deputy, whoever pressed the button.
    deputies = content.split('id="deputies"')[1].split("</section>")[0]
    assert "无论由代表本人还是工作人员代为操作都计入" in deputies


def test_the_benchmarks_say_what_they_compare_without_naming_another_township(world, cases, login, frozen_now):
    shown = _cards(_page(login))
    assert _line(shown["median_seconds_transmission"], "target") == "对照值：5 秒内送达（先进经验）。"
    assert "交办后的传送" in _line(shown["median_seconds_to_department"], "target")
    assert "约 2 天" in _line(shown["median_seconds_to_first_reply"], "target")
    assert all("原文" not in body for body in shown.values())
    assert all(_line(body, "target") == "" for key, body in shown.items() if key not in TARGETS)


def test_the_overdue_list_names_the_deadline_by_the_cases_state(world, cases, login, frozen_now):
    overdue = _page(login).split('id="overdue"')[1].split("</section>")[0]
    headers = [_text(h) for h in re.findall(r"<th[^>]*>(.*?)</th>", overdue)]
    assert headers[-1] == "当前时限"
    assert "待受理的为受理时限，已受理的为审核时限，已审核或已交办的为办结时限" in _text(overdue)
    rows = {_text(code): _text(cells) for code, cells in re.findall(r"<tr><td>(.*?)</td>(.*?)</tr>", overdue, re.S)}
    # The waiting case, the accepted one, and the one reopened after an unsatisfied rating.
    assert rows[cases["waiting"].short_code].endswith("受理时限")
    assert rows[cases["accepted"].short_code].endswith("审核时限")
    assert rows[cases["unsatisfied"].short_code].endswith("办结时限")


def test_the_print_view_keeps_each_figures_definition_and_benchmark(world, cases, login, frozen_now):
    content = login("township_staff").get(reverse("dashboard:print"), PERIOD).content.decode()
    rows = re.findall(r'<td class="label">(.*?)</td>.*?<td class="def">(.*?)</td>', content, re.S)
    labels = [_text(label) for label, _definition in rows]
    with translation.override("zh-hans"):
        assert labels[: len(CARDS)] == [str(label) for _key, label, _kind in CARDS]
        assert all(_text(definition) for _label, definition in rows)
        label = next(str(label) for key, label, _kind in CARDS if key == "median_seconds_transmission")
        transmission = {_text(a): _text(b) for a, b in rows}[label]
    assert transmission.endswith("对照值：5 秒内送达（先进经验）。")


def test_every_explanation_and_benchmark_is_translated():
    with translation.override("zh-hans"):
        for text in [*EXPLANATIONS.values(), *TARGETS.values()]:
            assert re.search(r"[\u4e00-\u9fff]", str(text)), text
    assert set(EXPLANATIONS) >= {key for key, _l, _k in CARDS + ACTIVITY_CARDS} | {"activities_held"}


@pytest.mark.parametrize(
    ("card", "html"),
    [
        ({"kind": "rate", "rate": 0.8444}, '84.4<span class="unit">%</span>'),
        ({"kind": "rate", "rate": None}, "—"),
        ({"kind": "duration", "seconds": 24.4 * 3600}, '24.4<span class="unit"> 小时</span>'),
        ({"kind": "duration", "seconds": 3.9 * 86400}, '3.9<span class="unit"> 天</span>'),
        ({"kind": "duration", "seconds": None}, "—"),
        ({"kind": "count", "value": 144}, "144"),
        ({"kind": "count", "value": "<b>"}, "&lt;b&gt;"),
    ],
)
def test_a_figure_sets_its_unit_apart_for_the_phone(card, html):
    with translation.override("zh-hans"):
        assert str(figure_value(card)) == html


def test_a_duration_in_the_exports_is_still_plain_text():
    with translation.override("zh-hans"):
        assert human_duration(24.4 * 3600) == "24.4 小时"
        assert human_duration(5) == "5 秒"
        assert human_duration(None) == "—"
