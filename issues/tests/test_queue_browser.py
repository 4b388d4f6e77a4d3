"""Station staff open their queue in a real Chromium, on a 1280 px screen and on a 360 px phone:
the content column shows two lines of each case, and nothing overflows the page or the table's
frame, also with cases overdue or due today (their flags wrap above the date). The screenshots
are kept as test artefacts."""

from datetime import timedelta

import pytest

from issues import clock
from issues.models import Issue, State
from issues.queue import end_of_today
from issues.tests.admin_support import _plain_static_files, case_in_state  # noqa: F401
from testsupport.browser import screenshot
from testsupport.world import PASSWORD, build_world

pytestmark = [pytest.mark.browser]

REPORTS = [
    "码头边的路灯坏了三天，晚上渔民上岸看不见路，老人已经摔倒过一次，希望尽快派人来修。",
    "村东头的垃圾桶满了一个星期没人清运，天热发臭，苍蝇很多，小孩子在旁边玩耍不卫生。",
    "潮面村到镇上的公交车班次太少，早上七点以后要等一个多小时，学生上学经常迟到。",
    "铁路施工的大货车晚上十点以后还在村里开，噪音很大，睡不着觉。",
    "自来水这几天发黄，烧开以后有沉淀，不敢给孩子喝。",
    "防汛沟被施工的泥土堵住了，下大雨的时候水漫到路上。",
]


@pytest.fixture
def _fast_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def _layout(page) -> dict:
    return page.evaluate(
        """() => {
          const table = document.querySelector('#result_list');
          const frame = document.querySelector('#changelist .results') || table.parentElement;
          const cells = [...document.querySelectorAll('#result_list td.field-excerpt .liaison-excerpt')];
          const lines = cells.map(c => Math.round(c.getBoundingClientRect().height /
                                        parseFloat(getComputedStyle(c).lineHeight)));
          return {
            pageWidth: document.documentElement.scrollWidth,
            viewport: window.innerWidth,
            tableWidth: table.scrollWidth,
            frameWidth: frame.clientWidth,
            lines: lines,
            excerptWidth: cells.length ? cells[0].getBoundingClientRect().width : 0,
          };
        }"""
    )


@pytest.mark.parametrize("width", [1280, 360])
def test_the_queue_is_readable_without_overflow_on_a_screen_and_a_phone(
    browser, live_server, transactional_db, _fast_hashing, width
):
    world = build_world()
    for i, text in enumerate(REPORTS * 2):
        state = [State.SUBMITTED, State.ACCEPTED, State.REVIEWED][i % 3]
        issue = case_in_state(world, state)
        issue.content = text  # a fixture's text, as the villager wrote it
        issue.save(update_fields=["content"])
        if i % 3 != 2:  # overdue by days, or due tonight (deadlines end a working day)
            tonight = end_of_today(clock.now()) - timedelta(seconds=1)  # 23:59:59
            Issue.objects.filter(pk=issue.pk).update(deadline=tonight - timedelta(days=3 if i % 3 == 0 else 0))
    mobile = width < 768
    context = browser.new_context(
        viewport={"width": width, "height": 800}, is_mobile=mobile, has_touch=mobile, locale="zh-CN"
    )
    page = context.new_page()
    try:
        page.goto(f"{live_server.url}/admin/")
        page.fill("#id_username", "station_staff")
        page.fill("#id_password", PASSWORD)
        page.click("input[type=submit]")
        page.goto(f"{live_server.url}/admin/issues/issue/")
        page.wait_for_selector("#result_list")
        screenshot(page, f"admin-queue-{width}")
        layout = _layout(page)
        assert "我的待办" in page.content()
    finally:
        context.close()
    assert layout["pageWidth"] <= layout["viewport"], layout
    assert layout["tableWidth"] <= layout["frameWidth"] + 1, layout
    assert len(layout["lines"]) == len(REPORTS) * 2
    # Two lines at most, and the long reports use both.
    assert all(1 <= n <= 2 for n in layout["lines"]) and 2 in layout["lines"], layout
    assert layout["excerptWidth"] >= (130 if mobile else 250), layout
