"""The whole lifecycle table, generated from TRANSITIONS and State, plus the rules it cannot hold."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings

from deputies.models import Deputy
from issues import services
from issues.models import (
    TRANSITIONS,
    Action,
    Channel,
    Department,
    Evaluation,
    Issue,
    IssueEvent,
    Rating,
    State,
)
from issues.permissions import PLATFORM, SYSTEM, VILLAGER
from issues.tests.lifecycle import (
    EVALUATION_COMMENT,
    REJECT_REASON,
    REOPEN_REASON,
    REPLY_TEXT,
    drive_to,
    snapshot,
)
from liaison.errors import ActionForbidden, IllegalTransition, InvalidInput, IssueNotFound

SHANGHAI = ZoneInfo("Asia/Shanghai")
# The case is brought to its state on a Monday and acted on two days later, all working days.
DRIVEN_AT = datetime(2025, 6, 9, 9, 0, tzinfo=SHANGHAI)
ACTED_AT = datetime(2025, 6, 11, 10, 0, tzinfo=SHANGHAI)
CATEGORY_DAYS = 3  # differs from ISSUE_DEFAULT_REPLY_WORKING_DAYS, so the category's limit shows


def end_of(year: int, month: int, day: int) -> datetime:
    return datetime(year, month, day, 23, 59, 59, tzinfo=SHANGHAI)


def take(world, action: str, issue_id: int) -> Issue:
    """Take `action` as the actor whose role may take it in some state."""
    staff = world.actor("station_staff")
    match action:
        case Action.ACCEPT:
            return services.issue_accept(actor=staff, issue_id=issue_id)
        case Action.REJECT:
            return services.issue_reject(actor=staff, issue_id=issue_id, reason=REJECT_REASON)
        case Action.REVIEW:
            return services.issue_review(actor=staff, issue_id=issue_id)
        case Action.ASSIGN:
            return services.issue_assign(actor=staff, issue_id=issue_id, department_id=world.department.pk)
        case Action.REPLY:
            return services.issue_reply(actor=staff, issue_id=issue_id, text=REPLY_TEXT)
        case Action.EVALUATE:
            return services.issue_evaluate(actor=VILLAGER, issue_id=issue_id, rating=Rating.SATISFIED)
        case Action.REOPEN:
            return services.issue_reopen(actor=staff, issue_id=issue_id, reason=REOPEN_REASON)
        case Action.CLOSE:
            return services.issue_close_unevaluated(issue_id=issue_id)
    raise AssertionError(f"no service for {action}")


EXPECTED_ACTOR_KIND = {Action.EVALUATE: IssueEvent.ActorKind.VILLAGER, Action.CLOSE: IssueEvent.ActorKind.SYSTEM}


def acted_at(action: str) -> datetime:
    if action == Action.CLOSE:  # only once the evaluation window of the reply has passed
        return DRIVEN_AT + timedelta(days=settings.ISSUE_EVALUATION_WINDOW_DAYS, hours=1)
    return ACTED_AT


def expected_deadline(action: str) -> datetime | None:
    match action:
        case Action.ACCEPT:  # the end of the next working day
            return end_of(2025, 6, 12)
        case Action.REVIEW | Action.REOPEN:  # 3 working days after Wed 11 June: 12, 13, 16
            return end_of(2025, 6, 16)
        case Action.ASSIGN:  # the reply clock started at review (Mon 9 June): 10, 11, 12
            return end_of(2025, 6, 12)
        case Action.REPLY:
            return ACTED_AT + timedelta(days=settings.ISSUE_EVALUATION_WINDOW_DAYS)
    return None  # reject, evaluate, close: final states have no deadline


# 退办 is taken on a hand-over (the platform returns the forwarding it holds), not on a case:
# issues/tests/test_platform_words.py drives it from `assigned`, after the reply and twice.
ON_A_HAND_OVER = (Action.RETURN,)
ON_A_CASE = {action: moves for action, moves in TRANSITIONS.items() if action not in ON_A_HAND_OVER}
ALLOWED = [(state, action) for action, moves in ON_A_CASE.items() for state in moves]
REFUSED = [(state, action) for state in State.values for action in ON_A_CASE if state not in ON_A_CASE[action]]


def _ids(pairs):
    return [f"{action}-from-{state}" for state, action in pairs]


@pytest.fixture
def world(world):
    world.category.reply_working_days = CATEGORY_DAYS
    world.category.save()
    return world


def test_the_table_is_split_into_allowed_and_refused_pairs_without_gaps():
    assert len(ALLOWED) + len(REFUSED) == len(State.values) * len(ON_A_CASE)
    assert set(ALLOWED).isdisjoint(REFUSED)


@pytest.mark.parametrize(("state", "action"), ALLOWED, ids=_ids(ALLOWED))
def test_allowed_transition_moves_the_case_and_writes_one_event(world, time_machine, state, action):
    time_machine.move_to(DRIVEN_AT, tick=False)
    issue = drive_to(world, state)
    assert issue.state == state
    events_before = IssueEvent.objects.filter(issue=issue).count()

    time_machine.move_to(acted_at(action), tick=False)
    take(world, action, issue.pk)

    issue.refresh_from_db()
    assert issue.state == TRANSITIONS[action][state]
    new_events = list(IssueEvent.objects.filter(issue=issue).order_by("pk")[events_before:])
    assert len(new_events) == 1
    event = new_events[0]
    assert (event.action, event.from_state, event.to_state) == (action, state, issue.state)
    assert event.round == issue.round == (2 if action == Action.REOPEN else 1)
    assert event.actor_kind == EXPECTED_ACTOR_KIND.get(action, IssueEvent.ActorKind.USER)
    assert event.created_at == acted_at(action)
    assert issue.deadline == expected_deadline(action)


@pytest.mark.parametrize(("state", "action"), REFUSED, ids=_ids(REFUSED))
def test_refused_transition_raises_and_changes_nothing(world, time_machine, state, action):
    time_machine.move_to(DRIVEN_AT, tick=False)
    issue = drive_to(world, state)
    before = snapshot(issue.pk)

    time_machine.move_to(acted_at(action), tick=False)
    with pytest.raises(IllegalTransition):
        take(world, action, issue.pk)

    assert snapshot(issue.pk) == before


def test_submission_gives_the_station_one_working_day_to_accept(world, time_machine):
    time_machine.move_to(DRIVEN_AT, tick=False)
    issue = world.submit()
    assert issue.state == State.SUBMITTED
    assert issue.deadline == end_of(2025, 6, 10)
    (event,) = issue.events.all()
    assert (event.action, event.from_state, event.to_state, event.round) == ("submit", "", State.SUBMITTED, 1)
    assert event.actor_kind == IssueEvent.ActorKind.VILLAGER


def test_review_of_a_case_without_category_uses_the_default_reply_limit(world, time_machine):
    time_machine.move_to(ACTED_AT, tick=False)
    issue = drive_to(world, State.REVIEWED, category_id=None)
    assert settings.ISSUE_DEFAULT_REPLY_WORKING_DAYS == 5
    assert issue.deadline == end_of(2025, 6, 18)  # 12, 13, 16, 17, 18


# --- evaluation ---------------------------------------------------------------------------------


@pytest.mark.parametrize("rating", [Rating.SATISFIED, Rating.BASICALLY_SATISFIED])
def test_satisfied_rating_finishes_the_case(world, time_machine, rating):
    time_machine.move_to(DRIVEN_AT, tick=False)
    issue = drive_to(world, State.REPLIED)
    time_machine.move_to(ACTED_AT, tick=False)

    services.issue_evaluate(issue_id=issue.pk, rating=rating)

    issue.refresh_from_db()
    assert (issue.state, issue.rating, issue.round, issue.deadline) == (State.EVALUATED, rating, 1, None)
    assert issue.finished_at == ACTED_AT
    assert list(issue.evaluations.values_list("round", "rating")) == [(1, rating)]


@pytest.mark.parametrize(
    ("via_department", "reopened_state"), [(True, State.REVIEWED), (False, State.REVIEWED)], ids=["dept", "no-dept"]
)
def test_unsatisfied_rating_reopens_the_case_for_a_new_round_in_the_stations_hands(
    world, time_machine, via_department, reopened_state
):
    time_machine.move_to(DRIVEN_AT, tick=False)
    issue = drive_to(world, State.REPLIED, via_department=via_department)
    events_before = issue.events.count()
    time_machine.move_to(ACTED_AT, tick=False)

    services.issue_evaluate(issue_id=issue.pk, rating=Rating.UNSATISFIED, comment=EVALUATION_COMMENT)

    issue.refresh_from_db()
    assert (issue.state, issue.round, issue.rating) == (reopened_state, 2, Rating.UNSATISFIED)
    assert issue.deadline == end_of(2025, 6, 16)  # a new reply limit from today: 12, 13, 16
    assert issue.finished_at is None
    evaluate, reopen = issue.events.order_by("pk")[events_before:]
    assert (evaluate.action, evaluate.from_state, evaluate.to_state, evaluate.round) == (
        Action.EVALUATE,
        State.REPLIED,
        State.REPLIED,
        1,
    )
    assert evaluate.actor_kind == IssueEvent.ActorKind.VILLAGER
    assert evaluate.public_note == EVALUATION_COMMENT
    assert (reopen.action, reopen.from_state, reopen.to_state, reopen.round) == (
        Action.REOPEN,
        State.REPLIED,
        reopened_state,
        2,
    )
    assert reopen.actor_kind == IssueEvent.ActorKind.SYSTEM
    assert issue.events.count() == events_before + 2
    assert list(issue.evaluations.values_list("round", "rating")) == [(1, Rating.UNSATISFIED)]


def test_second_rating_of_a_finished_case_is_refused(world):
    issue = drive_to(world, State.EVALUATED)
    before = snapshot(issue.pk)
    with pytest.raises(IllegalTransition):
        services.issue_evaluate(issue_id=issue.pk, rating=Rating.UNSATISFIED, comment=EVALUATION_COMMENT)
    assert snapshot(issue.pk) == before


def test_repeated_unsatisfied_rating_in_one_round_is_refused(world):
    issue = drive_to(world, State.REPLIED)
    services.issue_evaluate(issue_id=issue.pk, rating=Rating.UNSATISFIED, comment=EVALUATION_COMMENT)
    before = snapshot(issue.pk)
    with pytest.raises(IllegalTransition):
        services.issue_evaluate(issue_id=issue.pk, rating=Rating.UNSATISFIED, comment=EVALUATION_COMMENT)
    assert snapshot(issue.pk) == before
    assert Evaluation.objects.filter(issue=issue).count() == 1


def test_each_round_gets_its_own_rating(world):
    issue = drive_to(world, State.REPLIED)
    services.issue_evaluate(issue_id=issue.pk, rating=Rating.UNSATISFIED, comment=EVALUATION_COMMENT)
    services.issue_reply(actor=world.actor("station_staff"), issue_id=issue.pk, text="灯已换新，请再看看。")
    services.issue_evaluate(issue_id=issue.pk, rating=Rating.BASICALLY_SATISFIED)
    issue.refresh_from_db()
    assert (issue.state, issue.round, issue.rating) == (State.EVALUATED, 2, Rating.BASICALLY_SATISFIED)
    assert list(issue.evaluations.values_list("round", "rating")) == [
        (1, Rating.UNSATISFIED),
        (2, Rating.BASICALLY_SATISFIED),
    ]


@pytest.mark.parametrize("comment", ["", "   "], ids=["empty", "blank"])
def test_unsatisfied_rating_without_a_comment_is_refused(world, comment):
    issue = drive_to(world, State.REPLIED)
    before = snapshot(issue.pk)
    with pytest.raises(InvalidInput) as refused:
        services.issue_evaluate(issue_id=issue.pk, rating=Rating.UNSATISFIED, comment=comment)
    assert refused.value.field == "comment"
    assert snapshot(issue.pk) == before


# --- input the transitions refuse ----------------------------------------------------------------


@pytest.mark.parametrize("reason", ["", "  \n "], ids=["empty", "blank"])
def test_rejection_without_a_reason_is_refused(world, reason):
    issue = world.submit()
    before = snapshot(issue.pk)
    with pytest.raises(InvalidInput) as refused:
        services.issue_reject(actor=world.actor("station_staff"), issue_id=issue.pk, reason=reason)
    assert refused.value.field == "reason"
    assert snapshot(issue.pk) == before


@pytest.mark.parametrize("department", ["unknown", "inactive", "none"])
def test_assignment_to_a_department_that_cannot_take_cases_is_refused(world, department):
    issue = drive_to(world, State.REVIEWED)
    inactive = Department.objects.create(name="已撤销的办公室", region=world.baiquan, is_active=False)
    department_id = {"unknown": inactive.pk + 1000, "inactive": inactive.pk, "none": None}[department]
    before = snapshot(issue.pk)
    with pytest.raises(InvalidInput) as refused:
        services.issue_assign(actor=world.actor("station_staff"), issue_id=issue.pk, department_id=department_id)
    assert refused.value.field == "department"
    assert snapshot(issue.pk) == before


def test_platform_reply_delivered_twice_is_applied_once(world):
    issue = drive_to(world, State.ASSIGNED)
    first = services.issue_reply(actor=PLATFORM, issue_id=issue.pk, text=REPLY_TEXT, external_ref="reply-42")
    after_first = snapshot(issue.pk)

    again = services.issue_reply(actor=PLATFORM, issue_id=issue.pk, text="另一段文字", external_ref="reply-42")

    assert snapshot(issue.pk) == after_first
    assert again.pk == first.pk
    assert (again.state, again.reply_text) == (State.REPLIED, REPLY_TEXT)
    (reply,) = IssueEvent.objects.filter(issue=issue, action=Action.REPLY)
    assert (reply.external_ref, reply.actor_kind) == ("reply-42", IssueEvent.ActorKind.PLATFORM)


def test_second_platform_reply_with_a_new_reference_is_refused(world):
    issue = drive_to(world, State.ASSIGNED)
    services.issue_reply(actor=PLATFORM, issue_id=issue.pk, text=REPLY_TEXT, external_ref="reply-42")
    before = snapshot(issue.pk)
    with pytest.raises(IllegalTransition):
        services.issue_reply(actor=PLATFORM, issue_id=issue.pk, text=REPLY_TEXT, external_ref="reply-43")
    assert snapshot(issue.pk) == before


def test_staff_reopen_after_closing_starts_a_new_round(world, time_machine):
    time_machine.move_to(ACTED_AT, tick=False)
    issue = drive_to(world, State.CLOSED, via_department=False)
    services.issue_reopen(actor=world.actor("station_staff"), issue_id=issue.pk, reason=REOPEN_REASON)
    issue.refresh_from_db()
    # Without a department the station handles it again itself.
    assert (issue.state, issue.round, issue.finished_at) == (State.REVIEWED, 2, None)
    assert issue.deadline == end_of(2025, 6, 16)
    assert issue.events.last().public_note == REOPEN_REASON


# --- closing unrated cases -------------------------------------------------------------------------


def test_sweeper_closes_only_replied_cases_past_the_window_and_never_as_satisfied(world, time_machine):
    window = timedelta(days=settings.ISSUE_EVALUATION_WINDOW_DAYS)
    time_machine.move_to(DRIVEN_AT, tick=False)
    expired = drive_to(world, State.REPLIED)
    still_open = {state: drive_to(world, state) for state in (State.ASSIGNED, State.EVALUATED, State.REJECTED)}
    time_machine.move_to(DRIVEN_AT + timedelta(days=2), tick=False)
    recent = drive_to(world, State.REPLIED)
    untouched = [recent.pk, *(issue.pk for issue in still_open.values())]
    before = {pk: snapshot(pk) for pk in untouched}

    time_machine.move_to(DRIVEN_AT + window + timedelta(minutes=1), tick=False)
    assert services.close_expired_evaluations() == 1

    expired.refresh_from_db()
    assert (expired.state, expired.rating, expired.deadline) == (State.CLOSED, "", None)
    assert expired.finished_at == DRIVEN_AT + window + timedelta(minutes=1)
    assert not expired.evaluations.exists()
    close = expired.events.last()
    assert (close.action, close.from_state, close.to_state, close.actor_kind) == (
        Action.CLOSE,
        State.REPLIED,
        State.CLOSED,
        IssueEvent.ActorKind.SYSTEM,
    )
    assert {pk: snapshot(pk) for pk in untouched} == before
    assert services.close_expired_evaluations() == 0


def test_closing_a_case_whose_window_is_still_open_is_refused(world):
    issue = drive_to(world, State.REPLIED)
    before = snapshot(issue.pk)
    with pytest.raises(IllegalTransition):
        services.issue_close_unevaluated(issue_id=issue.pk)
    assert snapshot(issue.pk) == before


# --- every domain error leaves the database as it was ------------------------------------------------


def _staff_call(service, **params):
    return lambda world, issue: service(actor=world.actor("station_staff"), issue_id=issue.pk, **params)


REFUSED_CALLS = {
    "reply-empty": (State.ASSIGNED, InvalidInput, _staff_call(services.issue_reply, text=" ")),
    "reply-too-long": (State.ASSIGNED, InvalidInput, _staff_call(services.issue_reply, text="答" * 5001)),
    "reopen-no-reason": (State.REPLIED, InvalidInput, _staff_call(services.issue_reopen, reason="")),
    "reopen-deadline-in-past": (
        State.REPLIED,
        InvalidInput,
        _staff_call(services.issue_reopen, reason=REOPEN_REASON, deadline=datetime(2020, 1, 1, tzinfo=SHANGHAI)),
    ),
    "reject-reason-too-long": (State.SUBMITTED, InvalidInput, _staff_call(services.issue_reject, reason="因" * 1001)),
    "evaluate-unknown-rating": (
        State.REPLIED,
        InvalidInput,
        lambda world, issue: services.issue_evaluate(issue_id=issue.pk, rating="great"),
    ),
    "evaluate-comment-too-long": (
        State.REPLIED,
        InvalidInput,
        lambda world, issue: services.issue_evaluate(issue_id=issue.pk, rating=Rating.SATISFIED, comment="好" * 1001),
    ),
    "evaluate-by-staff": (
        State.REPLIED,
        ActionForbidden,
        lambda world, issue: services.issue_evaluate(
            actor=world.actor("station_staff"), issue_id=issue.pk, rating=Rating.SATISFIED
        ),
    ),
    "extend-to-earlier": (
        State.ASSIGNED,
        InvalidInput,
        lambda world, issue: services.issue_extend_deadline(
            actor=world.actor("station_staff"),
            issue_id=issue.pk,
            deadline=issue.deadline - timedelta(days=1),
            reason="等待材料",
        ),
    ),
    "extend-finished-case": (
        State.EVALUATED,
        IllegalTransition,
        lambda world, issue: services.issue_extend_deadline(
            actor=world.actor("station_staff"),
            issue_id=issue.pk,
            deadline=datetime(2099, 1, 1, tzinfo=SHANGHAI),
            reason="等待材料",
        ),
    ),
    "accept-by-other-station-deputy": (
        State.SUBMITTED,
        IssueNotFound,
        lambda world, issue: services.issue_accept(actor=world.actor("deputy_b_user"), issue_id=issue.pk),
    ),
    "accept-by-township-staff": (
        State.SUBMITTED,
        ActionForbidden,
        lambda world, issue: services.issue_accept(actor=world.actor("township_staff"), issue_id=issue.pk),
    ),
    "platform-reply-before-assignment": (
        State.REVIEWED,
        ActionForbidden,
        lambda world, issue: services.issue_reply(actor=PLATFORM, issue_id=issue.pk, text=REPLY_TEXT),
    ),
    "system-accept": (
        State.SUBMITTED,
        ActionForbidden,
        lambda world, issue: services.issue_accept(actor=SYSTEM, issue_id=issue.pk),
    ),
    "unknown-action": (
        State.SUBMITTED,
        InvalidInput,
        lambda world, issue: services.issue_transition(
            actor=world.actor("station_staff"), issue_id=issue.pk, action="close"
        ),
    ),
}


@pytest.mark.parametrize("name", REFUSED_CALLS)
def test_refused_call_leaves_the_database_unchanged(world, name):
    state, error, call = REFUSED_CALLS[name]
    issue = drive_to(world, state)
    before = snapshot(issue.pk)
    event_total = IssueEvent.objects.count()
    with pytest.raises(error):
        call(world, issue)
    assert snapshot(issue.pk) == before
    assert IssueEvent.objects.count() == event_total


@pytest.mark.parametrize("action", [a for a in ON_A_CASE if a not in (Action.EVALUATE, Action.CLOSE)])
def test_action_on_a_case_that_does_not_exist_is_not_found(world, action):
    missing = (Issue.objects.order_by("-pk").values_list("pk", flat=True).first() or 0) + 1
    event_total = IssueEvent.objects.count()
    params = {
        Action.REJECT: {"reason": REJECT_REASON},
        Action.ASSIGN: {"department_id": world.department.pk},
        Action.REPLY: {"text": REPLY_TEXT},
        Action.REOPEN: {"reason": REOPEN_REASON},
    }.get(action, {})
    with pytest.raises(IssueNotFound):
        services.issue_transition(actor=world.actor("admin"), issue_id=missing, action=action, **params)
    assert IssueEvent.objects.count() == event_total


def test_a_case_sent_by_deputy_qr_goes_to_the_deputys_resident_station_not_a_visited_one(world):
    import datetime

    from deputies.models import Stationing

    Stationing.objects.create(
        deputy=world.deputy_a,
        station=world.xiushan_station,
        kind=Stationing.Kind.VISITING,
        start_date=datetime.date(2019, 1, 1),
    )
    issue = world.submit(deputy=world.deputy_a)
    assert issue.station == world.railway_point


def test_a_villager_cannot_rate_a_reply_after_the_rating_window_even_before_the_sweeper_runs(world):
    from issues import clock
    from issues.permissions import Actor

    staff = Actor.of(world.station_staff)
    issue = world.submit()
    services.issue_accept(actor=staff, issue_id=issue.pk)
    services.issue_reply(actor=staff, issue_id=issue.pk, text="已处理。")
    later = clock.now() + timedelta(days=settings.ISSUE_EVALUATION_WINDOW_DAYS, hours=1)
    with clock.frozen_at(later), pytest.raises(IllegalTransition):
        services.issue_evaluate(issue_id=issue.pk, rating="satisfied")
    issue.refresh_from_db()
    assert issue.state == State.REPLIED and issue.rating == ""


def test_a_form_sent_by_qr_code_after_the_deputy_stopped_serving_writes_nothing(world):
    deputy = world.deputy_a
    Deputy.objects.filter(pk=deputy.pk).update(is_active=False)

    with pytest.raises(InvalidInput) as refused:
        services.issue_submit(channel=Channel.DEPUTY_QR, content="村口路灯坏了三天。", deputy_token=deputy.qr_token)

    assert refused.value.field == "deputy"
    assert not Issue.objects.exists() and not IssueEvent.objects.exists()


def test_a_form_sent_again_after_the_deputy_stopped_serving_returns_the_first_case(world):
    sent = {"channel": Channel.DEPUTY_QR, "content": "村口路灯坏了三天。", "deputy_token": world.deputy_a.qr_token}
    first = services.issue_submit(**sent, idempotency_key="form:n1")
    Deputy.objects.filter(pk=world.deputy_a.pk).update(is_active=False)

    again = services.issue_submit(**sent, idempotency_key="form:n1")

    assert (again.pk, again.replayed) == (first.pk, True)
    assert Issue.objects.count() == 1


def test_a_deputy_found_serving_again_right_after_the_insert_missed_still_gets_the_case(world, monkeypatch):
    from issues.services import submission

    real, calls = submission.insert_together, []

    def missed_once(*args, **kwargs):  # the deputy was off duty for the instant of the insert
        calls.append(1)
        return False if len(calls) == 1 else real(*args, **kwargs)

    monkeypatch.setattr(submission, "insert_together", missed_once)
    issue = services.issue_submit(
        channel=Channel.DEPUTY_QR, content="村口路灯坏了三天。", deputy_token=world.deputy_a.qr_token
    )

    assert len(calls) == 2 and Issue.objects.get().pk == issue.pk
    assert (issue.deputy_id, issue.station_id) == (world.deputy_a.pk, world.railway_point.pk)
