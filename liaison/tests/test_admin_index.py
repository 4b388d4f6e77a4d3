"""The admin's front page and header: the cases waiting for each person (in their scope, each
count a link to the list filtered the same way), the way to the dashboard, the holiday schedule
warning for those who can enter it, and Chinese where Django's catalogue has none."""

import datetime
import re
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.test import Client
from django.urls import reverse
from django.utils import translation

from issues import workdays
from issues.models import State
from issues.selectors import cases_waiting
from issues.tests.admin_support import _plain_static_files, case_in_state, client_for, user_of  # noqa: F401
from stations.models import CalendarDay

pytestmark = pytest.mark.django_db

SHANGHAI = ZoneInfo("Asia/Shanghai")
INDEX = reverse("admin:index")
CHANGELIST = reverse("admin:issues_issue_changelist")
KEYS = ["to_accept", "to_review", "to_assign_or_reply", "overdue"]


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _fresh_schedule():
    workdays.forget_schedule()
    yield
    workdays.forget_schedule()


@pytest.fixture
def cases(world):
    """At deputy A's railway point: 3 to accept (one of them sent long ago, now overdue), 1 to
    review, 2 to assign or answer, 1 with the department, 1 replied. At deputy B's 秀山 station:
    1 to accept, 1 to review, and one accepted long ago, now overdue."""
    xiushan = world.xiushan_station
    with time_machine.travel(datetime.datetime(2026, 11, 2, 9, 0, tzinfo=SHANGHAI), tick=False):
        case_in_state(world, State.SUBMITTED)
        case_in_state(world, State.ACCEPTED, station=xiushan)
    for state in [State.SUBMITTED, State.SUBMITTED, State.ACCEPTED, State.REVIEWED, State.REVIEWED]:
        case_in_state(world, state)
    case_in_state(world, State.ASSIGNED)
    case_in_state(world, State.REPLIED)
    case_in_state(world, State.SUBMITTED, station=xiushan)
    case_in_state(world, State.ACCEPTED, station=xiushan)
    return world


RAILWAY = {"to_accept": 3, "to_review": 1, "to_assign_or_reply": 2, "overdue": 1}
XIUSHAN = {"to_accept": 1, "to_review": 2, "to_assign_or_reply": 0, "overdue": 1}
EVERYTHING = {key: RAILWAY[key] + XIUSHAN[key] for key in KEYS}
EXPECTED = {
    "admin": EVERYTHING,
    "deputy_a": RAILWAY,
    "deputy_b": XIUSHAN,
    "station_staff": RAILWAY,
    "township_staff": RAILWAY,  # 白泉镇: the railway point is in one of its villages
}


def shown_counts(page: str) -> dict[str, tuple[int, str]]:
    """{step: (number, link)} as the index shows them."""
    found = re.findall(
        r'liaison-count--(\w+)[^"]*">\s*<a href="([^"]+)">.*?<strong class="liaison-count-number">(\d+)</strong>',
        page,
        flags=re.S,
    )
    return {key: (int(number), url.replace("&amp;", "&")) for key, url, number in found}


@pytest.mark.parametrize("role", list(EXPECTED))
def test_the_selector_counts_the_cases_waiting_in_each_persons_scope(cases, role):
    assert cases_waiting(user_of(cases, role)) == EXPECTED[role]


@pytest.mark.parametrize("role", list(EXPECTED))
def test_the_index_shows_the_waiting_counts_of_each_persons_scope(cases, role):
    response = client_for(cases, role).get(INDEX)
    assert response.status_code == 200
    shown = shown_counts(response.content.decode())
    assert {key: number for key, (number, _url) in shown.items()} == EXPECTED[role]
    page = response.content.decode()
    for label in ("待受理", "待审核", "待交办/答复", "已逾期", "待办案件"):
        assert label in page


@pytest.mark.parametrize("role", list(EXPECTED))
def test_each_count_links_to_the_case_list_filtered_to_the_same_cases(cases, role):
    client = client_for(cases, role)
    shown = shown_counts(client.get(INDEX).content.decode())
    assert set(shown) == set(KEYS)
    for key, (number, url) in shown.items():
        assert url.startswith(CHANGELIST + "?")
        response = client.get(url)
        assert response.status_code == 200
        assert response.context["cl"].result_count == number, key


def test_the_counts_take_one_query(cases, django_assert_num_queries):
    user = user_of(cases, "station_staff")
    cases_waiting(user)  # the scope is worked out once per request and kept on the user
    with django_assert_num_queries(1):
        cases_waiting(user)


def test_staff_without_a_scope_see_no_counts_and_no_dashboard_link(cases):
    user = get_user_model().objects.create_user(username="newcomer", password="x", is_staff=True)
    user.user_permissions.add(Permission.objects.get(codename="view_issue"))
    client = Client()
    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    page = client.get(INDEX).content.decode()
    assert "liaison-count" not in page
    assert reverse("dashboard:index") not in page


@pytest.mark.parametrize("role", list(EXPECTED))
def test_everyone_with_a_scope_finds_the_dashboard_in_the_header(world, role):
    page = client_for(world, role).get(reverse("admin:issues_issue_changelist")).content.decode()
    header = page.split('id="user-tools"', 1)[1].split("</div>", 1)[0]
    assert f'href="{reverse("dashboard:index")}"' in header
    assert "数据驾驶舱" in header


def test_the_welcome_reads_as_one_chinese_sentence(world):
    world.station_staff.first_name = "立军"
    world.station_staff.save()
    page = client_for(world, "station_staff").get(INDEX).content.decode()
    assert "欢迎，<strong>立军</strong>。" in page
    assert "</strong>." not in page


def test_the_welcome_escapes_the_name(world):
    world.station_staff.first_name = "<b>x</b>"
    world.station_staff.save()
    page = client_for(world, "station_staff").get(INDEX).content.decode()
    assert "欢迎，<strong>&lt;b&gt;x&lt;/b&gt;</strong>。" in page


def test_the_hidden_table_headers_of_the_index_are_chinese(world):
    page = client_for(world, "admin").get(INDEX).content.decode()
    for chinese in ("模型名称", "新增链接", "修改或查看列表链接"):
        assert chinese in page
    for english in ("Model name", "Add link", "Change or view list link"):
        assert english not in page


def test_an_overdue_case_reads_overdue_and_an_unkept_promise_keeps_its_own_wording():
    from activities.selectors import PromiseStatus
    from issues.admin.filters import DeadlineFilter

    with translation.override("zh-hans"):
        assert dict(DeadlineFilter.lookups(None, None, None))["overdue"] == "已逾期"
        assert PromiseStatus.label("overdue") == "逾期未兑现"


# --- the holiday schedule warning ----------------------------------------------------------------


def on(year, month, day):
    return time_machine.travel(datetime.datetime(year, month, day, 9, 0, tzinfo=SHANGHAI), tick=False)


def test_superuser_is_warned_on_1_december_that_2027_is_not_scheduled(world):
    with on(2026, 12, 1):
        page = client_for(world, "admin").get(INDEX).content.decode()
    assert "2027 年的法定节假日安排尚未录入。" in page
    assert reverse("admin:stations_calendarday_add") in page


def test_the_warning_ends_once_a_2027_holiday_is_entered(world):
    CalendarDay.objects.create(date=datetime.date(2027, 1, 1), kind="holiday", name="元旦")
    with on(2026, 12, 1):
        page = client_for(world, "admin").get(INDEX).content.decode()
    assert "liaison-alert" not in page


def test_no_warning_while_the_next_60_days_are_in_a_known_year(world):
    with on(2026, 6, 1):
        page = client_for(world, "admin").get(INDEX).content.decode()
    assert "liaison-alert" not in page


@pytest.mark.parametrize("role", ["deputy_a", "station_staff", "township_staff"])
def test_people_who_cannot_enter_the_schedule_are_not_warned(world, role):
    with on(2026, 12, 1):
        page = client_for(world, role).get(INDEX).content.decode()
    assert "liaison-alert" not in page


def test_staff_granted_the_schedule_are_warned(world):
    codenames = ["view_calendarday", "add_calendarday", "change_calendarday"]
    world.township_staff.user_permissions.add(*Permission.objects.filter(codename__in=codenames))
    with on(2026, 12, 1):
        page = client_for(world, "township_staff").get(INDEX).content.decode()
    assert "2027 年的法定节假日安排尚未录入。" in page
