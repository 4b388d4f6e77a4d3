"""What the governance platform's departments say besides the reply, applied to the case:
退办 (return), 过程反馈 (progress), 延期申请 (extension request), and the station's decision on
such a request, which the platform is told through the notice outbox (issues.notices).

Each message of the platform carries its own id: applied once, and a repeat returns `replayed`.
Each is checked against the case under its row lock: the message must come from the case's
current hand-over (this round, not returned, not superseded by another department) while the
department holds it (`assigned`); anything else raises an IssueError and changes nothing."""

from datetime import datetime

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from issues import clock
from issues.models import Action, ExtensionRequest, Forwarding, Issue, IssueEvent, Notification, PlatformNotice, State
from issues.notices import notice_create_locked
from issues.notifications import notify, recipients_for
from issues.permissions import PLATFORM, Actor, authorize
from issues.services.core import follow_main_locked, lock_case, record_event, save_if_unchanged
from issues.services.lifecycle import issue_extend_deadline, issue_reply
from issues.validators import REASON_MAX, REPLY_MAX, clean_text
from liaison.errors import IllegalTransition, InvalidInput, IssueNotFound, StaleRound


def _lock(forwarding: Forwarding, message_id: str) -> tuple[Issue, bool]:
    """The case under its row lock, and whether this message was applied before."""
    issue = lock_case(forwarding.issue_id)
    seen = IssueEvent.objects.filter(issue_id=issue.pk, external_ref=message_id).exists()
    return issue, seen


def _check_current(issue: Issue, forwarding: Forwarding, *, what: str) -> None:
    """Refuse a message from a hand-over that no longer holds the case."""
    if forwarding.round != issue.round:
        raise StaleRound()
    forwarding = Forwarding.objects.get(pk=forwarding.pk)  # fresh: returned_at may be new
    if forwarding.returned_at is not None:
        raise IllegalTransition(
            _("The department returned this case already; its %(what)s is refused.") % {"what": what}
        )
    later = Forwarding.objects.filter(issue_id=issue.pk, round=forwarding.round, sequence__gt=forwarding.sequence)
    if later.exists():
        raise IllegalTransition(
            _("The case went to another department since; this department's %(what)s is refused.") % {"what": what}
        )
    if issue.state != State.ASSIGNED:
        raise IllegalTransition(
            _("The case is %(state)s, no longer with the department; its %(what)s is refused.")
            % {"state": State(issue.state).label, "what": what}
        )


def _guard(actor: Actor, action: str, issue: Issue, forwarding: Forwarding, *, what: str) -> None:
    """Only the platform says these; for it, a message that no longer fits gets the reason why."""
    if actor.role != PLATFORM.role:
        authorize(actor, action, issue)
    _check_current(issue, forwarding, what=what)
    authorize(actor, action, issue)


def _forwarding(forwarding_id: int) -> Forwarding:
    forwarding = Forwarding.objects.select_related("department").filter(pk=forwarding_id).first()
    if forwarding is None:
        raise IssueNotFound()
    return forwarding


def _alert(issue: Issue, *, kind: str, message: str, key: str) -> None:
    for user in recipients_for(issue):
        notify(user=user, kind=kind, issue=issue, message=message, dedupe_key=f"{key}:{user.pk}"[:120])


def platform_message_apply(*, forwarding: Forwarding, callback) -> bool:
    """Apply one verified callback (issues.platform_callbacks.Callback); True when it was a
    repeat of a message applied before."""
    common = {"actor": PLATFORM, "forwarding_id": forwarding.pk, "message_id": callback.message_id}
    match callback.kind:
        case "reply":
            return platform_reply(**common, text=callback.text, department=callback.department)
        case "return":
            return issue_return(**common, reason=callback.text, department=callback.department)
        case "progress":
            return issue_progress(**common, text=callback.text, public=callback.public, department=callback.department)
        case "extension_request":
            return issue_request_extension(
                **common, deadline=callback.deadline, reason=callback.text, department=callback.department
            )
    raise InvalidInput(_("Unknown kind of message."), field="kind")


def platform_reply(*, actor: Actor, forwarding_id: int, message_id: str, text: str, department: str = "") -> bool:
    """The lead department's answer (主办): a co-handling department (协办) does not answer."""
    forwarding = _forwarding(forwarding_id)
    with transaction.atomic():
        issue, seen = _lock(forwarding, message_id)
        if seen:
            return True
        _guard(actor, Action.REPLY, issue, forwarding, what=_("reply"))
        co_names = set(forwarding.co_departments.values_list("name", flat=True))
        lead = forwarding.department.name if forwarding.department_id else ""
        if department and department in co_names and department != lead:
            raise IllegalTransition(
                _("%(department)s co-handles this case; the reply must come from the lead department.")
                % {"department": department}
            )
        issue = issue_reply(actor=actor, issue_id=issue.pk, text=text, external_ref=message_id, round=forwarding.round)
    return issue.replayed


def issue_return(*, actor: Actor, forwarding_id: int, message_id: str, reason: str, department: str = "") -> bool:
    """退办: the department sends the case back with its reason. The case returns to the station
    (`reviewed`, no department) with its reply deadline unchanged, and the staff are alerted: they
    hand it to another department, answer it themselves, or escalate it."""
    reason = clean_text(reason, field="text", required_message=_("Say why the case is returned."), maximum=REASON_MAX)
    forwarding = _forwarding(forwarding_id)
    with transaction.atomic():
        issue, seen = _lock(forwarding, message_id)
        if seen:
            return True
        _guard(actor, Action.RETURN, issue, forwarding, what=_("return"))
        now = clock.now()
        lead = forwarding.department or issue.department
        from_state, from_round = issue.state, issue.round
        issue.state = State.REVIEWED
        issue.department = None
        issue.updated_at = now
        save_if_unchanged(issue, from_state, from_round)
        Forwarding.objects.filter(pk=forwarding.pk).update(returned_at=now, return_reason=reason)
        name = lead.name if lead else department
        event = record_event(
            issue,
            action=Action.RETURN,
            from_state=from_state,
            actor=actor,
            internal_note=reason,
            external_ref=message_id,
            data={"department_id": lead.pk if lead else None, "department": name},
        )
        follow_main_locked(issue, event, from_round=from_round, actor=actor)
        message = _("%(department)s returned case %(code)s: %(reason)s") % {
            "department": name or _("The department"),
            "code": issue.short_code,
            "reason": reason,
        }
        _alert(issue, kind=Notification.Kind.CASE_RETURNED, message=message, key=f"returned:{message_id}")
    return False


def issue_progress(
    *, actor: Actor, forwarding_id: int, message_id: str, text: str, public: bool = False, department: str = ""
) -> bool:
    """过程反馈: a note on the timeline; the villager sees it only when the platform marks it
    public. The state does not move."""
    text = clean_text(text, field="text", required_message=_("Write the progress note."), maximum=REPLY_MAX)
    forwarding = _forwarding(forwarding_id)
    with transaction.atomic():
        issue, seen = _lock(forwarding, message_id)
        if seen:
            return True
        _guard(actor, Action.PROGRESS, issue, forwarding, what=_("progress note"))
        record_event(
            issue,
            action=Action.PROGRESS,
            from_state=issue.state,
            actor=actor,
            public_note=text if public else "",
            internal_note="" if public else text,
            external_ref=message_id,
            data={"department": department, "public": bool(public)},
        )
    return False


def issue_request_extension(
    *, actor: Actor, forwarding_id: int, message_id: str, deadline: datetime, reason: str, department: str = ""
) -> bool:
    """延期申请: recorded for the station staff to approve or refuse (extension_decide)."""
    reason = clean_text(reason, field="text", required_message=_("Say why more time is needed."), maximum=REASON_MAX)
    forwarding = _forwarding(forwarding_id)
    with transaction.atomic():
        issue, seen = _lock(forwarding, message_id)
        if seen or ExtensionRequest.objects.filter(request_id=message_id).exists():
            return True
        _guard(actor, Action.REQUEST_EXTENSION, issue, forwarding, what=_("extension request"))
        if deadline <= clock.now() or (issue.deadline is not None and deadline <= issue.deadline):
            raise InvalidInput(_("The requested deadline must be later than the current one."), field="deadline")
        request = ExtensionRequest.objects.create(
            issue=issue,
            forwarding=forwarding,
            request_id=message_id,
            round=issue.round,
            requested_deadline=deadline,
            reason=reason,
        )
        record_event(
            issue,
            action=Action.REQUEST_EXTENSION,
            from_state=issue.state,
            actor=actor,
            internal_note=reason,
            external_ref=message_id,
            data={"deadline": deadline.isoformat(), "request": request.pk, "department": department},
        )
        message = _("The department asks to move the deadline of case %(code)s to %(deadline)s: %(reason)s") % {
            "code": issue.short_code,
            "deadline": f"{timezone.localtime(deadline):%Y-%m-%d}",
            "reason": reason,
        }
        _alert(issue, kind=Notification.Kind.EXTENSION_ASKED, message=message, key=f"extension:{message_id}")
    return False


def extension_decide(*, actor: Actor, extension_id: int, approve: bool, note: str = "") -> ExtensionRequest:
    """Station staff approve (the case's deadline moves, within the usual bounds) or refuse (with
    a reason) a department's request; the platform is told through the notice outbox."""
    note = (note or "").strip()
    if len(note) > REASON_MAX:
        raise InvalidInput(_("This text is too long (at most %(n)d characters).") % {"n": REASON_MAX}, field="note")
    if not approve and not note:
        raise InvalidInput(_("Say why the request is refused."), field="note")
    with transaction.atomic():
        request = ExtensionRequest.objects.select_for_update().filter(pk=extension_id).first()
        if request is None:
            raise IssueNotFound()
        issue = Issue.objects.select_for_update().get(pk=request.issue_id)
        authorize(actor, Action.DECIDE_EXTENSION, issue)
        if request.status != ExtensionRequest.Status.PENDING:
            raise IllegalTransition(_("This request was decided already."))
        if approve:
            if request.round != issue.round or issue.state != State.ASSIGNED:
                raise IllegalTransition(_("The case is no longer with the department that asked; refuse the request."))
            reason = _("Extension requested by the department: %(reason)s") % {"reason": request.reason}
            issue_extend_deadline(
                actor=actor, issue_id=issue.pk, deadline=request.requested_deadline, reason=(f"{reason} {note}").strip()
            )
        else:
            record_event(
                issue,
                action=Action.DECIDE_EXTENSION,
                from_state=issue.state,
                actor=actor,
                internal_note=note,
                data={"request": request.pk, "approved": False},
            )
        request.status = ExtensionRequest.Status.APPROVED if approve else ExtensionRequest.Status.REFUSED
        request.decided_by = actor.user
        request.decided_at = clock.now()
        request.decision_note = note
        request.save(update_fields=["status", "decided_by", "decided_at", "decision_note"])
        notice_create_locked(
            issue=issue,
            platform=request.forwarding.platform,
            kind=PlatformNotice.Kind.EXTENSION_DECISION,
            key=f"extension-decision-{request.request_id}",
            path=f"api/extensions/{request.request_id}/decision/",
            payload={
                "request_id": request.request_id,
                "approved": approve,
                "deadline": request.requested_deadline.isoformat() if approve else None,
                "note": note,
            },
        )
    return request
