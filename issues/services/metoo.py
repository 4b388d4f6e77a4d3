""" "Me too" (我也遇到): station staff show an open case on the station's public page with a text
they reviewed after de-identification, or hide it again; a villager seconds a shown case, once
per device and once per mobile number, without logging in."""

import hashlib

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from issues import clock
from issues.models import OPEN_STATES, Issue, PublicCall, Seconding
from issues.permissions import Actor, Role, scope_of
from issues.validators import normalize_mobile
from liaison.deidentify import deidentify
from liaison.errors import ActionForbidden, IllegalTransition, InvalidInput, IssueNotFound

SHOWERS = {Role.STATION_STAFF, Role.ADMIN}
TEXT_MAX = 500


def _case_to_show(actor: Actor, issue_id: int) -> Issue:
    issue = Issue.objects.select_for_update(of=("self",)).select_related("station").filter(pk=issue_id).first()
    roles = scope_of(actor.user).roles_for(issue) if issue is not None and actor.user is not None else set()
    if not roles:
        raise IssueNotFound()
    if not roles & SHOWERS:
        raise ActionForbidden(_("Only the station's staff choose which problems its page shows."))
    return issue


def personal_data_left(issue: Issue, text: str) -> list[str]:
    """What the de-identifier still finds in `text` ("姓名“王秀英”"), the villager's name included."""
    names = [issue.submitter_name] if issue.submitter_name else []
    return [f"{removal.label}“{removal.text}”" for removal in deidentify(text, names=names).removed]


@transaction.atomic
def public_call_show(*, actor: Actor, issue_id: int, text: str) -> PublicCall:
    """Show the open case on its station's page with `text` (reviewed by staff). Refused while the
    text still holds personal data the de-identifier finds. Showing it again after hiding keeps
    the villagers' "me too"s."""
    issue = _case_to_show(actor, issue_id)
    if issue.state not in OPEN_STATES:
        raise IllegalTransition(_("Only an open case can be shown for “me too”."))
    text = (text or "").strip()
    if not text:
        raise InvalidInput(_("Write the problem as the page should show it."), field="text")
    if len(text) > TEXT_MAX:
        raise InvalidInput(_("At most %(n)d characters.") % {"n": TEXT_MAX}, field="text")
    left = personal_data_left(issue, text)
    if left:
        message = _("Personal data is left in the text: %(found)s. Take it out before showing it.")
        raise InvalidInput(message % {"found": "、".join(left)}, field="text")
    call, _created = PublicCall.objects.update_or_create(
        issue=issue,
        defaults={
            "station_id": issue.station_id,
            "text": text,
            "shown_at": clock.now(),
            "shown_by": actor.user,
            "hidden_at": None,
        },
    )
    return call


@transaction.atomic
def public_call_hide(*, actor: Actor, issue_id: int) -> PublicCall:
    issue = _case_to_show(actor, issue_id)
    call = PublicCall.objects.filter(issue=issue).first()
    if call is None or not call.is_live:
        raise IllegalTransition(_("This case is not shown on the station's page."))
    call.hidden_at = clock.now()
    call.save(update_fields=["hidden_at"])
    return call


def device_fingerprint(device_id: str) -> str:
    return hashlib.sha256(f"metoo:{device_id}".encode()).hexdigest()


@transaction.atomic
def issue_second(*, station_id: int, call_id: int, device_id: str, phone: str = "", consent: bool = False) -> Seconding:
    """A villager's "me too" on the case `call_id` shown on the page of station `station_id`, from
    the device `device_id` (the value of its signed cookie) with an optional mobile number.
    Refused, writing nothing, when the case is not shown there (never was, hidden, or no longer
    open), the number is not a mobile, a number is left without consent to texts, or this device
    or number said "me too" to it before. The call's row lock makes one device's double tap wait
    for the first and be told so; the unique constraints hold whatever happens."""
    call = PublicCall.objects.select_for_update(of=("self",)).select_related("issue").filter(pk=call_id).first()
    if call is None or call.station_id != station_id or not call.is_live or call.issue.state not in OPEN_STATES:
        raise IssueNotFound(_("This problem is no longer shown on the station's page."))
    if not device_id or len(device_id) > 100:
        raise InvalidInput(_("Your browser did not send the page's security check. Open the page again."))
    phone = normalize_mobile(phone)
    if phone and not consent:
        raise InvalidInput(
            _("You left your phone number: please tick the box to agree that we text you about this problem."),
            field="consent",
        )
    device = device_fingerprint(device_id)
    already = Seconding.objects.filter(issue_id=call.issue_id, device=device).exists() or (
        phone and Seconding.objects.filter(issue_id=call.issue_id, phone=phone).exists()
    )
    if already:
        raise IllegalTransition(_("You already said “me too” to this problem. Thank you."))
    try:
        with transaction.atomic():
            return Seconding.objects.create(
                issue_id=call.issue_id, device=device, phone=phone, sms_consent=bool(phone), created_at=clock.now()
            )
    except IntegrityError:  # the same device or number, a moment earlier (a double tap)
        raise IllegalTransition(_("You already said “me too” to this problem. Thank you.")) from None
