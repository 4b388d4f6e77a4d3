"""Every write to a case. Each transition checks who may do it, locks the row, writes the new
state and one timeline event in one transaction, and computes the next deadline.

Callers (admin, pages, API, tasks) pass ids and plain values; they never set `Issue.state`.
"""

import hashlib
import json
from collections.abc import Callable, Sequence
from datetime import datetime, timedelta

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from issues import clock
from issues.errors import IdempotencyConflict, IllegalTransition, InvalidInput, IssueNotFound
from issues.forwarding import forwarding_create_locked
from issues.models import (
    TRANSITIONS,
    Action,
    Attachment,
    Category,
    Channel,
    Department,
    Evaluation,
    Issue,
    IssueEvent,
    Rating,
    State,
    SubmissionKey,
)
from issues.permissions import SYSTEM, VILLAGER, Actor, Role, authorize, scope_of
from issues.photos import clean_photos
from issues.validators import (
    REASON_MAX,
    REPLY_MAX,
    clean_content,
    clean_name,
    clean_text,
    normalize_mobile,
)
from issues.workdays import add_working_days

__all__ = [
    "issue_accept",
    "issue_assign",
    "issue_close_unevaluated",
    "issue_evaluate",
    "issue_extend_deadline",
    "issue_reject",
    "issue_reopen",
    "issue_reply",
    "issue_reveal_phone",
    "issue_review",
    "issue_submit",
    "issue_transition",
]

_ISSUE_FIELDS = [f.attname for f in Issue._meta.concrete_fields if not f.primary_key]


# --- helpers ----------------------------------------------------------------------------------


def _actor_fields(actor: Actor) -> dict:
    if actor.user is not None:
        user = actor.user
        return {"actor_kind": IssueEvent.ActorKind.USER, "actor": user, "actor_label": _label_for(user)}
    kind = {
        Role.VILLAGER: IssueEvent.ActorKind.VILLAGER,
        Role.SYSTEM: IssueEvent.ActorKind.SYSTEM,
        Role.PLATFORM: IssueEvent.ActorKind.PLATFORM,
    }[actor.role]
    return {"actor_kind": kind, "actor": None, "actor_label": str(IssueEvent.ActorKind(kind).label)}


def _label_for(user) -> str:
    # Chinese names read family name first, without a space: 孙立军, not "立军 孙".
    first, last = user.first_name.strip(), user.last_name.strip()
    chinese = any("\u4e00" <= ch <= "\u9fff" for ch in first + last)
    name = f"{last}{first}" if chinese else user.get_full_name()
    return (name or user.get_username())[:100]


def _reply_deadline(issue: Issue, start: datetime) -> datetime:
    days = issue.category.reply_working_days if issue.category_id else settings.ISSUE_DEFAULT_REPLY_WORKING_DAYS
    return add_working_days(start, days)


def _evaluation_deadline(start: datetime) -> datetime:
    return start + timedelta(days=settings.ISSUE_EVALUATION_WINDOW_DAYS)


def _record(issue: Issue, *, action: str, from_state: str, actor: Actor, **fields) -> IssueEvent:
    return IssueEvent.objects.create(
        issue=issue,
        action=action,
        from_state=from_state,
        to_state=issue.state,
        round=issue.round,
        created_at=clock.now(),
        **_actor_fields(actor),
        **fields,
    )


def _transition(
    *,
    actor: Actor,
    issue_id: int,
    action: str,
    apply: Callable[[Issue, datetime], dict] | None = None,
) -> Issue:
    """Lock the case, check the actor and the state, let `apply` change the case (it returns the
    event's extra fields), then write the case with compare-and-set and the event, atomically."""
    with transaction.atomic():
        try:
            issue = Issue.objects.select_for_update().get(pk=issue_id)
        except Issue.DoesNotExist:
            raise IssueNotFound() from None
        authorize(actor, action, issue)
        from_state, from_round = issue.state, issue.round
        now = clock.now()
        issue.state = TRANSITIONS[action][from_state]
        event_fields = apply(issue, now) if apply else {}
        issue.updated_at = now
        _save_if_unchanged(issue, from_state, from_round)
        _record(issue, action=action, from_state=from_state, actor=actor, **event_fields)
    return issue


def _save_if_unchanged(issue: Issue, state: str, round_: int) -> None:
    """Compare-and-set: on databases without row locks (SQLite) this is what lets exactly one of
    two concurrent transitions win."""
    updated = Issue.objects.filter(pk=issue.pk, state=state, round=round_).update(
        **{name: getattr(issue, name) for name in _ISSUE_FIELDS}
    )
    if updated != 1:
        raise IllegalTransition(_("Someone else changed this case first. Reload it and try again."))


# --- submission --------------------------------------------------------------------------------


def issue_submit(
    *,
    actor: Actor = VILLAGER,
    channel: str,
    content: str,
    station_id: int | None = None,
    deputy_id: int | None = None,
    category_id: int | None = None,
    submitter_name: str = "",
    submitter_phone: str = "",
    photos: Sequence = (),
    idempotency_key: str = "",
    source_ref: str = "",
) -> Issue:
    """Create a case addressed to a station (and to a deputy when known).

    Everything is checked before anything is written. With `idempotency_key` (a form's
    server-issued token, an API client's Idempotency-Key) a repeated request returns the case
    the first one created, with `replayed` set on it; the same key with different content is
    refused."""
    if channel not in Channel.values:
        raise InvalidInput(_("Unknown channel."), field="channel")
    content = clean_content(content)
    name = clean_name(submitter_name)
    phone = normalize_mobile(submitter_phone)

    deputy, station = _addressee(deputy_id, station_id)
    category = None
    if category_id is not None:
        category = Category.objects.filter(pk=category_id, is_active=True).first()
        if category is None:
            raise InvalidInput(_("Unknown category."), field="category")

    # A repeated idempotency key is caught by its unique index at insert time (below), which
    # costs nothing on the common path of a first submission.
    fingerprint = ""
    if idempotency_key:
        fingerprint = _fingerprint(channel, station.pk, deputy_id, category_id, content, name, phone, len(photos))
    clean = clean_photos(photos)

    issue = Issue(
        channel=channel,
        station=station,
        deputy=deputy,
        category=category,
        content=content,
        submitter_name=name,
        submitter_phone=phone,
        source_ref=source_ref,
    )
    if actor.role != Role.VILLAGER:
        authorize(actor, Action.SUBMIT, issue)
    now = clock.now()
    issue.created_at = issue.updated_at = now
    issue.deadline = add_working_days(now, settings.ISSUE_ACCEPT_WORKING_DAYS)
    for attempt in range(5):
        stored: list[Attachment] = []
        try:
            with transaction.atomic():
                issue.save(force_insert=True)
                if idempotency_key:
                    SubmissionKey.objects.create(key=idempotency_key, fingerprint=fingerprint, issue=issue)
                for photo in clean:
                    attachment = Attachment(
                        issue=issue, size=len(photo.content), width=photo.width, height=photo.height, created_at=now
                    )
                    stored.append(attachment)
                    attachment.image.save("photo.jpg", ContentFile(photo.content), save=True)
                _record(issue, action=Action.SUBMIT, from_state="", actor=actor, data={"photos": len(clean)})
            issue.replayed = False
            return issue
        except IntegrityError:
            _delete_files(stored)
            if idempotency_key:
                replay = _replay(idempotency_key, fingerprint)
                if replay is not None:  # a concurrent request with the same key won
                    return replay
            if source_ref and Issue.objects.filter(source_ref=source_ref).exists():
                raise InvalidInput(_("This case was already recorded."), field="source_ref") from None
            collided = Issue.objects.filter(
                Q(short_code=issue.short_code) | Q(tracking_code=issue.tracking_code)
            ).exists()
            if not collided or attempt == 4:
                raise
            # A short code collided (one in ~10^11): draw new codes and try again.
            issue.pk = None
            issue.tracking_code = Issue._meta.get_field("tracking_code").get_default()
            issue.short_code = Issue._meta.get_field("short_code").get_default()
        except BaseException:
            _delete_files(stored)
            raise
    raise AssertionError("unreachable")


def _addressee(deputy_id: int | None, station_id: int | None):
    """The (deputy, station) a case goes to, in one query on the common path; the error path
    asks again to say exactly what is wrong."""
    from deputies.models import Deputy, Stationing
    from stations.models import Station

    if deputy_id is None:
        if station_id is None:
            raise InvalidInput(_("Choose a station."), field="station")
        station = Station.objects.filter(pk=station_id, is_active=True).first()
        if station is None:
            raise InvalidInput(_("This station does not receive cases any more."), field="station")
        return None, station
    serving = Stationing.objects.current().filter(deputy_id=deputy_id, deputy__is_active=True, station__is_active=True)
    if station_id is not None:
        serving = serving.filter(station_id=station_id)
    # "resident" sorts before "visiting": a deputy's own station comes first.
    stationing = serving.select_related("deputy", "station").order_by("kind", "start_date").first()
    if stationing is not None:
        return stationing.deputy, stationing.station
    if not Deputy.objects.filter(pk=deputy_id, is_active=True).exists():
        raise InvalidInput(_("This deputy does not receive cases any more."), field="deputy")
    if station_id is not None:
        raise InvalidInput(_("This deputy does not serve at that station."), field="deputy")
    raise InvalidInput(_("This deputy is not stationed at any station now."), field="deputy")


def _fingerprint(*parts) -> str:
    return hashlib.sha256(json.dumps(parts, ensure_ascii=False).encode()).hexdigest()


def _replay(key: str, fingerprint: str) -> Issue | None:
    existing = SubmissionKey.objects.select_related("issue").filter(key=key).first()
    if existing is None:
        return None
    if existing.fingerprint != fingerprint:
        raise IdempotencyConflict()
    issue = existing.issue
    issue.replayed = True
    return issue


def _delete_files(attachments: list) -> None:
    for attachment in attachments:
        if attachment.image.name:
            attachment.image.storage.delete(attachment.image.name)


# --- the transitions ---------------------------------------------------------------------------


def issue_accept(*, actor: Actor, issue_id: int, note: str = "") -> Issue:
    def apply(issue: Issue, now: datetime) -> dict:
        issue.accepted_at = now
        issue.deadline = add_working_days(now, settings.ISSUE_REVIEW_WORKING_DAYS)
        return {"internal_note": note.strip()}

    return _transition(actor=actor, issue_id=issue_id, action=Action.ACCEPT, apply=apply)


def issue_reject(*, actor: Actor, issue_id: int, reason: str) -> Issue:
    reason = clean_text(
        reason, field="reason", required_message=_("Give the villager a reason for rejecting."), maximum=REASON_MAX
    )

    def apply(issue: Issue, now: datetime) -> dict:
        issue.rejection_reason = reason
        issue.deadline = None
        issue.finished_at = now
        return {"public_note": reason}

    return _transition(actor=actor, issue_id=issue_id, action=Action.REJECT, apply=apply)


def issue_review(*, actor: Actor, issue_id: int, note: str = "") -> Issue:
    def apply(issue: Issue, now: datetime) -> dict:
        issue.deadline = _reply_deadline(issue, now)
        return {"internal_note": note.strip()}

    return _transition(actor=actor, issue_id=issue_id, action=Action.REVIEW, apply=apply)


def issue_assign(*, actor: Actor, issue_id: int, department_id: int | None, note: str = "") -> Issue:
    department = None
    if department_id is not None:
        department = Department.objects.filter(pk=department_id, is_active=True).first()
    if department is None:
        raise InvalidInput(_("Choose a department that exists."), field="department")

    def apply(issue: Issue, now: datetime) -> dict:
        issue.department = department
        issue.first_assigned_at = issue.first_assigned_at or now
        forwarding_create_locked(issue)
        # The reply clock started at review; handing the case on does not restart it.
        return {"internal_note": note.strip(), "data": {"department_id": department.pk, "department": department.name}}

    return _transition(actor=actor, issue_id=issue_id, action=Action.ASSIGN, apply=apply)


def issue_reply(*, actor: Actor, issue_id: int, text: str, external_ref: str = "") -> Issue:
    """Record the answer to the villager. With `external_ref` (the platform's reply id) a repeated
    delivery of the same reply changes nothing and returns the case with `replayed` set."""
    text = clean_text(text, field="text", required_message=_("Write the reply to the villager."), maximum=REPLY_MAX)

    def apply(issue: Issue, now: datetime) -> dict:
        on_time = issue.deadline is None or now <= issue.deadline
        issue.reply_text = text
        issue.replied_at = now
        issue.first_replied_at = issue.first_replied_at or now
        issue.last_reply_on_time = on_time
        issue.deadline = _evaluation_deadline(now)
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
        issue = _transition(actor=actor, issue_id=issue_id, action=Action.REPLY, apply=apply)
    issue.replayed = False
    return issue


def issue_evaluate(*, issue_id: int, rating: str, comment: str = "", actor: Actor = VILLAGER) -> Issue:
    """The villager rates the reply of the current round. 满意 and 基本满意 finish the case;
    不满意 (with a comment) reopens it at once for another round with a new deadline."""
    if rating not in Rating.values:
        raise InvalidInput(_("Choose satisfied, basically satisfied or unsatisfied."), field="rating")
    comment = (comment or "").strip()
    if len(comment) > REASON_MAX:
        raise InvalidInput(_("This text is too long (at most %(n)d characters).") % {"n": REASON_MAX}, field="comment")
    if rating == Rating.UNSATISFIED and not comment:
        raise InvalidInput(_("Please tell us what is still wrong."), field="comment")

    with transaction.atomic():
        try:
            issue = Issue.objects.select_for_update().get(pk=issue_id)
        except Issue.DoesNotExist:
            raise IssueNotFound() from None
        authorize(actor, Action.EVALUATE, issue)
        from_state, from_round = issue.state, issue.round
        if Evaluation.objects.filter(issue=issue, round=issue.round).exists():
            raise IllegalTransition(_("This reply has already been rated."))
        now = clock.now()
        Evaluation.objects.create(issue=issue, round=issue.round, rating=rating, comment=comment, created_at=now)
        issue.rating = rating
        issue.updated_at = now
        if rating == Rating.UNSATISFIED:
            # Stays `replied` for the evaluate event, then reopens in the same transaction.
            _save_if_unchanged(issue, from_state, from_round)
            _record(
                issue,
                action=Action.EVALUATE,
                from_state=from_state,
                actor=actor,
                public_note=comment,
                data={"rating": rating},
            )
            _reopen_locked(issue, actor=SYSTEM, reason="", now=now)
        else:
            issue.state = State.EVALUATED
            issue.deadline = None
            issue.finished_at = now
            _save_if_unchanged(issue, from_state, from_round)
            _record(
                issue,
                action=Action.EVALUATE,
                from_state=from_state,
                actor=actor,
                public_note=comment,
                data={"rating": rating},
            )
    return issue


def _reopen_locked(issue: Issue, *, actor: Actor, reason: str, now: datetime, deadline: datetime | None = None) -> None:
    from_state, from_round = issue.state, issue.round
    issue.state = State.ASSIGNED if issue.department_id else State.REVIEWED
    issue.round += 1
    issue.deadline = deadline or _reply_deadline(issue, now)
    issue.finished_at = None
    issue.updated_at = now
    _save_if_unchanged(issue, from_state, from_round)
    if issue.state == State.ASSIGNED:  # the department handles the new round: forward it again
        forwarding_create_locked(issue)
    _record(
        issue,
        action=Action.REOPEN,
        from_state=from_state,
        actor=actor,
        public_note=reason,
        data={"deadline": issue.deadline.isoformat()},
    )


def issue_reopen(*, actor: Actor, issue_id: int, reason: str, deadline: datetime | None = None) -> Issue:
    """Staff reopen a replied or closed case for another round (e.g. the villager phoned in)."""
    reason = clean_text(reason, field="reason", required_message=_("Say why the case is reopened."), maximum=REASON_MAX)
    if deadline is not None and deadline <= clock.now():
        raise InvalidInput(_("The new deadline must be in the future."), field="deadline")
    with transaction.atomic():
        try:
            issue = Issue.objects.select_for_update().get(pk=issue_id)
        except Issue.DoesNotExist:
            raise IssueNotFound() from None
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

    return _transition(actor=SYSTEM, issue_id=issue_id, action=Action.CLOSE, apply=apply)


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
    reason = clean_text(reason, field="reason", required_message=_("Say why the deadline moves."), maximum=REASON_MAX)
    with transaction.atomic():
        try:
            issue = Issue.objects.select_for_update().get(pk=issue_id)
        except Issue.DoesNotExist:
            raise IssueNotFound() from None
        authorize(actor, Action.EXTEND, issue)
        if issue.state not in (State.SUBMITTED, State.ACCEPTED, State.REVIEWED, State.ASSIGNED):
            raise IllegalTransition(_("Only a case still being handled has a deadline to extend."))
        if issue.deadline is not None and deadline <= issue.deadline:
            raise InvalidInput(_("The new deadline must be later than the current one."), field="deadline")
        old = issue.deadline
        issue.deadline = deadline
        issue.updated_at = clock.now()
        _save_if_unchanged(issue, issue.state, issue.round)
        _record(
            issue,
            action=Action.EXTEND,
            from_state=issue.state,
            actor=actor,
            internal_note=reason,
            data={"from": old.isoformat() if old else None, "to": deadline.isoformat()},
        )
    return issue


def issue_reveal_phone(*, actor: Actor, issue_id: int) -> str:
    """Show the submitter's full number to authorised staff, and write down who looked."""
    with transaction.atomic():
        issue = Issue.objects.filter(pk=issue_id).first()
        if issue is None:
            raise IssueNotFound()
        authorize(actor, Action.REVEAL_PHONE, issue)
        _record(issue, action=Action.REVEAL_PHONE, from_state=issue.state, actor=actor)
    return issue.submitter_phone


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
