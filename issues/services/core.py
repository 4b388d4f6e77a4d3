"""What every lifecycle service shares: the locked, compare-and-set transition and the timeline
event it writes. Only modules of this package use it."""

from collections.abc import Callable
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext as _

from issues import clock
from issues.alerts import alerts_for_event
from issues.models import (
    TRANSITIONS,
    Action,
    Issue,
    IssueEvent,
)
from issues.permissions import Actor, Role, authorize
from issues.sms.service import sms_for_event
from issues.timeline import Link, chain_end, seal
from issues.workdays import add_working_days
from liaison.errors import IllegalTransition, IssueNotFound

ISSUE_FIELDS = [f.attname for f in Issue._meta.concrete_fields if not f.primary_key]


def actor_fields(actor: Actor) -> dict:
    if actor.user is not None:
        user = actor.user
        return {"actor_kind": IssueEvent.ActorKind.USER, "actor": user, "actor_label": label_for(user)}
    kind = {
        Role.VILLAGER: IssueEvent.ActorKind.VILLAGER,
        Role.SYSTEM: IssueEvent.ActorKind.SYSTEM,
        Role.PLATFORM: IssueEvent.ActorKind.PLATFORM,
    }[actor.role]
    return {"actor_kind": kind, "actor": None, "actor_label": str(IssueEvent.ActorKind(kind).label)}


def label_for(user) -> str:
    # Chinese names read family name first, without a space: 孙立军, not "立军 孙".
    first, last = user.first_name.strip(), user.last_name.strip()
    chinese = any("\u4e00" <= ch <= "\u9fff" for ch in first + last)
    name = f"{last}{first}" if chinese else user.get_full_name()
    return (name or user.get_username())[:100]


def reply_deadline(issue: Issue, start: datetime) -> datetime:
    days = issue.category.reply_working_days if issue.category_id else settings.ISSUE_DEFAULT_REPLY_WORKING_DAYS
    return add_working_days(start, days)


def evaluation_deadline(start: datetime) -> datetime:
    return start + timedelta(days=settings.ISSUE_EVALUATION_WINDOW_DAYS)


def record_event(issue: Issue, *, action: str, from_state: str, actor: Actor, **fields) -> IssueEvent:
    """Write the next event of an existing case. The caller holds the case's row lock
    (select_for_update) in the current transaction: the event links to the case's last one, and
    no other writer may link to that one meanwhile."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("record_event needs the transaction that holds the case's row lock.")
    event = new_event(issue, action=action, from_state=from_state, actor=actor, after=chain_end(issue.pk), **fields)
    event.save(force_insert=True)
    sms_for_event(issue, event)  # the villager's text, in this same transaction
    alerts_for_event(issue, event)  # and the alerts to the deputy and the staff
    return event


def new_event(
    issue: Issue, *, action: str, from_state: str, actor: Actor, after: Link | None = None, **fields
) -> IssueEvent:
    """The timeline event of a transition, not yet saved, sealed after `after` (the end of the
    case's chain), or as the case's first event when there is none (the submission's)."""
    event = IssueEvent(
        issue=issue,
        action=action,
        from_state=from_state,
        to_state=issue.state,
        round=issue.round,
        created_at=clock.now(),
        **actor_fields(actor),
        **fields,
    )
    seal(event, issue.tracking_code, after=after)
    return event


def locked_transition(
    *,
    actor: Actor,
    issue_id: int,
    action: str,
    apply: Callable[[Issue, datetime], dict] | None = None,
) -> Issue:
    """Lock the case, check the actor and the state, let `apply` change the case (it returns the
    event's extra fields), then write the case with compare-and-set and the event, atomically."""
    with transaction.atomic():
        issue = lock_case(issue_id)
        authorize(actor, action, issue)
        from_state, from_round = issue.state, issue.round
        now = clock.now()
        issue.state = TRANSITIONS[action][from_state]
        event_fields = apply(issue, now) if apply else {}
        issue.updated_at = now
        save_if_unchanged(issue, from_state, from_round)
        event = record_event(issue, action=action, from_state=from_state, actor=actor, **event_fields)
        follow_main_locked(issue, event, from_round=from_round, actor=actor)
    return issue


def lock_case(issue_id: int) -> Issue:
    """Lock a case together with its group: its main case and every case merged into that one,
    all in id order, as merging does (issues.services.merging), so that a transition and a merge
    of the same cases wait for each other instead of deadlocking. Returns the case."""
    row = Issue.objects.filter(pk=issue_id).values("merged_into_id").first()
    if row is None:
        raise IssueNotFound()
    main_id = row["merged_into_id"] or issue_id
    ids = {issue_id, main_id, *Issue.objects.filter(merged_into_id=main_id).values_list("pk", flat=True)}
    locked = {case.pk: case for case in Issue.objects.select_for_update().filter(pk__in=ids).order_by("pk")}
    if issue_id not in locked:
        raise IssueNotFound()
    return locked[issue_id]


# What a merged case takes over from its main case at each step it follows.
FOLLOWED_FIELDS = (
    "deadline",
    "reply_text",
    "rejection_reason",
    "replied_at",
    "first_replied_at",
    "last_reply_on_time",
    "finished_at",
    "department_id",
    "first_assigned_at",
    "updated_at",
)


def follow_main_locked(main: Issue, event: IssueEvent, *, from_round: int, actor: Actor) -> None:
    """The cases merged into `main` that stood where it stood take its step with it: the same
    state, answer and deadline, a new round when it starts one, and an event on their own
    timeline (so each villager is told on their page and, if they agreed, by text). A merged
    case whose villager has already rated it keeps its own ending. Of the steps that keep the
    state, a deadline's extension is followed too."""
    if event.from_state == event.to_state and event.action != Action.EXTEND:
        return
    followers = Issue.objects.select_for_update().filter(merged_into=main, state=event.from_state).order_by("pk")
    for case in followers:
        before_state, before_round = case.state, case.round
        case.state = main.state
        case.round += main.round - from_round
        case.accepted_at = case.accepted_at or main.accepted_at
        for name in FOLLOWED_FIELDS:
            setattr(case, name, getattr(main, name))
        save_if_unchanged(case, before_state, before_round)
        record_event(
            case,
            action=event.action,
            from_state=before_state,
            actor=actor,
            public_note=event.public_note,
            data={**(event.data or {}), "main_case": main.short_code},
        )


def save_if_unchanged(issue: Issue, state: str, round_: int) -> None:
    """Compare-and-set: on databases without row locks (SQLite) this is what lets exactly one of
    two concurrent transitions win."""
    updated = Issue.objects.filter(pk=issue.pk, state=state, round=round_).update(
        **{name: getattr(issue, name) for name in ISSUE_FIELDS}
    )
    if updated != 1:
        raise IllegalTransition(_("Someone else changed this case first. Reload it and try again."))
