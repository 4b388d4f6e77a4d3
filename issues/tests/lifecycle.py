"""Drive a case of the named test world to any state through the services, and take snapshots
of what a failed call must leave untouched."""

from datetime import timedelta

from django.conf import settings

from issues import clock, services
from issues.models import Evaluation, Forwarding, Issue, IssueEvent, Rating, State
from issues.permissions import VILLAGER, Actor

# The way from `submitted` to each state: (action, how to take it).
REPLY_TEXT = "已联系供电所，路灯明天修好。"
REJECT_REASON = "此事不属于联络站受理范围。"
REOPEN_REASON = "村民来电说路灯仍然不亮。"
EVALUATION_COMMENT = "还是不亮。"


def _staff(world) -> Actor:
    return world.actor("station_staff")


def drive_to(world, target: str, *, via_department: bool = True, **submit_kwargs) -> Issue:
    """A new case of deputy A's station, brought to `target` by station staff and the villager.

    `replied` is reached through `assigned` (a department) unless `via_department` is False, in
    which case the station answers directly from `reviewed`. `closed` is reached by replying one
    evaluation window (and a day) ago and closing now, so every event lies in the past.
    """
    if target == State.CLOSED:
        window = timedelta(days=settings.ISSUE_EVALUATION_WINDOW_DAYS + 1)
        with clock.frozen_at(clock.now() - window):
            issue = drive_to(world, State.REPLIED, via_department=via_department, **submit_kwargs)
        return services.issue_close_unevaluated(issue_id=issue.pk)

    issue = world.submit(**submit_kwargs)
    if target == State.SUBMITTED:
        return issue
    if target == State.REJECTED:
        return services.issue_reject(actor=_staff(world), issue_id=issue.pk, reason=REJECT_REASON)
    issue = services.issue_accept(actor=_staff(world), issue_id=issue.pk)
    if target == State.ACCEPTED:
        return issue
    issue = services.issue_review(actor=_staff(world), issue_id=issue.pk)
    if target == State.REVIEWED:
        return issue
    if via_department or target == State.ASSIGNED:
        issue = services.issue_assign(actor=_staff(world), issue_id=issue.pk, department_id=world.department.pk)
    if target == State.ASSIGNED:
        return issue
    issue = services.issue_reply(actor=_staff(world), issue_id=issue.pk, text=REPLY_TEXT)
    if target == State.REPLIED:
        return issue
    if target == State.EVALUATED:
        return services.issue_evaluate(actor=VILLAGER, issue_id=issue.pk, rating=Rating.SATISFIED)
    raise ValueError(f"no way to drive a case to {target!r}")


def snapshot(issue_id: int) -> dict:
    """Everything a refused call must leave as it was: the case's row, its timeline, its ratings
    and its outbox rows."""
    issue = Issue.objects.get(pk=issue_id)
    row = {f.attname: getattr(issue, f.attname) for f in Issue._meta.concrete_fields}
    return {
        "issue": row,
        "events": list(IssueEvent.objects.filter(issue_id=issue_id).values_list("pk", "action", "to_state")),
        "evaluations": list(Evaluation.objects.filter(issue_id=issue_id).values_list("pk", "round", "rating")),
        "forwardings": list(Forwarding.objects.filter(issue_id=issue_id).values()),
    }
