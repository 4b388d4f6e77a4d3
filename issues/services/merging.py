"""Merging duplicates (合并重复反映): the same problem reported by several villagers is handled as
one main case. Each merged case keeps its villager, tracking page and rating, and follows the
main case's steps (issues.services.core.follow_main_locked); merging is undone until the main
case goes to a department (交办)."""

from django.db import transaction
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from issues import clock
from issues.models import OPEN_STATES, Action, Issue, IssueEvent
from issues.permissions import Actor, authorize, scope_of
from issues.services.core import FOLLOWED_FIELDS, lock_case, record_event, save_if_unchanged
from liaison.errors import IllegalTransition, InvalidInput, IssueNotFound

# What the villager of a merged case reads on their page (and, if they agreed, by text).
MERGED_NOTE = gettext_noop(
    "Other villagers reported the same problem. Your report is handled together with theirs: "
    "the answer comes to this page as before, and you rate it yourself."
)
UNMERGED_NOTE = gettext_noop("Your report is handled on its own again.")

# The merged case's own values, kept in the merge event so that unmerging restores them.
_RESTORED = ("deadline", "accepted_at", "department_id", "first_assigned_at", "updated_at")


def _ids(values) -> list[int]:
    try:
        return sorted({int(v) for v in values})
    except (TypeError, ValueError):
        raise InvalidInput(_("Choose cases that exist."), field="issues") from None


def issue_merge(*, actor: Actor, main_id: int, issue_ids) -> Issue:
    """Merge the cases `issue_ids` into the case `main_id`, all or none, under row locks taken
    in id order (two merges of overlapping cases wait for each other, then the second sees what
    the first did). Returns the main case."""
    main_id = _ids([main_id])[0]
    ids = _ids(issue_ids)
    if not ids:
        raise InvalidInput(_("Choose the cases to merge."), field="issues")
    if main_id in ids:
        raise InvalidInput(_("A case cannot be merged into itself."), field="issues")
    with transaction.atomic():
        locked = {c.pk: c for c in Issue.objects.select_for_update().filter(pk__in=[main_id, *ids]).order_by("pk")}
        if len(locked) != len(ids) + 1:
            raise IssueNotFound()
        main = locked[main_id]
        cases = [locked[pk] for pk in ids]
        for case in (main, *cases):  # outside the scope: not found, before saying anything else
            if actor.role is None and not scope_of(actor.user).roles_for(case):
                raise IssueNotFound()
        _check(main, cases)
        for case in (main, *cases):
            authorize(actor, Action.MERGE, case)
        now = clock.now()
        for case in cases:
            _merge_locked(case, main, actor=actor, now=now)
        record_event(
            main,
            action=Action.MERGE,
            from_state=main.state,
            actor=actor,
            data={"merged": [c.short_code for c in cases]},
        )
    return main


def _check(main: Issue, cases: list[Issue]) -> None:
    if main.merged_into_id:
        raise IllegalTransition(
            _("Case %(code)s is itself merged into %(main)s: merge into %(main)s instead.")
            % {"code": main.short_code, "main": main.merged_into.short_code}
        )
    if main.state not in OPEN_STATES:
        raise IllegalTransition(
            _("Case %(code)s is already answered or closed: cases cannot be merged into it.")
            % {"code": main.short_code}
        )
    for case in cases:
        if case.station_id != main.station_id:
            raise InvalidInput(
                _("Case %(code)s belongs to another station: only cases of one station can be merged.")
                % {"code": case.short_code},
                field="issues",
            )
        if case.merged_into_id:
            raise IllegalTransition(
                _("Case %(code)s is already merged into %(main)s.")
                % {"code": case.short_code, "main": case.merged_into.short_code}
            )
        if case.merged_cases.exists():
            raise IllegalTransition(
                _("Other cases are merged into %(code)s: undo those merges first, or merge into %(code)s instead.")
                % {"code": case.short_code}
            )
        if case.state not in OPEN_STATES:
            raise IllegalTransition(
                _("Case %(code)s is already answered or closed: it cannot be merged.") % {"code": case.short_code}
            )


def _merge_locked(case: Issue, main: Issue, *, actor: Actor, now) -> None:
    from_state, from_round = case.state, case.round
    before = {name: _plain(getattr(case, name)) for name in _RESTORED}
    case.merged_into = main
    case.state = main.state
    case.accepted_at = case.accepted_at or main.accepted_at
    for name in FOLLOWED_FIELDS:
        setattr(case, name, getattr(main, name))
    case.updated_at = now
    save_if_unchanged(case, from_state, from_round)
    record_event(
        case,
        action=Action.MERGE,
        from_state=from_state,
        actor=actor,
        public_note=_(MERGED_NOTE),
        data={"main_case": main.short_code, "main_id": main.pk, "before": before},
    )


def _plain(value):
    return value.isoformat() if hasattr(value, "isoformat") else value


def issue_unmerge(*, actor: Actor, issue_id: int) -> Issue:
    """Undo a merge while the main case has not gone to a department: the case gets back the
    state and deadline it had, and both timelines say so. Returns the case."""
    with transaction.atomic():
        case = lock_case(issue_id)
        if not case.merged_into_id:
            raise IllegalTransition(_("This case is not merged into another one."))
        main = Issue.objects.select_for_update().get(pk=case.merged_into_id)  # locked by lock_case
        authorize(actor, Action.UNMERGE, main)
        authorize(actor, Action.UNMERGE, case)
        if main.first_assigned_at is not None or main.state not in OPEN_STATES:
            raise IllegalTransition(
                _("The main case %(code)s went to a department or was answered: the merge can no longer be undone.")
                % {"code": main.short_code}
            )
        merge = (
            IssueEvent.objects.filter(issue=case, action=Action.MERGE, data__main_id=main.pk).order_by("-pk").first()
        )
        before = (merge.data or {}).get("before", {}) if merge else {}
        from_state, from_round = case.state, case.round
        case.state = merge.from_state if merge else case.state
        case.deadline = _moment(before.get("deadline"))
        case.accepted_at = _moment(before.get("accepted_at"))
        case.department_id = before.get("department_id")
        case.first_assigned_at = _moment(before.get("first_assigned_at"))
        case.merged_into = None
        case.updated_at = clock.now()
        save_if_unchanged(case, from_state, from_round)
        record_event(
            case,
            action=Action.UNMERGE,
            from_state=from_state,
            actor=actor,
            public_note=_(UNMERGED_NOTE),
            data={"main_case": main.short_code},
        )
        unmerged = {"unmerged": case.short_code}
        record_event(main, action=Action.UNMERGE, from_state=main.state, actor=actor, data=unmerged)
    return case


def _moment(value):
    return parse_datetime(value) if value else None
