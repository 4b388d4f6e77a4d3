"""The governance platform's signed callbacks: each verified (HMAC over timestamp and body, within
the replay window), recorded once by its id, and applied through the lifecycle service."""

import hashlib
import hmac
import json
import logging
import math
import time

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from issues.models import Forwarding, Issue, Notification, PlatformCallback
from issues.notifications import notify, recipients_for
from issues.permissions import PLATFORM
from issues.services import issue_reply
from liaison.errors import IssueError, StaleRound

logger = logging.getLogger(__name__)


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


def _callback_fields(body: bytes) -> tuple[str, str, str]:
    """The reply id, the forwarding reference and the text of a callback body, each a non-empty
    string without NUL (which PostgreSQL cannot store), or CallbackRejected (400)."""
    try:
        data = json.loads(body)
    except (ValueError, RecursionError):  # RecursionError: nesting deeper than the parser goes
        raise CallbackRejected("malformed body", status=400) from None
    if not isinstance(data, dict):
        raise CallbackRejected("malformed body", status=400)
    values = []
    for name, maximum in (("reply_id", REPLY_ID_MAX), ("reference", 100), ("text", 20000)):
        value = data.get(name)
        if not isinstance(value, str) or not value.strip():
            raise CallbackRejected(f"{name} must be a non-empty string", status=400)
        if "\x00" in value:
            raise CallbackRejected(f"{name} must not contain NUL", status=400)
        if len(value) > maximum:
            raise CallbackRejected(f"{name} is longer than {maximum} characters", status=400)
        values.append(value)
    return values[0], values[1], values[2]


def platform_reply_received(*, body: bytes, timestamp: str, signature: str) -> str:
    """Verify and apply one callback. Returns "applied" or "duplicate" (the same reply id was
    applied before, e.g. the platform retried after our answer was lost); raises
    CallbackRejected with the HTTP status otherwise, having changed nothing.

    A reply to an earlier round (the villager was unsatisfied and the case went out again while
    the platform still held the old round) is refused with 409 and recorded for the staff: it
    must not stand as the answer of the new round, whose real answer would then be refused."""
    secret = settings.GOVERNANCE_CALLBACK_SECRET
    if not secret:
        raise CallbackRejected("callbacks are not configured", status=503)
    expected = callback_signature(secret, timestamp or "", body)
    if not signature or not hmac.compare_digest(expected, signature):
        raise CallbackRejected("bad signature", status=401)
    try:
        sent_at = float(timestamp)
    except ValueError:
        raise CallbackRejected("bad timestamp", status=400) from None
    if not math.isfinite(sent_at):
        raise CallbackRejected("bad timestamp", status=400)
    if abs(time.time() - sent_at) > settings.GOVERNANCE_CALLBACK_WINDOW_SECONDS:
        raise CallbackRejected("timestamp outside the replay window", status=401)
    reply_id, reference, text = _callback_fields(body)

    try:
        with transaction.atomic():
            try:
                with transaction.atomic():
                    PlatformCallback.objects.create(signature=signature, reply_id=reply_id, outcome="received")
            except IntegrityError:
                raise CallbackRejected("replayed request", status=409) from None
            forwarding = Forwarding.objects.filter(key=reference).only("issue_id", "round").first()
            if forwarding is None:
                raise CallbackRejected("unknown case", status=404)
            try:
                issue = issue_reply(
                    actor=PLATFORM,
                    issue_id=forwarding.issue_id,
                    text=text,
                    external_ref=reply_id,
                    round=forwarding.round,
                )
            except IssueError as error:
                raise CallbackRejected(str(error.message), status=409, stale=isinstance(error, StaleRound)) from None
    except CallbackRejected as rejected:
        if rejected.stale:
            _record_stale_reply(forwarding, reply_id=reply_id, signature=signature)
        raise
    return "duplicate" if issue.replayed else "applied"


def _record_stale_reply(forwarding: Forwarding, *, reply_id: str, signature: str) -> None:
    """Keep the refused reply where staff see it: the callback record and their inbox."""
    issue = Issue.objects.get(pk=forwarding.issue_id)
    with transaction.atomic():
        PlatformCallback.objects.create(
            signature=signature, reply_id=reply_id, outcome=f"refused: round {forwarding.round} < {issue.round}"
        )
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
    logger.warning(
        "stale platform reply %s for round %s of case %s (now round %s)",
        reply_id,
        forwarding.round,
        issue.pk,
        issue.round,
    )
