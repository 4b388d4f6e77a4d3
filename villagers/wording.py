"""What a villager reads about where their case stands: plain words, no process jargon, and a
deadline that always says what it is for (a case carries only its current state's deadline:
issues.deadlines)."""

from django.conf import settings
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from issues.deadlines import DeadlineKind, deadline_kind
from issues.models import State

STATE_TEXT = {
    State.SUBMITTED: gettext_lazy("Received. Waiting for the deputy to accept it."),
    State.ACCEPTED: gettext_lazy("Accepted by the deputy."),
    State.REVIEWED: gettext_lazy("The liaison station is handling it."),
    State.ASSIGNED: gettext_lazy("Handed to the responsible department."),
    State.REPLIED: gettext_lazy("Answered. Please rate the answer."),
    State.EVALUATED: gettext_lazy("Finished. Thank you for your rating."),
    State.CLOSED: gettext_lazy("Finished (not rated)."),
    State.REJECTED: gettext_lazy("Not accepted. See the reason below."),
}


def deadline_text(issue) -> str:
    """The case's current deadline as a sentence naming who owes what by then; "" without one."""
    kind = deadline_kind(issue.state)
    if kind is None or issue.deadline is None:
        return ""
    params = {"deadline": formats.date_format(timezone.localtime(issue.deadline), "DATETIME_FORMAT")}
    if kind == DeadlineKind.ACCEPT:
        if issue.deputy_id is not None:
            return _("The deputy will accept your case by %(deadline)s.") % params
        return _("The liaison station will accept your case by %(deadline)s.") % params
    if kind == DeadlineKind.REVIEW:
        return _("The liaison station will look into your case by %(deadline)s.") % params
    if kind == DeadlineKind.REPLY:
        return _("You will get an answer by %(deadline)s.") % params
    return _("Please rate the answer by %(deadline)s.") % params


def tracking_url(issue) -> str:
    """The absolute address of the case's tracking page, as QR codes and links give it out."""
    return f"{settings.PUBLIC_BASE_URL.rstrip('/')}{reverse('public:track', args=[issue.tracking_code])}"
