"""Writes of the results wall: the review before publishing (what the de-identifier would take
out), publishing, withdrawing by staff, and the villager's take-down request. Only station staff
of the case's station and admins publish or withdraw."""

from dataclasses import dataclass

from django.db import transaction
from django.utils.translation import gettext as _

from issues import clock
from issues.models import Issue
from issues.permissions import Actor, Role, scope_of
from liaison.deidentify import KINDS, Deidentified, deidentify
from liaison.errors import ActionForbidden, IllegalTransition, InvalidInput, IssueNotFound
from results.models import Publication
from results.selectors import ANSWERED

PUBLISHERS = {Role.STATION_STAFF, Role.ADMIN}
TEXT_MAX = 4000


@dataclass
class Review:
    """What staff see before publishing: the de-identified texts and what was taken out."""

    issue: Issue
    problem: Deidentified
    answer: Deidentified


def _case_to_publish(actor: Actor, issue_id: int, *, lock: bool = False) -> Issue:
    cases = Issue.objects.select_related("station")
    if lock:
        cases = cases.select_for_update(of=("self",))
    issue = cases.filter(pk=issue_id).first()
    roles = scope_of(actor.user).roles_for(issue) if issue is not None and actor.user is not None else set()
    if not roles:
        raise IssueNotFound()
    if not roles & PUBLISHERS:
        raise ActionForbidden()
    if issue.state not in ANSWERED or not issue.reply_text:
        raise IllegalTransition(_("Only an answered case can be published."))
    return issue


def _names_in(issue: Issue) -> list[str]:
    return [issue.submitter_name] if issue.submitter_name else []


def publication_review(*, actor: Actor, issue_id: int) -> Review:
    """The case's problem and answer as they would be published, and what was removed. Writes
    nothing."""
    issue = _case_to_publish(actor, issue_id)
    names = _names_in(issue)
    return Review(
        issue=issue,
        problem=deidentify(issue.text_for_matching, names=names),  # a voice-only case by its transcript
        answer=deidentify(issue.reply_text, names=names),
    )


def _left_in(text: str, names: list[str]) -> list[str]:
    return [f"{removal.label}“{removal.text}”" for removal in deidentify(text, names=names).removed]


@transaction.atomic
def publication_publish(*, actor: Actor, issue_id: int, problem: str, answer: str) -> Publication:
    """Publish the case with the texts staff reviewed (and may have edited). Refused if either
    text still holds personal data the de-identifier finds, or if the villager asked before that
    the case be taken down."""
    issue = _case_to_publish(actor, issue_id, lock=True)
    previous = Publication.objects.filter(issue=issue).first()
    if previous is not None and previous.withdrawn_by_villager:
        raise ActionForbidden(_("The villager asked for this case to be taken down: it cannot be published."))
    if previous is not None and previous.is_live:
        raise IllegalTransition(_("This case is published already."))
    problem, answer = (problem or "").strip(), (answer or "").strip()
    for field, text in (("problem", problem), ("answer", answer)):
        if not text:
            raise InvalidInput(_("Both the problem and the answer are needed."), field=field)
        if len(text) > TEXT_MAX:
            raise InvalidInput(_("At most %(n)d characters.") % {"n": TEXT_MAX}, field=field)
    names = _names_in(issue)
    left = _left_in(problem, names) + _left_in(answer, names)
    if left:
        message = _("Personal data is left in the text: %(found)s. Take it out before publishing.")
        raise InvalidInput(message % {"found": "、".join(left)})
    counts = {}
    for text in (issue.text_for_matching, issue.reply_text):
        for kind, n in deidentify(text, names=names).counts().items():
            counts[kind] = counts.get(kind, 0) + n
    answered_at = issue.first_replied_at or issue.replied_at or clock.now()
    values = {
        "station": issue.station,
        "problem": problem,
        "answer": answer,
        "removed_counts": {k: counts[k] for k in KINDS if k in counts},
        "days_taken": max(0, (answered_at - issue.created_at).days),
        "published_at": clock.now(),
        "published_by": actor.user,
        "withdrawn_at": None,
        "withdrawn_by_villager": False,
    }
    if previous is not None:
        for name, value in values.items():
            setattr(previous, name, value)
        previous.save()
        return previous
    return Publication.objects.create(issue=issue, **values)


@transaction.atomic
def publication_withdraw(*, actor: Actor, publication_id: int) -> Publication:
    publication = Publication.objects.select_for_update().filter(pk=publication_id).first()
    if publication is None:
        raise IssueNotFound()
    _case_to_publish(actor, publication.issue_id)
    if publication.withdrawn_at is None:
        publication.withdrawn_at = clock.now()
        publication.save(update_fields=["withdrawn_at"])
    return publication


@transaction.atomic
def publication_take_down(*, tracking_code: str) -> Publication:
    """The villager (holder of the tracking link) asks for their case to leave the wall: it
    leaves at once, and staff cannot publish it again."""
    publication = (
        Publication.objects.select_for_update().filter(issue__tracking_code=tracking_code).first()
        if tracking_code and len(tracking_code) <= 64
        else None
    )
    if publication is None:
        raise IssueNotFound()
    if not publication.withdrawn_by_villager:
        publication.withdrawn_at = publication.withdrawn_at or clock.now()
        publication.withdrawn_by_villager = True
        publication.save(update_fields=["withdrawn_at", "withdrawn_by_villager"])
    return publication
