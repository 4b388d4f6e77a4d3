"""What the governance platform tells us about a case it holds, by a signed callback:

    reply              the lead department's (主办) answer to the villager
    return             退办: "not ours", with a reason; the case goes back to the station
    progress           过程反馈: a note on the timeline (`public` decides whether the villager sees it)
    extension_request  延期申请: a later deadline asked for, with a reason; station staff decide

Every callback is signed (HMAC-SHA256 over "timestamp.body"), carries the platform's own id of
the message (`reply_id`, whatever the kind) by which it is applied once, and is validated against
the case's state by the lifecycle services (issues.services.exchange): what no longer fits (a
return after the reply, a second return, progress after the reply) is refused with 409 and
recorded, having changed nothing.
"""

import hashlib
import hmac
import json
import logging
import math
import time
from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from issues.models import Forwarding, GovernancePlatform, Issue, Notification, PlatformCallback
from issues.notifications import notify, recipients_for
from issues.platform_routing import accepted_secrets
from issues.services.exchange import platform_message_apply
from liaison.errors import IssueError, StaleRound

logger = logging.getLogger(__name__)

KINDS = ("reply", "return", "progress", "extension_request")


class CallbackRejected(IssueError):
    code = "callback_rejected"

    def __init__(self, message: str, *, status: int, stale: bool = False):
        super().__init__(message)
        self.status = status
        self.stale = stale


def callback_signature(secret: str, timestamp: str, body: bytes) -> str:
    digest = hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256).hexdigest()
    return f"sha256={digest}"


REPLY_ID_MAX = PlatformCallback._meta.get_field("reply_id").max_length


@dataclass(frozen=True)
class Callback:
    kind: str
    message_id: str
    reference: str
    text: str
    department: str = ""
    public: bool = False
    deadline: datetime | None = None


def _string(data: dict, name: str, maximum: int, *, required: bool = True) -> str:
    value = data.get(name, None if required else "")
    if value is None and not required:
        value = ""
    if not isinstance(value, str) or (required and not value.strip()):
        raise CallbackRejected(f"{name} must be a non-empty string", status=400)
    if "\x00" in value:
        raise CallbackRejected(f"{name} must not contain NUL", status=400)
    if len(value) > maximum:
        raise CallbackRejected(f"{name} is longer than {maximum} characters", status=400)
    return value


def parse_callback(body: bytes) -> Callback:
    """The fields of a callback body, each checked, or CallbackRejected (400). A body without a
    `kind` is a reply (what the platform sent before it had other words)."""
    try:
        data = json.loads(body)
    except (ValueError, RecursionError):  # RecursionError: nesting deeper than the parser goes
        raise CallbackRejected("malformed body", status=400) from None
    if not isinstance(data, dict):
        raise CallbackRejected("malformed body", status=400)
    kind = data.get("kind", "reply")
    if kind not in KINDS:
        raise CallbackRejected(f"kind must be one of {', '.join(KINDS)}", status=400)
    message_id = _string(data, "reply_id", REPLY_ID_MAX)
    reference = _string(data, "reference", 100)
    text = _string(data, "text", 20000)
    department = _string(data, "department", 100, required=False)
    public = data.get("public", False)
    if not isinstance(public, bool):
        raise CallbackRejected("public must be true or false", status=400)
    deadline = None
    if kind == "extension_request":
        raw = _string(data, "deadline", 40)
        try:
            deadline = datetime.fromisoformat(raw)
        except ValueError:
            raise CallbackRejected("deadline must be an ISO 8601 date and time", status=400) from None
        if timezone.is_naive(deadline):
            raise CallbackRejected("deadline must carry its time zone", status=400)
    return Callback(kind, message_id, reference, text, department, public, deadline)


def verify(*, body: bytes, timestamp: str, signature: str, secrets: list[str]) -> None:
    """Raise CallbackRejected unless one of `secrets` signed this body at `timestamp`, recently."""
    if not secrets:
        raise CallbackRejected("callbacks are not configured", status=503)
    given = signature or ""
    matches = [hmac.compare_digest(callback_signature(s, timestamp or "", body), given) for s in secrets]
    if not given or not any(matches):
        raise CallbackRejected("bad signature", status=401)
    try:
        sent_at = float(timestamp)
    except ValueError:
        raise CallbackRejected("bad timestamp", status=400) from None
    if not math.isfinite(sent_at):
        raise CallbackRejected("bad timestamp", status=400)
    if abs(time.time() - sent_at) > settings.GOVERNANCE_CALLBACK_WINDOW_SECONDS:
        raise CallbackRejected("timestamp outside the replay window", status=401)


def platform_reply_received(*, body: bytes, timestamp: str, signature: str, platform_code: str | None = None) -> str:
    """Verify and apply one callback of any kind. Returns "applied" or "duplicate" (the same
    message id was applied before, e.g. the platform retried after our answer was lost); raises
    CallbackRejected with the HTTP status otherwise, having changed nothing but the record of
    the refusal.

    A reply to an earlier round (the villager was unsatisfied and the case went out again while
    the platform still held the old round) is refused with 409 and staff are told: it must not
    stand as the answer of the new round, whose real answer would then be refused."""
    # Each county's platform calls back at its own address and signs with its own secrets.
    sender = None
    if platform_code is not None:
        sender = GovernancePlatform.objects.filter(code=platform_code, is_active=True).first()
        if sender is None:
            raise CallbackRejected("unknown platform", status=404)
    verify(body=body, timestamp=timestamp, signature=signature, secrets=accepted_secrets(sender))
    callback = parse_callback(body)

    forwarding = None
    try:
        with transaction.atomic():
            try:
                with transaction.atomic():
                    PlatformCallback.objects.create(
                        signature=signature, reply_id=callback.message_id, outcome=f"received {callback.kind}"[:40]
                    )
            except IntegrityError:
                raise CallbackRejected("replayed request", status=409) from None
            forwarding = Forwarding.objects.filter(key=callback.reference).first()
            if forwarding is None or forwarding.platform_id != (sender.pk if sender else None):
                forwarding = None  # another platform's case is none of this one's business
                raise CallbackRejected("unknown case", status=404)
            try:
                replayed = platform_message_apply(forwarding=forwarding, callback=callback)
            except IssueError as error:
                stale = isinstance(error, StaleRound)
                raise CallbackRejected(str(error.message), status=409, stale=stale) from None
    except CallbackRejected as rejected:
        if rejected.status == 409 and forwarding is not None:
            _record_refusal(forwarding, callback, signature=signature, rejected=rejected)
        raise
    return "duplicate" if replayed else "applied"


def _record_refusal(forwarding: Forwarding, callback: Callback, *, signature: str, rejected: CallbackRejected) -> None:
    """Keep the refused callback on record (and log it); a stale reply also goes to the staff's
    inbox, since the department believes it answered."""
    issue = Issue.objects.get(pk=forwarding.issue_id)
    if rejected.stale:
        outcome = f"refused: round {forwarding.round} < {issue.round}"
    else:
        outcome = f"refused {callback.kind}: {issue.state}"
    try:
        with transaction.atomic():
            PlatformCallback.objects.create(
                signature=f"{signature}:refused"[:128], reply_id=callback.message_id, outcome=outcome[:40]
            )
            if rejected.stale and callback.kind == "reply":
                _alert_stale_reply(issue, forwarding, callback.message_id)
    except IntegrityError:
        pass  # the same signed request was refused and recorded before
    logger.warning(
        "platform %s %s for case %s (round %s, forwarding %s) refused: %s",
        callback.kind,
        callback.message_id,
        issue.pk,
        forwarding.round,
        forwarding.key,
        rejected.message,
    )


def _alert_stale_reply(issue: Issue, forwarding: Forwarding, reply_id: str) -> None:
    text = _(
        "The platform's reply %(reply)s to round %(old)d of case %(code)s came after the case went out again "
        "(round %(new)d) and was refused; the department's answer to the new round is awaited."
    ) % {"reply": reply_id, "old": forwarding.round, "code": issue.short_code, "new": issue.round}
    for user in recipients_for(issue):
        notify(
            user=user,
            kind=Notification.Kind.STALE_REPLY,
            issue=issue,
            message=text,
            dedupe_key=f"stale_reply:{issue.pk}:{reply_id}:{user.pk}",
        )
