"""The transitions after submission, and the events that do not move the state."""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from issues import clock
from issues.departments import ensure_department_in_scope
from issues.forwarding import forwarding_create_locked
from issues.models import (
    TRANSITIONS,
    Action,
    Department,
    Evaluation,
    Issue,
    IssueEvent,
    Rating,
    State,
)
from issues.permissions import SYSTEM, VILLAGER, Actor, authorize, scope_of
from issues.services.core import (
    evaluation_deadline,
    follow_main_locked,
    lock_case,
    locked_transition,
    record_event,
    reply_deadline,
    save_if_unchanged,
)
from issues.validators import REASON_MAX, REPLY_MAX, clean_text
from issues.workdays import add_working_days
from liaison.errors import IllegalTransition, InvalidInput, IssueNotFound, StaleRound


def issue_accept(*, actor: Actor, issue_id: int, note: str = "") -> Issue:
    def apply(issue: Issue, now: datetime) -> dict:
        issue.accepted_at = now
        issue.deadline = add_working_days(now, settings.ISSUE_REVIEW_WORKING_DAYS)
        return {"internal_note": note.strip()}

    return locked_transition(actor=actor, issue_id=issue_id, action=Action.ACCEPT, apply=apply)


def issue_reject(*, actor: Actor, issue_id: int, reason: str) -> Issue:
    reason = clean_text(
        reason, field="reason", required_message=_("Give the villager a reason for rejecting."), maximum=REASON_MAX
    )

    def apply(issue: Issue, now: datetime) -> dict:
        issue.rejection_reason = reason
        issue.deadline = None
        issue.finished_at = now
        return {"public_note": reason}

    return locked_transition(actor=actor, issue_id=issue_id, action=Action.REJECT, apply=apply)


def issue_review(*, actor: Actor, issue_id: int, note: str = "") -> Issue:
    def apply(issue: Issue, now: datetime) -> dict:
        issue.deadline = reply_deadline(issue, now)
        return {"internal_note": note.strip()}

    return locked_transition(actor=actor, issue_id=issue_id, action=Action.REVIEW, apply=apply)


def issue_assign(
    *,
    actor: Actor,
    issue_id: int,
    department_id: int | None,
    note: str = "",
    co_department_ids=(),
    instructions: str = "",
) -> Issue:
    """Hand the case to a lead department (主办), with optional co-handling ones (协办); the
    platform gets them all, and the reply comes from the lead. `instructions` (after an
    unsatisfied rating: what the department must do differently) go to the department with the
    case."""
    department = None
    if department_id is not None:
        department = Department.objects.filter(pk=department_id, is_active=True).first()
    if department is None:
        raise InvalidInput(_("Choose a department that exists."), field="department")
    try:
        wanted = {int(pk) for pk in co_department_ids or ()} - {department.pk}
    except (TypeError, ValueError):
        raise InvalidInput(_("Choose co-handling departments that exist."), field="co_departments") from None
    co_departments = list(Department.objects.filter(pk__in=wanted, is_active=True).order_by("name"))
    if len(co_departments) != len(wanted):
        raise InvalidInput(_("Choose co-handling departments that exist."), field="co_departments")

    def apply(issue: Issue, now: datetime) -> dict:
        ensure_department_in_scope(issue, department)  # under the row lock: nothing written yet
        issue.department = department
        issue.first_assigned_at = issue.first_assigned_at or now
        # No co-handlers named: sent back to the same lead (after 不满意), its co-handlers go again.
        forwarding_create_locked(issue, co_departments=co_departments or None)
        # The reply clock started at review; handing the case on does not restart it.
        data = {"department_id": department.pk, "department": department.name}
        if co_departments:
            data["co_departments"] = [d.name for d in co_departments]
        if instructions.strip():
            data["instructions"] = instructions.strip()[:REASON_MAX]
        return {"internal_note": note.strip(), "data": data}

    return locked_transition(actor=actor, issue_id=issue_id, action=Action.ASSIGN, apply=apply)


def issue_reply(*, actor: Actor, issue_id: int, text: str, external_ref: str = "", round: int | None = None) -> Issue:
    """Record the answer to the villager. With `external_ref` (the platform's reply id) a repeated
    delivery of the same reply changes nothing and returns the case with `replayed` set. With
    `round`, an answer meant for another handling round is refused (StaleRound)."""
    text = clean_text(text, field="text", required_message=_("Write the reply to the villager."), maximum=REPLY_MAX)

    def apply(issue: Issue, now: datetime) -> dict:
        on_time = issue.deadline is None or now <= issue.deadline
        issue.reply_text = text
        issue.replied_at = now
        issue.first_replied_at = issue.first_replied_at or now
        issue.last_reply_on_time = on_time
        issue.deadline = evaluation_deadline(now)
        return {"public_note": text, "external_ref": external_ref, "data": {"on_time": on_time}}

    with transaction.atomic():
        if external_ref:
            # Under the row lock, and only for an actor who may see the case: a reply id must
            # neither reveal a case nor let two simultaneous deliveries both get through.
            try:
                issue = Issue.objects.select_for_update().get(pk=issue_id)
            except Issue.DoesNotExist:
                raise IssueNotFound() from None
            if actor.role is None and not scope_of(actor.user).can_see(issue):
                raise IssueNotFound()
            if IssueEvent.objects.filter(issue_id=issue_id, external_ref=external_ref).exists():
                issue.replayed = True
                return issue
            if round is not None and round != issue.round:
                raise StaleRound()
        issue = locked_transition(actor=actor, issue_id=issue_id, action=Action.REPLY, apply=apply)
    issue.replayed = False
    return issue


def issue_evaluate(*, issue_id: int, rating: str, comment: str = "", actor: Actor = VILLAGER) -> Issue:
    """The villager rates the reply of the current round. 满意 and 基本满意 finish the case;
    不满意 (with a comment) reopens it at once for another round with a new deadline, in the
    station's hands (never straight back to the department); a second 不满意 escalates it to the
    township (issues.alerts)."""
    if rating not in Rating.values:
        raise InvalidInput(_("Choose satisfied, basically satisfied or unsatisfied."), field="rating")
    comment = (comment or "").strip()
    if len(comment) > REASON_MAX:
        raise InvalidInput(_("This text is too long (at most %(n)d characters).") % {"n": REASON_MAX}, field="comment")
    if rating == Rating.UNSATISFIED and not comment:
        raise InvalidInput(_("Please tell us what is still wrong."), field="comment")

    with transaction.atomic():
        issue = lock_case(issue_id)
        authorize(actor, Action.EVALUATE, issue)
        from_state, from_round = issue.state, issue.round
        if Evaluation.objects.filter(issue=issue, round=issue.round).exists():
            raise IllegalTransition(_("This reply has already been rated."))
        now = clock.now()
        if issue.deadline is not None and issue.deadline < now:
            # Past the window the case counts as closed without a rating, whether or not the
            # scheduled task has got round to closing it yet.
            raise IllegalTransition(_("The time to rate this reply has passed."))
        Evaluation.objects.create(issue=issue, round=issue.round, rating=rating, comment=comment, created_at=now)
        issue.rating = rating
        issue.updated_at = now
        if rating == Rating.UNSATISFIED:
            # Stays `replied` for the evaluate event, then reopens in the same transaction.
            save_if_unchanged(issue, from_state, from_round)
            record_event(
                issue,
                action=Action.EVALUATE,
                from_state=from_state,
                actor=actor,
                public_note=comment,
                data={"rating": rating},
            )
            # Back into the station's hands, not to the department: a person decides what next
            # (send it back with instructions, answer it themselves, or escalate it).
            _reopen_after_unsatisfied(issue, now=now)
        else:
            issue.state = State.EVALUATED
            issue.deadline = None
            issue.finished_at = now
            save_if_unchanged(issue, from_state, from_round)
            record_event(
                issue,
                action=Action.EVALUATE,
                from_state=from_state,
                actor=actor,
                public_note=comment,
                data={"rating": rating},
            )
    return issue


# What the villager's timeline says after an unsatisfied rating.
UNSATISFIED_NOTE = gettext_noop(
    "The liaison station has your rating. A person there decides how your case goes on: back to the "
    "department with instructions, an answer from the station, or escalation to the township."
)
ESCALATED_NOTE = gettext_noop(
    "You were unsatisfied again: your case is escalated to the township, which follows it up with the station."
)


def _reopen_after_unsatisfied(issue: Issue, *, now: datetime) -> None:
    """不满意 reopens the case or, for a merged case, its main case (the group follows); alone and
    split from the group only once the main case's villager rated it satisfied. The group's
    second 不满意 escalates it."""
    main = issue
    if issue.merged_into_id:
        main = Issue.objects.select_for_update().get(pk=issue.merged_into_id)  # locked by lock_case
        if main.state not in TRANSITIONS[Action.REOPEN]:
            issue.merged_into, main = None, issue
    group = Q(issue=main) | Q(issue__merged_into=main)
    again = Evaluation.objects.filter(group, rating=Rating.UNSATISFIED).count() >= 2
    note = _(ESCALATED_NOTE) if again else _(UNSATISFIED_NOTE)
    _reopen_locked(main, actor=SYSTEM, reason=note, now=now, to_station=True, escalated=again)
    if main is not issue:
        issue.refresh_from_db()  # it followed its main case


def _reopen_locked(
    issue: Issue,
    *,
    actor: Actor,
    reason: str,
    now: datetime,
    deadline: datetime | None = None,
    to_station: bool = False,
    escalated: bool = False,
) -> None:
    from_state, from_round = issue.state, issue.round
    issue.state = State.ASSIGNED if issue.department_id and not to_station else State.REVIEWED
    issue.round += 1
    issue.deadline = deadline or reply_deadline(issue, now)
    issue.finished_at = None
    issue.updated_at = now
    save_if_unchanged(issue, from_state, from_round)
    if issue.state == State.ASSIGNED:  # the department handles the new round: forward it again
        forwarding_create_locked(issue)
    event = record_event(
        issue,
        action=Action.REOPEN,
        from_state=from_state,
        actor=actor,
        public_note=reason,
        data={
            "deadline": issue.deadline.isoformat(),
            **({"to": "station"} if to_station else {}),
            **({"escalated": "township"} if escalated else {}),
        },
    )
    follow_main_locked(issue, event, from_round=from_round, actor=actor)


def issue_reopen(*, actor: Actor, issue_id: int, reason: str, deadline: datetime | None = None) -> Issue:
    """Staff reopen a replied or closed case for another round (e.g. the villager phoned in)."""
    reason = clean_text(reason, field="reason", required_message=_("Say why the case is reopened."), maximum=REASON_MAX)
    if deadline is not None and deadline <= clock.now():
        raise InvalidInput(_("The new deadline must be in the future."), field="deadline")
    with transaction.atomic():
        issue = lock_case(issue_id)
        authorize(actor, Action.REOPEN, issue)
        _reopen_locked(issue, actor=actor, reason=reason, now=clock.now(), deadline=deadline)
    return issue


def issue_close_unevaluated(*, issue_id: int) -> Issue:
    """Close a replied case whose evaluation window has passed, as *not evaluated*."""

    def apply(issue: Issue, now: datetime) -> dict:
        if issue.deadline is not None and issue.deadline > now:
            raise IllegalTransition(_("The evaluation window is still open."))
        issue.deadline = None
        issue.finished_at = now
        return {}

    return locked_transition(actor=SYSTEM, issue_id=issue_id, action=Action.CLOSE, apply=apply)


def close_expired_evaluations() -> int:
    """Close every case whose evaluation window has passed; returns how many were closed."""
    closed = 0
    due = Issue.objects.filter(state=State.REPLIED, deadline__lt=clock.now()).values_list("pk", flat=True)
    for issue_id in list(due.iterator()):
        try:
            issue_close_unevaluated(issue_id=issue_id)
        except IllegalTransition:
            continue  # rated or reopened meanwhile
        closed += 1
    return closed


# --- events that do not move the state ------------------------------------------------------------


def issue_extend_deadline(*, actor: Actor, issue_id: int, deadline: datetime, reason: str) -> Issue:
    """Move the current deadline later, with a reason. Bounded, so that no case can be hidden
    from the overdue figures by a deadline in a far year: at most
    ISSUE_EXTENSION_MAX_WORKING_DAYS working days past the later of now and the current
    deadline, and at most ISSUE_EXTENSIONS_PER_ROUND times in one handling round."""
    reason = clean_text(reason, field="reason", required_message=_("Say why the deadline moves."), maximum=REASON_MAX)
    with transaction.atomic():
        issue = lock_case(issue_id)
        authorize(actor, Action.EXTEND, issue)
        if issue.state not in (State.SUBMITTED, State.ACCEPTED, State.REVIEWED, State.ASSIGNED):
            raise IllegalTransition(_("Only a case still being handled has a deadline to extend."))
        if issue.deadline is not None and deadline <= issue.deadline:
            raise InvalidInput(_("The new deadline must be later than the current one."), field="deadline")
        now = clock.now()
        latest = add_working_days(max(now, issue.deadline or now), settings.ISSUE_EXTENSION_MAX_WORKING_DAYS)
        if deadline > latest:
            limit = {
                "days": settings.ISSUE_EXTENSION_MAX_WORKING_DAYS,
                "latest": f"{timezone.localtime(latest):%Y-%m-%d}",
            }
            raise InvalidInput(
                _("A deadline can move at most %(days)d working days, to %(latest)s at the latest.") % limit,
                field="deadline",
            )
        extensions = IssueEvent.objects.filter(issue=issue, action=Action.EXTEND, round=issue.round).count()
        if extensions >= settings.ISSUE_EXTENSIONS_PER_ROUND:
            raise IllegalTransition(
                _("The deadline of this round was already extended %(n)d times; ask the township to supervise instead.")
                % {"n": extensions}
            )
        old = issue.deadline
        issue.deadline = deadline
        issue.updated_at = clock.now()
        save_if_unchanged(issue, issue.state, issue.round)
        event = record_event(
            issue,
            action=Action.EXTEND,
            from_state=issue.state,
            actor=actor,
            internal_note=reason,
            data={"from": old.isoformat() if old else None, "to": deadline.isoformat()},
        )
        follow_main_locked(issue, event, from_round=issue.round, actor=actor)
    return issue


@dataclass(frozen=True)
class Contact:
    """The submitter's name and number as they were given (either may be empty)."""

    name: str
    phone: str


def issue_reveal_contact(*, actor: Actor, issue_id: int) -> Contact:
    """Show the submitter's full name and number to those who handle the case (the villager was
    told only they would see them), and write down who looked. Everyone else, and everyone
    until they ask here, sees them masked."""
    with transaction.atomic():
        # Locked like every transition: the event joins the case's hash chain (issues.timeline).
        issue = Issue.objects.select_for_update().filter(pk=issue_id).first()
        if issue is None:
            raise IssueNotFound()
        authorize(actor, Action.REVEAL_PHONE, issue)
        shown = [field for field, value in (("name", issue.submitter_name), ("phone", issue.submitter_phone)) if value]
        record_event(issue, action=Action.REVEAL_PHONE, from_state=issue.state, actor=actor, data={"revealed": shown})
    return Contact(name=issue.submitter_name, phone=issue.submitter_phone)


# --- one entry point for callers that name the action (API, admin) ----------------------------------

_DISPATCH: dict[str, Callable[..., Issue]] = {
    Action.ACCEPT: issue_accept,
    Action.REJECT: issue_reject,
    Action.REVIEW: issue_review,
    Action.ASSIGN: issue_assign,
    Action.REPLY: issue_reply,
    Action.REOPEN: issue_reopen,
}


def issue_transition(*, actor: Actor, issue_id: int, action: str, **params) -> Issue:
    """Run a staff transition named by the caller: accept, reject, review, assign, reply, reopen."""
    service = _DISPATCH.get(action)
    if service is None:
        raise InvalidInput(_("Unknown action."), field="action")
    return service(actor=actor, issue_id=issue_id, **params)
