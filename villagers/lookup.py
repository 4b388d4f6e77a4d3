"""The home page's lookup (the query code on the receipt, and the phone's last four digits when a
phone was left), guarded against guessing.

Four digits are 10,000 guesses. Each address has its budget (`lookup_ip`), and each code has its
own for failures from any address (`lookup_code_fail`, 10 an hour): guesses spread over many
addresses stop too, and once a code is locked even the right digits are refused until the window
passes, so that the lock cannot be probed. Failures are counted for codes that do not exist just
as for those that do, so a lock says nothing about which codes exist. When a real case's code
locks, the people answering for it hear of it in their inbox, once an hour at most."""

import time

from django.conf import settings
from django.utils.translation import gettext as _

from issues.models import Notification
from issues.notifications import notify, recipients_for
from liaison.ratelimit import count, limit_for, refuse_if_exceeded
from villagers.selectors import issue_by_receipt, issue_named_by, receipt_code_key

GUESSING_ALERT_KIND = Notification.Kind.LOOKUP_GUESSING


def look_up(code: str, phone_last4: str):
    """The case the villager asked for, or None; raises RateLimited while the code is locked."""
    key = receipt_code_key(code)
    refuse_if_exceeded("lookup_code_fail", key)
    issue = issue_by_receipt(code, phone_last4)
    if issue is not None or not settings.RATE_LIMITS_ENABLED:
        return issue
    if count("lookup_code_fail", key) >= limit_for("lookup_code_fail").count:
        _warn_of_guessing(code)
    return None


def _warn_of_guessing(code: str) -> None:
    issue = issue_named_by(code)
    if issue is None:
        return
    limit = limit_for("lookup_code_fail")
    window = int(time.time() // limit.seconds)
    minutes = limit.seconds // 60
    issue = type(issue).objects.select_related("deputy__user").get(pk=issue.pk)
    message = _(
        "Case %(code)s: wrong phone digits were entered %(n)d times within %(minutes)d minutes on the "
        "home page's lookup, so looking it up there is paused. Someone may be guessing; the villager "
        "can still follow it with the tracking link on the receipt."
    ) % {"code": issue.short_code, "n": limit.count, "minutes": minutes}
    for user in recipients_for(issue):
        notify(
            user=user,
            kind=GUESSING_ALERT_KIND,
            issue=issue,
            message=message,
            dedupe_key=f"lookup_guessing:{issue.pk}:{window}:{user.pk}",
        )
