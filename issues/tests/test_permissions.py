"""Who may do what to which case: the role × action matrix, generated from ACTION_ROLES, and the
scope of `issues_visible_to` for each named person."""

import datetime

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AnonymousUser
from django.db import transaction
from django.utils import timezone

from deputies.models import Stationing
from issues import services
from issues.forwarding import forwarding_retry_now
from issues.models import TRANSITIONS, Action, Channel, ExtensionRequest, Forwarding, Issue, IssueEvent, Rating, State
from issues.permissions import ACTION_ROLES, PLATFORM, SYSTEM, VILLAGER, Actor, Role, actions_available, authorize
from issues.selectors import issue_visible_to, issues_visible_to
from issues.services.exchange import issue_progress, issue_request_extension, issue_return
from issues.services.merging import issue_merge
from issues.tests.lifecycle import REJECT_REASON, REOPEN_REASON, REPLY_TEXT, drive_to, snapshot
from liaison.errors import ActionForbidden, IllegalTransition, IssueError, IssueNotFound
from stations.models import StaffMembership
from stations.services import membership_grant

# Each named person, and the role they hold for a case of deputy A's station (None: out of scope).
PEOPLE = {
    "villager": Role.VILLAGER,
    "deputy_a": Role.DEPUTY,
    "deputy_b": None,
    "station_staff": Role.STATION_STAFF,
    "township_staff": Role.TOWNSHIP_STAFF,
    "admin": Role.ADMIN,
    "system": Role.SYSTEM,
    "platform": Role.PLATFORM,
}
USER_ATTR = {
    "deputy_a": "deputy_a_user",
    "deputy_b": "deputy_b_user",
    "station_staff": "station_staff",
    "township_staff": "township_staff",
    "admin": "admin",
}
ACCOUNTLESS = {"villager": VILLAGER, "system": SYSTEM, "platform": PLATFORM}
PHONE = "13800138000"


def actor_of(world, person: str) -> Actor:
    return ACCOUNTLESS.get(person) or Actor.of(getattr(world, USER_ATTR[person]))


def expected_error(person: str, action: str, state: str) -> type[IssueError] | None:
    role = PEOPLE[person]
    if role is None:
        return IssueNotFound
    if state in ACTION_ROLES.get(action, {}).get(role, ()):
        return None
    return ActionForbidden


def act(world, actor: Actor, action: str, issue: Issue):
    match action:
        case Action.ACCEPT:
            return services.issue_accept(actor=actor, issue_id=issue.pk)
        case Action.REJECT:
            return services.issue_reject(actor=actor, issue_id=issue.pk, reason=REJECT_REASON)
        case Action.REVIEW:
            return services.issue_review(actor=actor, issue_id=issue.pk)
        case Action.ASSIGN:
            return services.issue_assign(actor=actor, issue_id=issue.pk, department_id=world.department.pk)
        case Action.REPLY:
            return services.issue_reply(actor=actor, issue_id=issue.pk, text=REPLY_TEXT)
        case Action.EVALUATE:
            return services.issue_evaluate(actor=actor, issue_id=issue.pk, rating=Rating.SATISFIED)
        case Action.REOPEN:
            return services.issue_reopen(actor=actor, issue_id=issue.pk, reason=REOPEN_REASON)
        case Action.CLOSE:
            # The closing service acts as the system itself; the rule is checked where it lives.
            return authorize(actor, action, issue)
        case Action.EXTEND:
            deadline = issue.deadline + datetime.timedelta(days=3)
            return services.issue_extend_deadline(actor=actor, issue_id=issue.pk, deadline=deadline, reason="等材料")
        case Action.REVEAL_PHONE:
            return services.issue_reveal_contact(actor=actor, issue_id=issue.pk)
        case Action.RETRY_FORWARDING:
            return forwarding_retry_now(actor=actor, forwarding_id=issue.forwardings.get().pk)
        case Action.RETURN:
            return issue_return(
                actor=actor, forwarding_id=issue.forwardings.get().pk, message_id="m-1", reason="非本部门职责"
            )
        case Action.PROGRESS:
            return issue_progress(
                actor=actor, forwarding_id=issue.forwardings.get().pk, message_id="m-1", text="已派人查看"
            )
        case Action.REQUEST_EXTENSION:
            deadline = issue.deadline + datetime.timedelta(days=3)
            return issue_request_extension(
                actor=actor,
                forwarding_id=issue.forwardings.get().pk,
                message_id="m-1",
                deadline=deadline,
                reason="等材料",
            )
        case Action.DECIDE_EXTENSION:
            # The request is on record without an event, so that a refused decision leaves the
            # timeline exactly as it was.
            request = ExtensionRequest.objects.create(
                issue=issue,
                forwarding=issue.forwardings.get(),
                request_id="m-1",
                round=issue.round,
                requested_deadline=issue.deadline + datetime.timedelta(days=3),
                reason="等材料",
            )
            return services.extension_decide(actor=actor, extension_id=request.pk, approve=False, note="时限内能办完")
        case Action.TRANSCRIBE:
            from issues.models import VoiceNote
            from issues.services.voice import voice_transcribe

            VoiceNote.objects.get_or_create(
                issue=issue, defaults={"audio": "voice/x.webm", "content_type": "audio/webm", "duration": 4, "size": 9}
            )
            return voice_transcribe(actor=actor, issue_id=issue.pk, text="村口路灯坏了")
        case Action.MERGE:
            return issue_merge(actor=actor, main_id=issue.pk, issue_ids=[world.submit().pk])
    raise AssertionError(f"no service for {action}")


# Every action in every state the lifecycle allows it from, plus those that keep the state.
ACTION_STATES = [
    *[(action, state) for action, moves in TRANSITIONS.items() for state in moves],
    (Action.EXTEND, State.ASSIGNED),
    (Action.REVEAL_PHONE, State.SUBMITTED),
    (Action.RETRY_FORWARDING, State.ASSIGNED),
    (Action.PROGRESS, State.ASSIGNED),
    (Action.REQUEST_EXTENSION, State.ASSIGNED),
    (Action.DECIDE_EXTENSION, State.ASSIGNED),
    (Action.TRANSCRIBE, State.SUBMITTED),
    (Action.MERGE, State.SUBMITTED),
    (Action.MERGE, State.REVIEWED),
]
MATRIX = [(person, action, state) for action, state in ACTION_STATES for person in PEOPLE]


def test_the_matrix_covers_every_action_of_the_permission_table():
    # Undoing a merge needs a merged case: its table is tested in test_merging.
    assert {action for _, action, _ in MATRIX} | {Action.SUBMIT, Action.UNMERGE} == set(ACTION_ROLES)
    assert set(PEOPLE.values()) - {None} >= {role for roles in ACTION_ROLES.values() for role in roles}


@pytest.mark.parametrize(("person", "action", "state"), MATRIX, ids=[f"{p}-{a}-{s}" for p, a, s in MATRIX])
def test_person_may_take_action_only_where_the_permission_table_says(world, person, action, state):
    issue = drive_to(world, state, submitter_phone=PHONE)
    before = snapshot(issue.pk)
    actor = actor_of(world, person)
    error = expected_error(person, action, state)

    if error is not None:
        with pytest.raises(error):
            act(world, actor, action, issue)
        assert snapshot(issue.pk) == before
        return

    result = act(world, actor, action, issue)
    if action == Action.CLOSE:
        assert snapshot(issue.pk) == before  # only authorised, not taken
        return
    if action == Action.RETRY_FORWARDING:
        assert result.status == Forwarding.Status.PENDING
        assert snapshot(issue.pk)["events"] == before["events"]
        return
    if action == Action.REVEAL_PHONE:
        assert result.phone == PHONE
    if action in (Action.RETURN, Action.PROGRESS, Action.REQUEST_EXTENSION):
        assert result is False  # applied, not a repeat
    event = IssueEvent.objects.filter(issue=issue).latest("pk")
    assert IssueEvent.objects.filter(issue=issue).count() == len(before["events"]) + 1
    assert event.action == action
    if actor.user is not None:
        assert (event.actor_kind, event.actor_id) == (IssueEvent.ActorKind.USER, actor.user.pk)
    else:
        assert (event.actor_kind, event.actor_id) == (person, None)


@pytest.mark.parametrize("person", PEOPLE)
def test_person_may_record_a_case_only_where_the_permission_table_says(world, person):
    actor = actor_of(world, person)
    issues_before = Issue.objects.count()
    role = PEOPLE[person]
    submit = {
        "actor": actor,
        "channel": Channel.WALK_IN,
        "station_id": world.railway_point.pk,
        "content": "码头的护栏松了，老人孩子路过很危险。",
    }
    if role is None:
        with pytest.raises(IssueNotFound):
            services.issue_submit(**submit)
    elif role not in ACTION_ROLES[Action.SUBMIT]:
        with pytest.raises(ActionForbidden):
            services.issue_submit(**submit)
    else:
        issue = services.issue_submit(**submit)
        assert issue.events.get().action == Action.SUBMIT
        assert Issue.objects.count() == issues_before + 1
        return
    assert Issue.objects.count() == issues_before


@pytest.mark.parametrize("action", [a for a in TRANSITIONS if a != Action.CLOSE])
def test_township_staff_are_forbidden_every_action_even_where_the_state_refuses_it(world, action):
    issue = drive_to(world, State.EVALUATED)
    before = snapshot(issue.pk)
    with pytest.raises(ActionForbidden):
        act(world, world.actor("township_staff"), action, issue)
    assert snapshot(issue.pk) == before


@pytest.mark.parametrize("person", ["station_staff", "admin"])
def test_staff_with_the_role_get_illegal_transition_for_a_state_that_refuses_it(world, person):
    issue = drive_to(world, State.EVALUATED)
    with pytest.raises(IllegalTransition):
        act(world, actor_of(world, person), Action.ACCEPT, issue)


def test_deputy_cannot_accept_other_stations_issue(world):
    issue = world.submit(deputy=world.deputy_b)
    before = snapshot(issue.pk)
    with pytest.raises(IssueNotFound):
        services.issue_accept(actor=world.actor("deputy_a_user"), issue_id=issue.pk)
    assert snapshot(issue.pk) == before


def test_deputy_cannot_read_the_phone_number_of_other_stations_issue(world):
    issue = world.submit(deputy=world.deputy_b, submitter_phone=PHONE)
    before = snapshot(issue.pk)
    with pytest.raises(IssueNotFound):
        services.issue_reveal_contact(actor=world.actor("deputy_a_user"), issue_id=issue.pk)
    assert snapshot(issue.pk) == before


def test_deputy_cannot_read_other_stations_case_by_replaying_a_platform_reply_id(world):
    issue = drive_to(world, State.ASSIGNED)
    services.issue_reply(actor=PLATFORM, issue_id=issue.pk, text=REPLY_TEXT, external_ref="reply-42")
    before = snapshot(issue.pk)
    with pytest.raises(IssueNotFound):
        services.issue_reply(
            actor=world.actor("deputy_b_user"), issue_id=issue.pk, text="随便写写", external_ref="reply-42"
        )
    assert snapshot(issue.pk) == before


def test_deactivated_account_cannot_act_on_its_stations_case(world):
    issue = world.submit()
    world.station_staff.is_active = False
    world.station_staff.save()
    staff = get_user_model().objects.get(pk=world.station_staff.pk)
    before = snapshot(issue.pk)
    with pytest.raises(IssueNotFound):
        services.issue_accept(actor=Actor.of(staff), issue_id=issue.pk)
    assert snapshot(issue.pk) == before


@pytest.mark.parametrize("state", State.values)
@pytest.mark.parametrize("person", list(USER_ATTR))
def test_buttons_offer_exactly_the_actions_the_services_allow(world, person, state):
    issue = drive_to(world, state)
    user = getattr(world, USER_ATTR[person])
    offered = set(actions_available(user, issue))
    for action in (Action.ACCEPT, Action.REJECT, Action.REVIEW, Action.ASSIGN, Action.REPLY, Action.REOPEN):
        try:
            with transaction.atomic():
                act(world, Actor.of(user), action, issue)
                raise _Undo
        except _Undo:
            allowed = True
        except IssueError:
            allowed = False
        assert allowed == (action in offered), action


class _Undo(Exception):
    pass


# --- scope ---------------------------------------------------------------------------------------


@pytest.fixture
def cases(world):
    """A case addressed to deputy A, one to the railway point without a deputy, one to deputy B."""
    return {
        "to_deputy_a": world.submit(),
        "to_railway_point": world.submit(station=world.railway_point),
        "to_deputy_b": world.submit(deputy=world.deputy_b),
    }


def visible(user, cases) -> set[str]:
    ids = set(issues_visible_to(user).values_list("pk", flat=True))
    return {name for name, issue in cases.items() if issue.pk in ids}


def fresh(user):
    """The user as the next request loads it (the scope is cached per user object)."""
    return get_user_model().objects.get(pk=user.pk)


@pytest.mark.parametrize(
    ("person", "expected"),
    [
        ("deputy_a_user", {"to_deputy_a", "to_railway_point"}),
        ("deputy_b_user", {"to_deputy_b"}),
        ("station_staff", {"to_deputy_a", "to_railway_point"}),
        # The railway point sits in a village (潮面村) below the township the staff watch.
        ("township_staff", {"to_deputy_a", "to_railway_point"}),
        ("admin", {"to_deputy_a", "to_railway_point", "to_deputy_b"}),
    ],
)
def test_named_person_sees_exactly_their_scope(world, cases, person, expected):
    user = getattr(world, person)
    assert visible(user, cases) == expected
    for name, issue in cases.items():
        if name in expected:
            assert issue_visible_to(user, issue.pk) == issue
        else:
            with pytest.raises(IssueNotFound):
                issue_visible_to(user, issue.pk)


def test_anonymous_visitor_sees_no_case(world, cases):
    assert visible(AnonymousUser(), cases) == set()
    assert visible(None, cases) == set()


def test_account_without_role_sees_no_case(world, cases):
    nobody = get_user_model().objects.create_user(username="nobody", password="x")
    assert visible(nobody, cases) == set()


@pytest.mark.parametrize("person", ["deputy_a_user", "station_staff", "township_staff", "admin"])
def test_deactivated_account_sees_no_case(world, cases, person):
    user = getattr(world, person)
    user.is_active = False
    user.save()
    assert visible(fresh(user), cases) == set()


def test_deputy_who_no_longer_serves_sees_no_case(world, cases):
    world.deputy_a.is_active = False
    world.deputy_a.save()
    assert visible(fresh(world.deputy_a_user), cases) == set()


def test_deputy_stops_seeing_a_stations_cases_after_their_stationing_ended(world, cases):
    today = timezone.localdate()
    stationing = Stationing.objects.get(deputy=world.deputy_a, station=world.railway_point)
    stationing.end_date = today
    stationing.save()
    assert visible(fresh(world.deputy_a_user), cases) == {"to_deputy_a", "to_railway_point"}

    stationing.end_date = today - datetime.timedelta(days=1)
    stationing.save()
    # What was addressed to the deputy personally stays theirs; the station's cases do not.
    assert visible(fresh(world.deputy_a_user), cases) == {"to_deputy_a"}
    with pytest.raises(IssueNotFound):
        services.issue_accept(actor=Actor.of(fresh(world.deputy_a_user)), issue_id=cases["to_railway_point"].pk)


def test_deputy_sees_a_stations_cases_only_once_their_stationing_starts(world, cases):
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    visit = Stationing.objects.create(
        deputy=world.deputy_a, station=world.xiushan_station, kind=Stationing.Kind.VISITING, start_date=tomorrow
    )
    assert "to_deputy_b" not in visible(fresh(world.deputy_a_user), cases)
    visit.start_date = timezone.localdate()
    visit.save()
    assert "to_deputy_b" in visible(fresh(world.deputy_a_user), cases)


def test_township_staff_of_another_township_see_only_theirs(world, cases):
    xiushan_staff = get_user_model().objects.create_user(username="xiushan_staff", password="x")
    membership_grant(user=xiushan_staff, role=StaffMembership.Role.TOWNSHIP_STAFF, region=world.xiushan)
    assert visible(xiushan_staff, cases) == {"to_deputy_b"}


def test_city_staff_see_every_township_below_them(world, cases):
    city_staff = get_user_model().objects.create_user(username="city_staff", password="x")
    membership_grant(user=city_staff, role=StaffMembership.Role.TOWNSHIP_STAFF, region=world.city)
    assert visible(city_staff, cases) == set(cases)


def test_malformed_case_id_is_not_found(world, cases):
    for bad in ("abc", None, -1):
        with pytest.raises(IssueNotFound):
            issue_visible_to(world.admin, bad)
