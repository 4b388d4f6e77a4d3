"""My queue (我的待办): each role's queue holds exactly the cases waiting for that role's action,
the case list opens on it for deputies and station staff, one click shows every case, and the
header and index count it."""

import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse

from issues import clock
from issues.models import Department, Issue, State
from issues.queue import end_of_today, has_queue, my_queue, queue_counts
from issues.selectors import issues_visible_to
from issues.tests.admin_support import ROLES, _plain_static_files, case_in_state, client_for, user_of  # noqa: F401

pytestmark = pytest.mark.django_db

SHANGHAI = ZoneInfo("Asia/Shanghai")
CHANGELIST = reverse("admin:issues_issue_changelist")
LONG_AGO = datetime.datetime(2026, 11, 2, 9, 0, tzinfo=SHANGHAI)

# (label, state, at which station, made long ago so that it is overdue now)
CASES = [
    ("railway submitted", State.SUBMITTED, "railway", False),
    ("railway accepted", State.ACCEPTED, "railway", False),
    ("railway reviewed", State.REVIEWED, "railway", False),
    ("railway assigned", State.ASSIGNED, "railway", False),
    ("railway assigned overdue", State.ASSIGNED, "railway", True),
    ("railway replied", State.REPLIED, "railway", False),
    ("railway submitted overdue", State.SUBMITTED, "railway", True),
    ("xiushan submitted", State.SUBMITTED, "xiushan", False),
    ("xiushan accepted", State.ACCEPTED, "xiushan", False),
    ("xiushan assigned overdue", State.ASSIGNED, "xiushan", True),
]

# role -> the labels of CASES waiting for that role. Township staff and superusers act on
# nothing from a queue: their lists open on every case.
EXPECTED = {
    "deputy_a": {"railway submitted", "railway submitted overdue"},
    "deputy_b": {"xiushan submitted"},
    "station_staff": {
        "railway submitted",
        "railway accepted",
        "railway reviewed",
        "railway assigned overdue",
        "railway submitted overdue",
    },
    "township_staff": set(),
    "admin": set(),
}


@pytest.fixture
def cases(world):
    Department.objects.create(name="秀山乡村镇建设办", region=world.xiushan)
    stations = {"railway": world.railway_point, "xiushan": world.xiushan_station}
    made = {}
    for label, state, station, overdue in CASES:
        station_obj = stations[station]
        station_arg = None if station_obj == world.railway_point else station_obj
        if overdue:
            with time_machine.travel(LONG_AGO, tick=False):
                made[label] = case_in_state(world, state, station=station_arg)
        else:
            made[label] = case_in_state(world, state, station=station_arg)
    world.cases = made
    return world


def _labels(world, issues) -> set[str]:
    by_pk = {issue.pk: label for label, issue in world.cases.items()}
    return {by_pk[issue.pk] for issue in issues}


@pytest.mark.parametrize("role", ROLES)
def test_each_roles_queue_holds_exactly_the_cases_waiting_for_that_role(cases, role):
    assert _labels(cases, my_queue(user_of(cases, role))) == EXPECTED[role]


@pytest.mark.parametrize("role", ROLES)
def test_the_case_list_opens_on_the_queue_for_those_who_have_one(cases, role):
    response = client_for(cases, role).get(CHANGELIST)
    assert response.status_code == 200
    shown = _labels(cases, response.context["cl"].result_list)
    if has_queue(user_of(cases, role)):
        assert shown == EXPECTED[role]
        assert "liaison-queue-tab--selected" in response.content.decode()
    else:
        assert len(shown) == issues_visible_to(user_of(cases, role)).count() == response.context["cl"].result_count
        assert "liaison-queue-tab" not in response.content.decode()


@pytest.mark.parametrize("role", ["deputy_a", "deputy_b", "station_staff"])
def test_one_click_shows_every_case_of_the_users_stations(cases, role):
    page = client_for(cases, role).get(CHANGELIST).content.decode()
    assert f'href="{CHANGELIST}?queue=all"' in page
    response = client_for(cases, role).get(CHANGELIST, {"queue": "all"})
    cl = response.context["cl"]
    assert cl.result_count == issues_visible_to(user_of(cases, role)).count() > len(EXPECTED[role])


def test_the_queue_lists_the_oldest_deadline_first_and_marks_overdue_cases(cases):
    response = client_for(cases, "station_staff").get(CHANGELIST)
    rows = list(response.context["cl"].result_list)
    deadlines = [row.deadline for row in rows]
    assert deadlines == sorted(deadlines)
    assert _labels(cases, rows[:2]) == {"railway submitted overdue", "railway assigned overdue"}
    assert response.content.decode().count('class="liaison-overdue"') == 2


def test_a_case_due_before_midnight_is_marked_due_today(cases):
    issue = cases.cases["railway submitted"]
    # Just before the accept deadline's day ends: due today, not yet overdue.
    at = issue.deadline - datetime.timedelta(minutes=30)
    with time_machine.travel(at, tick=False):
        assert issue.deadline < end_of_today(clock.now())
        page = client_for(cases, "deputy_a").get(CHANGELIST).content.decode()
        counts = queue_counts(user_of(cases, "deputy_a"))
    assert 'class="liaison-due-today"' in page
    assert counts.due_today >= 1


def test_a_search_looks_through_every_case_not_the_queue_only(cases):
    replied = cases.cases["railway replied"]
    response = client_for(cases, "deputy_a").get(CHANGELIST, {"q": replied.short_code})
    assert [row.pk for row in response.context["cl"].result_list] == [replied.pk]


@pytest.mark.parametrize("role", ROLES)
def test_the_header_and_the_index_count_the_queue(cases, role):
    client = client_for(cases, role)
    page = client.get(reverse("admin:index")).content.decode()
    user = user_of(cases, role)
    counts = queue_counts(user)
    if counts is None:
        assert "liaison-queue-link" not in page and "liaison-queue-count--queue" not in page
        return
    assert counts.total == len(EXPECTED[role])
    overdue = {label for label in EXPECTED[role] if label.endswith("overdue")}
    assert counts.overdue == len(overdue)
    header = page.split('id="user-tools"', 1)[1].split("</div>", 1)[0]
    assert '<strong class="liaison-queue-number' in header
    assert f">{counts.total}</strong>" in header
    assert f"liaison-queue-count--queue_overdue{' liaison-queue-count--some' if overdue else ''}" in page


def test_the_queue_count_takes_one_query(cases, django_assert_num_queries):
    user = user_of(cases, "station_staff")
    queue_counts(user)  # the scope is worked out once and kept on the user
    with django_assert_num_queries(1):
        queue_counts(user)


def test_a_bulk_accept_from_the_queue_reports_a_ticked_case_that_left_it_by_its_state(cases):
    accepted = cases.cases["railway accepted"]  # not in deputy A's queue, ticked in another view
    submitted = cases.cases["railway submitted"]
    response = client_for(cases, "deputy_a").post(
        CHANGELIST, {"action": "accept_selected", "_selected_action": [accepted.pk, submitted.pk]}, follow=True
    )
    texts = [str(m) for m in response.context["messages"]]
    assert len(texts) == 2, texts
    submitted.refresh_from_db()
    assert submitted.state == State.ACCEPTED


def test_the_case_page_gives_each_triage_button_its_access_key(cases):
    issue = cases.cases["railway reviewed"]
    page = client_for(cases, "station_staff").get(reverse("admin:issues_issue_change", args=[issue.pk]))
    body = page.content.decode()
    for action, key in (("assign", "s"), ("reply", "r")):
        assert f'accesskey="{key}" aria-keyshortcuts="Alt+{key.upper()}"' in body, action
    keys = [b["key"] for b in page.context["buttons"] if b["key"]]
    assert len(keys) == len(set(keys))  # no two buttons share a key


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_the_lists_checkbox_is_the_very_input_django_would_render(world, language):
    from django.contrib import admin
    from django.contrib.admin import ModelAdmin
    from django.utils import translation

    issue = world.submit()
    case_admin = admin.site._registry[Issue]
    with translation.override(language):
        assert case_admin.action_checkbox(issue) == ModelAdmin.action_checkbox(case_admin, issue)
