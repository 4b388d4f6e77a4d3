"""When a text may go: no texts in the quiet hours (held until morning), at most
SMS_DAILY_CAP_PER_PHONE a day to one number, never to a number that opted out."""

import re
from datetime import datetime, time, timedelta

from django.conf import settings
from django.utils import timezone

_MOBILE = re.compile(r"^1[3-9]\d{9}$")


def is_mobile(phone: str) -> bool:
    return bool(_MOBILE.match(phone or ""))


def _at(day, hour: int) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(hour)), timezone.get_default_timezone())


def quiet_until(moment: datetime) -> datetime | None:
    """The end of the quiet hours (local time) if `moment` falls in them, else None."""
    start, end = settings.SMS_QUIET_START_HOUR % 24, settings.SMS_QUIET_END_HOUR % 24
    local = timezone.localtime(moment)
    if start == end:
        return None
    if start > end:  # e.g. 21:00–08:00, across midnight
        if local.hour >= start:
            return _at(local.date() + timedelta(days=1), end)
        if local.hour < end:
            return _at(local.date(), end)
        return None
    if start <= local.hour < end:
        return _at(local.date(), end)
    return None


def release_time(moment: datetime) -> datetime:
    """When a text written at `moment` may go."""
    return quiet_until(moment) or moment


def day_bounds(moment: datetime) -> tuple[datetime, datetime]:
    day = timezone.localtime(moment).date()
    return _at(day, 0), _at(day + timedelta(days=1), 0)


def next_morning(moment: datetime) -> datetime:
    """The first moment of the next local day outside the quiet hours: where a text goes that
    the daily cap stopped today."""
    tomorrow = timezone.localtime(moment).date() + timedelta(days=1)
    return release_time(_at(tomorrow, 0))


def mask(phone: str) -> str:
    """For logs: 138****8000."""
    if len(phone) < 11:
        return "*" * len(phone)
    return f"{phone[:3]}{'*' * (len(phone) - 7)}{phone[-4:]}"
