"""Role × page × action: what each of the five roles sees and may do on the case pages."""

import re
from datetime import date, timedelta

import pytest
from django.urls import reverse

from issues.models import Action, Channel, Issue, IssueEvent, State
from issues.tests.admin_support import (  # noqa: F401
    ROLES,
    _plain_static_files,
    case_in_state,
    client_for,
    user_of,
)

pytestmark = pytest.mark.django_db

# Who gets which page: 200, or 404 (outside the scope, never confirmed), or 403 (no permission).
PAGES = {
    "case list": ("changelist", None, dict.fromkeys(ROLES, 200)),
    "case of deputy A's station": (
        "change",
        "a",
        {"admin": 200, "deputy_a": 200, "deputy_b": 404, "station_staff": 200, "township_staff": 200},
    ),
    "case of deputy B's station": (
        "change",
        "b",
        {"admin": 200, "deputy_a": 404, "deputy_b": 200, "station_staff": 404, "township_staff": 404},
    ),
    "history of deputy B's case": (
        "history",
        "b",
        {"admin": 200, "deputy_a": 404, "deputy_b": 200, "station_staff": 404, "township_staff": 404},
    ),
    "record a voter's problem": (
        "add",
        None,
        {"admin": 200, "deputy_a": 200, "deputy_b": 200, "station_staff": 200, "township_staff": 403},
    ),
    "delete deputy A's case": (
        "delete",
        "a",
        dict.fromkeys(ROLES, 403),  # nobody deletes a case: refused before the case is even looked up
    ),
}


@pytest.mark.parametrize("page", PAGES)
def test_each_role_gets_exactly_its_case_pages(world, page):
    view, which, expected = PAGES[page]
    cases = {"a": world.submit(), "b": world.submit(deputy=world.deputy_b)}
    args = [cases[which].pk] if which else []
    for role in ROLES:
        response = client_for(world, role).get(reverse(f"admin:issues_issue_{view}", args=args))
        assert response.status_code == expected[role], role
        if expected[role] != 200 and which:
            assert cases[which].short_code not in response.content.decode()


def _buttons(response) -> set[str]:
    return set(re.findall(r'data-action="(\w+)"', response.content.decode()))


# The buttons on a case of deputy A's station, by state and role (extend = deadline extension).
BUTTONS = {
    State.SUBMITTED: {
        "admin": {"accept", "reject", "extend"},
        "deputy_a": {"accept", "reject"},
        "station_staff": {"accept", "reject", "extend"},
        "township_staff": set(),
    },
    State.ACCEPTED: {
        "admin": {"review", "reply", "reject", "extend"},
        "deputy_a": {"reply"},
        "station_staff": {"review", "reply", "reject", "extend"},
        "township_staff": set(),
    },
    State.REVIEWED: {
        "admin": {"assign", "reply", "extend"},
        "deputy_a": {"reply"},
        "station_staff": {"assign", "reply", "extend"},
        "township_staff": set(),
    },
    State.REPLIED: {
        "admin": {"reopen"},
        "deputy_a": set(),
        "station_staff": {"reopen"},
        "township_staff": set(),
    },
}


@pytest.mark.parametrize("state", BUTTONS)
def test_case_page_shows_exactly_the_buttons_of_the_role_and_state(world, state):
    issue = case_in_state(world, state)
    for role, expected in BUTTONS[state].items():
        response = client_for(world, role).get(reverse("admin:issues_issue_change", args=[issue.pk]))
        assert _buttons(response) == expected, role


# action -> (state it starts from, form data, resulting state)
ACTIONS = {
    "accept": (State.SUBMITTED, {}, State.ACCEPTED),
    "reject": (State.SUBMITTED, {"reason": "不属于本站受理范围。"}, State.REJECTED),
    "review": (State.ACCEPTED, {"note": "已核实"}, State.REVIEWED),
    "assign": (State.REVIEWED, "department", State.ASSIGNED),
    "reply": (State.ACCEPTED, {"text": "已联系电力所，明天修。"}, State.REPLIED),
    "reopen": (State.REPLIED, {"reason": "村民来电说还没修好。"}, State.ASSIGNED),
    # Ten days on: later than the accept deadline, within the bound on extensions.
    "extend": (
        State.SUBMITTED,
        {"deadline": f"{date.today() + timedelta(days=10)}", "reason": "等待上级批复"},
        State.SUBMITTED,
    ),
}
# Which roles may take each action on a case of deputy A's station (deputy B: 404).
MAY = {
    "accept": {"admin", "deputy_a", "station_staff"},
    "reject": {"admin", "deputy_a", "station_staff"},
    "review": {"admin", "station_staff"},
    "assign": {"admin", "station_staff"},
    "reply": {"admin", "deputy_a", "station_staff"},
    "reopen": {"admin", "station_staff"},
    "extend": {"admin", "station_staff"},
}


@pytest.mark.parametrize("action", ACTIONS)
def test_each_role_may_take_exactly_its_actions_through_the_service(world, action):
    start, data, result = ACTIONS[action]
    if data == "department":
        data = {"department": world.department.pk}
    if start == State.REPLIED:  # the case never had a department: reopened, it is reviewed again
        result = State.REVIEWED
    for role in ROLES:
        issue = case_in_state(world, start)
        events = issue.events.count()
        response = client_for(world, role).post(reverse("admin:issues_issue_action", args=[issue.pk, action]), data)
        issue.refresh_from_db()
        assert response.status_code == (404 if role == "deputy_b" else 302), role
        if role in MAY[action]:
            assert (issue.state, issue.events.count()) == (result, events + 1), role
            assert issue.events.last().actor == user_of(world, role)
        else:
            assert (issue.state, issue.events.count()) == (start, events), role


def test_action_error_is_shown_as_a_message_in_the_users_language(world):
    issue = case_in_state(world, State.SUBMITTED)
    client = client_for(world, "deputy_a")
    url = reverse("admin:issues_issue_action", args=[issue.pk, "reject"])
    response = client.post(url, {"reason": "  "}, follow=True)
    assert [m.level_tag for m in response.context["messages"]] == ["error"]
    client.post(reverse("admin:issues_issue_action", args=[issue.pk, "accept"]))
    response = client.post(reverse("admin:issues_issue_action", args=[issue.pk, "accept"]), follow=True)
    assert "error" in [m.level_tag for m in response.context["messages"]]


def test_actions_are_post_only_and_need_the_csrf_token(world):
    issue = case_in_state(world, State.SUBMITTED)
    url = reverse("admin:issues_issue_action", args=[issue.pk, "accept"])
    assert client_for(world, "station_staff").get(url).status_code == 405
    assert client_for(world, "station_staff", enforce_csrf_checks=True).post(url).status_code == 403
    issue.refresh_from_db()
    assert issue.state == State.SUBMITTED


def test_nobody_edits_a_case_by_hand(world):
    issue = case_in_state(world, State.SUBMITTED)
    change = reverse("admin:issues_issue_change", args=[issue.pk])
    response = client_for(world, "admin").post(change, {"state": "evaluated", "tracking_code": "x", "content": "改了"})
    assert response.status_code == 405
    issue.refresh_from_db()
    assert (issue.state, issue.content) == (State.SUBMITTED, "村口路灯坏了三天，晚上看不见路。")


def test_phone_is_masked_until_revealed_and_each_reveal_is_recorded(world):
    issue = case_in_state(world, State.SUBMITTED, phone="13812345678")
    client = client_for(world, "deputy_a")
    page = client.get(reverse("admin:issues_issue_change", args=[issue.pk])).content.decode()
    assert "138****5678" in page and "13812345678" not in page
    listing = client.get(reverse("admin:issues_issue_changelist")).content.decode()
    assert "138****5678" in listing and "13812345678" not in listing
    revealed = client.post(reverse("admin:issues_issue_reveal_contact", args=[issue.pk]))
    assert "13812345678" in revealed.content.decode()
    assert "no-store" in revealed["Cache-Control"]
    assert issue.events.filter(action=Action.REVEAL_PHONE, actor=world.deputy_a_user).count() == 1


def test_township_staff_cannot_reveal_a_phone(world):
    issue = case_in_state(world, State.SUBMITTED, phone="13812345678")
    client = client_for(world, "township_staff")
    page = client.get(reverse("admin:issues_issue_change", args=[issue.pk])).content.decode()
    assert "reveal-contact" not in page
    response = client.post(reverse("admin:issues_issue_reveal_contact", args=[issue.pk]), follow=True)
    assert "13812345678" not in response.content.decode()
    assert not issue.events.filter(action=Action.REVEAL_PHONE).exists()


def test_deputy_records_a_voters_problem_as_a_deputy_visit(world):
    client = client_for(world, "deputy_a")
    form = client.get(reverse("admin:issues_issue_add"))
    assert list(form.context["form"].fields["station"].queryset) == [world.railway_point]
    key = form.context["form"].fields["submission_key"].initial
    data = {"station": world.railway_point.pk, "content": "渔港码头护栏松动，很危险。", "submission_key": key}
    response = client.post(reverse("admin:issues_issue_add"), data)
    issue = Issue.objects.get(content="渔港码头护栏松动，很危险。")
    assert response.status_code == 302 and response["Location"].endswith(f"/{issue.pk}/change/")
    assert (issue.channel, issue.deputy, issue.station) == (Channel.DEPUTY_VISIT, world.deputy_a, world.railway_point)
    client.post(reverse("admin:issues_issue_add"), data)  # a double tap
    assert Issue.objects.filter(content="渔港码头护栏松动，很危险。").count() == 1


def test_deputy_cannot_record_for_a_station_they_do_not_serve(world):
    client = client_for(world, "deputy_a")
    data = {"station": world.xiushan_station.pk, "content": "渔港码头护栏松动，很危险。", "submission_key": "k1"}
    response = client.post(reverse("admin:issues_issue_add"), data)
    assert response.status_code == 200 and response.context["form"].errors["station"]
    assert not Issue.objects.filter(station=world.xiushan_station).exists()


def test_station_staff_record_a_walk_in(world):
    client = client_for(world, "station_staff")
    data = {"station": world.railway_point.pk, "content": "想咨询新农合报销的办法。", "submission_key": "k2"}
    client.post(reverse("admin:issues_issue_add"), data)
    issue = Issue.objects.get(content="想咨询新农合报销的办法。")
    assert (issue.channel, issue.deputy, issue.station) == (Channel.WALK_IN, None, world.railway_point)
    assert issue.events.get().actor == world.station_staff


def test_record_form_shows_the_services_error_on_its_field(world):
    client = client_for(world, "station_staff")
    data = {"station": world.railway_point.pk, "content": "短", "submitter_phone": "12", "submission_key": "k3"}
    response = client.post(reverse("admin:issues_issue_add"), data)
    assert response.status_code == 200
    assert response.context["form"].errors
    assert not IssueEvent.objects.exists()
