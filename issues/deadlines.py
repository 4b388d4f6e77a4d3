"""What `Issue.deadline` means. The case keeps one deadline, the current state's: it is replaced
at every step (issues.services), so the deadlines of earlier steps are not kept anywhere and no
page or export may present the current one as another kind.

    submitted           受理时限  accept within ISSUE_ACCEPT_WORKING_DAYS
    accepted            审核时限  review within ISSUE_REVIEW_WORKING_DAYS
    reviewed, assigned  办结时限  reply within the category's working days (a new one per round)
    replied             评价期限  the villager may rate until ISSUE_EVALUATION_WINDOW_DAYS have passed
    rejected, evaluated, closed: none
"""

from django.db import models
from django.utils.translation import gettext_lazy as _

from issues.models import State


class DeadlineKind(models.TextChoices):
    ACCEPT = "accept", _("accept deadline")
    REVIEW = "review", _("review deadline")
    REPLY = "reply", _("reply deadline")
    RATING = "rating", _("rating window")


_KIND_OF_STATE = {
    State.SUBMITTED: DeadlineKind.ACCEPT,
    State.ACCEPTED: DeadlineKind.REVIEW,
    State.REVIEWED: DeadlineKind.REPLY,
    State.ASSIGNED: DeadlineKind.REPLY,
    State.REPLIED: DeadlineKind.RATING,
}


def deadline_kind(state: str) -> DeadlineKind | None:
    """The kind of deadline a case in `state` carries, or None when it has none."""
    return _KIND_OF_STATE.get(state)


def deadline_label(state: str) -> str:
    kind = deadline_kind(state)
    return str(kind.label) if kind is not None else ""
