"""The escalation chain of overdue and reopened cases, run by beat (issues.tasks.escalate_cases).

    催办  an open case ESCALATION_REMIND_AFTER_WORKDAYS working days past its deadline: a reminder
          to whoever must act on it now, by the queue's rule (issues.queue.who_must_act);
    通报  ESCALATION_REPORT_AFTER_WORKDAYS working days past it: an alert to the township staff of
          its region and to the station's staff (the model has no station head: StaffMembership
          knows station staff and township staff only);
    提请  reopened twice (two reopen events on its timeline): proposed as the topic of an
          appointment with the township head (乡长有约), shown on the case page and in the list
          until someone takes it up (activities.services.escalate_case_to_appointment).

Counting. "N working days past the deadline" means N whole working days after the deadline's day
(issues.workdays.add_working_days): a deadline on Friday night is one working day past once Monday
ends, the weekend and holidays of the calendar not counting.

Once. Every step is a timeline event whose external_ref names the step and what it is about:
`remind:<round>:<state>:<deadline>`, `report:…`, `propose:reopened_twice`. The (case,
external_ref) unique constraint and the case's row lock let one of two concurrent beat runs write
it, and every later run skip it. The alerts hang off that event (their dedupe keys name it).

Reset. 催办 and 通报 belong to one deadline: a new deadline (the next step's, a reopened case's new
round, an extension) is a new key, so the chain starts again against it. The proposal is made once
per case, ever: a third reopening proposes nothing new (the first proposal is still on the
timeline, and on the page while nobody took it up).
"""

import logging
from datetime import datetime, timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Count
from django.utils import timezone
from django.utils.translation import gettext as _

from issues import clock
from issues.alerts import township_staff_for
from issues.deadlines import deadline_label
from issues.models import FINAL_STATES, OPEN_STATES, Action, Issue, IssueEvent, Notification
from issues.notifications import notify
from issues.permissions import SYSTEM
from issues.queue import who_must_act
from issues.services.core import record_event
from issues.workdays import add_working_days

logger = logging.getLogger(__name__)

PROPOSAL_KEY = "propose:reopened_twice"
REOPENS_TO_PROPOSE = 2
_BATCH = 500


def step_key(action: str, issue: Issue) -> str:
    """The external_ref of a 催办 or 通报 about the case's current deadline."""
    return f"{action}:{issue.round}:{issue.state}:{issue.deadline:%Y%m%d%H%M%S}"


def _thresholds() -> tuple[tuple[str, int], ...]:
    return (
        (Action.REMIND, settings.ESCALATION_REMIND_AFTER_WORKDAYS),
        (Action.REPORT, settings.ESCALATION_REPORT_AFTER_WORKDAYS),
    )


def steps_due(issue: Issue, now: datetime) -> list[tuple[str, int]]:
    """The (action, working days) of the chain that the case has reached by `now`."""
    if issue.state not in OPEN_STATES or issue.deadline is None:
        return []
    return [(action, days) for action, days in _thresholds() if now > add_working_days(issue.deadline, days)]


def escalate_cases(*, now: datetime | None = None) -> int:
    """One beat run: every step due and not yet taken, then the proposals. Returns the number of
    timeline events written."""
    now = now or clock.now()
    earliest = min(days for _, days in _thresholds())
    # N working days are at least N calendar days: the database leaves out the cases too recent.
    candidates = Issue.objects.filter(state__in=OPEN_STATES, deadline__lt=now - timedelta(days=earliest)).only(
        "pk", "state", "round", "deadline"
    )
    written = 0
    batch: list[tuple[int, str, str, int]] = []
    for issue in candidates.iterator(chunk_size=_BATCH):
        batch += [(issue.pk, action, step_key(action, issue), days) for action, days in steps_due(issue, now)]
        if len(batch) >= _BATCH:
            written += _take(batch, now)
            batch = []
    written += _take(batch, now)
    return written + propose_reopened(now=now)


def _take(planned: list[tuple[int, str, str, int]], now: datetime) -> int:
    if not planned:
        return 0
    taken = set(
        IssueEvent.objects.filter(external_ref__in={key for _, _, key, _ in planned}).values_list(
            "issue_id", "external_ref"
        )
    )
    written = 0
    for issue_id, action, key, days in planned:
        if (issue_id, key) not in taken and escalate_one(issue_id, action=action, key=key, days=days, now=now):
            written += 1
    return written


def escalate_one(issue_id: int, *, action: str, key: str, days: int, now: datetime) -> IssueEvent | None:
    """Write one step of the chain and its alerts, unless the case moved on meanwhile or the step
    was taken (by another run, at the same time or before)."""
    try:
        with transaction.atomic():
            issue = (
                Issue.objects.select_for_update(of=("self",))
                .select_related("station__region", "deputy__user")
                .filter(pk=issue_id)
                .first()
            )
            if issue is None or issue.state not in OPEN_STATES or issue.deadline is None:
                return None
            if step_key(action, issue) != key or IssueEvent.objects.filter(issue=issue, external_ref=key).exists():
                return None
            text = _message(action, issue, days)
            event = record_event(
                issue,
                action=action,
                from_state=issue.state,
                actor=SYSTEM,
                internal_note=text,
                data={"working_days_overdue": days, "deadline": issue.deadline.isoformat()},
                external_ref=key,
            )
            kind = Notification.Kind.REMIND if action == Action.REMIND else Notification.Kind.REPORT
            for user in _recipients(action, issue):
                notify(user=user, kind=kind, issue=issue, message=text, dedupe_key=f"{key}:{issue.pk}:{user.pk}")
            return event
    except IntegrityError:  # a concurrent run wrote it first (databases without row locks)
        return None


def _message(action: str, issue: Issue, days: int) -> str:
    params = {
        "code": issue.short_code,
        "station": issue.station.name,
        "days": days,
        "kind": deadline_label(issue.state),
        "deadline": f"{timezone.localtime(issue.deadline):%Y-%m-%d}",
    }
    if action == Action.REMIND:
        return (
            _("Reminder: case %(code)s at %(station)s is %(days)d working days past its %(kind)s (%(deadline)s).")
            % params
        )
    late = _("Overdue report: case %(code)s at %(station)s is %(days)d working days past its %(kind)s (%(deadline)s).")
    return late % params


def _recipients(action: str, issue: Issue) -> list:
    if action == Action.REMIND:
        return who_must_act([issue])[issue.pk]
    return sorted({*township_staff_for(issue), *station_staff_of(issue)}, key=lambda u: u.pk)


def station_staff_of(issue: Issue) -> list:
    from stations.models import StaffMembership

    memberships = StaffMembership.objects.filter(
        station_id=issue.station_id, role=StaffMembership.Role.STATION_STAFF, user__is_active=True
    ).select_related("user")
    return [m.user for m in memberships]


# --- reopened twice: the proposal -------------------------------------------------------------------


def propose_reopened(*, now: datetime | None = None) -> int:
    """Propose every case reopened at least twice and not yet proposed."""
    now = now or clock.now()
    reopened = (
        IssueEvent.objects.filter(action=Action.REOPEN)
        .values("issue_id")
        .annotate(n=Count("pk"))
        .filter(n__gte=REOPENS_TO_PROPOSE)
        .values_list("issue_id", flat=True)
    )
    due = (
        Issue.objects.filter(pk__in=reopened)
        .exclude(state__in=FINAL_STATES)
        .exclude(pk__in=IssueEvent.objects.filter(external_ref=PROPOSAL_KEY).values("issue_id"))
        .values_list("pk", flat=True)
    )
    return sum(1 for issue_id in list(due) if propose_one(issue_id, now=now) is not None)


def propose_one(issue_id: int, *, now: datetime) -> IssueEvent | None:
    try:
        with transaction.atomic():
            issue = Issue.objects.select_for_update(of=("self",)).select_related("station").filter(pk=issue_id).first()
            if issue is None or issue.state in FINAL_STATES:
                return None
            if IssueEvent.objects.filter(issue=issue, external_ref=PROPOSAL_KEY).exists():
                return None
            reopens = IssueEvent.objects.filter(issue=issue, action=Action.REOPEN).count()
            if reopens < REOPENS_TO_PROPOSE:
                return None
            text = _(
                "Case %(code)s at %(station)s was reopened %(n)d times: it is proposed as the topic of an "
                "appointment with the township head."
            ) % {"code": issue.short_code, "station": issue.station.name, "n": reopens}
            event = record_event(
                issue,
                action=Action.PROPOSE_ESCALATION,
                from_state=issue.state,
                actor=SYSTEM,
                internal_note=text,
                data={"reopens": reopens},
                external_ref=PROPOSAL_KEY,
            )
            Issue.objects.filter(pk=issue.pk).update(escalation_proposed_at=now)
            for user in station_staff_of(issue):
                notify(
                    user=user,
                    kind=Notification.Kind.PROPOSAL,
                    issue=issue,
                    message=text,
                    dedupe_key=f"{PROPOSAL_KEY}:{issue.pk}:{user.pk}",
                )
            return event
    except IntegrityError:
        return None


def escalation_proposal_taken(issue_id: int) -> None:
    """The case became the topic of an appointment: it is no longer shown as proposed. Called in
    the transaction of the escalation (activities.services)."""
    Issue.objects.filter(pk=issue_id, escalation_proposed_at__isnull=False).update(escalation_proposed_at=None)
