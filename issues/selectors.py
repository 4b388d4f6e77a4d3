"""Reads that depend on who asks. Every list, detail, export, dashboard and API view of cases
starts from `issues_visible_to(user)`."""

from dataclasses import dataclass
from datetime import datetime

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from issues import clock
from issues.models import OPEN_STATES, Action, Issue, IssueEvent, Rating, State
from issues.permissions import scope_of
from liaison.errors import IssueNotFound


def issues_visible_to(user) -> QuerySet[Issue]:
    """The cases this user may see: all for superusers; for deputies those addressed to them or
    to stations they serve now; for station staff their stations'; for township staff their
    region's; none for anyone else."""
    scope = scope_of(user)
    if scope.is_superuser:
        return Issue.objects.all()
    if scope.is_empty:
        return Issue.objects.none()
    return Issue.objects.filter(scope.issue_filter())


def issue_visible_to(user, issue_id) -> Issue:
    """One case for this user, or IssueNotFound when it does not exist or is outside the scope."""
    try:
        return issues_visible_to(user).select_related("station", "deputy", "category", "department").get(pk=issue_id)
    except (Issue.DoesNotExist, ValueError, TypeError):
        raise IssueNotFound() from None


def overdue(queryset: QuerySet[Issue], *, now: datetime | None = None) -> QuerySet[Issue]:
    return queryset.filter(state__in=OPEN_STATES, deadline__lt=now or clock.now())


def issue_by_tracking_code(code: str) -> Issue | None:
    """The case a tracking link points at; the short code alone never finds it."""
    if not code or len(code) > 64:
        return None
    return (
        Issue.objects.select_related("station", "deputy", "category", "department").filter(tracking_code=code).first()
    )


@dataclass(frozen=True)
class PublicEvent:
    """One line of the timeline a villager sees: no staff names, no internal notes."""

    at: datetime
    action: str
    title: str
    message: str


def _public_title(event: IssueEvent) -> str:
    """The villager's line for an event. An event whose data lacks what the line names (a rating,
    a department: rows written by an import or an older version) gets the line without it, never
    an error page."""
    data = event.data if isinstance(event.data, dict) else {}
    match event.action:
        case Action.SUBMIT:
            return _("Your case was received")
        case Action.ACCEPT:
            return _("A deputy accepted your case")
        case Action.REJECT:
            return _("Your case was not accepted")
        case Action.REVIEW:
            return _("The liaison station reviewed your case and is handling it")
        case Action.ASSIGN:
            if not data.get("department"):
                return _("Handed to the department responsible")
            return _("Handed to %(department)s") % {"department": data["department"]}
        case Action.REPLY:
            return _("Reply")
        case Action.MERGE:
            return _("Handled together with the same problem reported by others")
        case Action.UNMERGE:
            return _("Handled on its own again")
        case Action.EVALUATE:
            if data.get("rating") not in Rating.values:
                return _("You rated the reply")
            return _("You rated the reply: %(rating)s") % {"rating": Rating(data["rating"]).label}
        case Action.REOPEN:
            return _("Your case is being handled again (round %(round)d)") % {"round": event.round}
        case Action.CLOSE:
            return _("Closed without a rating")
        case Action.PROGRESS:
            return _("Progress from the department")
    return ""


_PUBLIC_ACTIONS = (
    Action.SUBMIT,
    Action.ACCEPT,
    Action.REJECT,
    Action.REVIEW,
    Action.ASSIGN,
    Action.REPLY,
    Action.EVALUATE,
    Action.REOPEN,
    Action.CLOSE,
    Action.PROGRESS,  # only those the platform marked public (they have a public note)
    Action.MERGE,  # on the merged case only (it has the public note)
    Action.UNMERGE,  # likewise
)


def public_timeline(issue: Issue) -> list[PublicEvent]:
    events = (
        issue.events.filter(action__in=_PUBLIC_ACTIONS)
        .exclude(action__in=[Action.PROGRESS, Action.MERGE, Action.UNMERGE], public_note="")
        .only("action", "data", "round", "public_note", "created_at")
    )
    return [
        PublicEvent(at=e.created_at, action=e.action, title=_public_title(e), message=e.public_note) for e in events
    ]


@dataclass(frozen=True)
class StaffEvent:
    """One line of the timeline staff see, with its public note labelled by who wrote it: the
    station writes to the villager, except on an evaluation, where the villager writes."""

    event: IssueEvent
    public_note_label: str


def public_note_label(event: IssueEvent) -> str:
    if event.action == Action.EVALUATE:
        return _("Villager's comment on the reply")
    return _("To the villager")


def staff_timeline(issue: Issue) -> list[StaffEvent]:
    return [StaffEvent(event=e, public_note_label=public_note_label(e)) for e in issue.events.all()]


def awaiting_rating(issue: Issue) -> bool:
    return issue.state == State.REPLIED and not issue.evaluations.filter(round=issue.round).exists()


def cases_waiting(user, *, now: datetime | None = None) -> dict[str, int]:
    """How many of the cases this user may see wait at each step, for the admin index: to be
    accepted, to be reviewed, to be assigned or answered, and past their deadline. One query."""
    from django.db.models import Count, Q

    return issues_visible_to(user).aggregate(
        to_accept=Count("pk", filter=Q(state=State.SUBMITTED)),
        to_review=Count("pk", filter=Q(state=State.ACCEPTED)),
        to_assign_or_reply=Count("pk", filter=Q(state=State.REVIEWED)),
        overdue=Count("pk", filter=Q(state__in=OPEN_STATES, deadline__lt=now or clock.now())),
    )
