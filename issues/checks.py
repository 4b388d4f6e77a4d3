"""System checks for `manage.py check --deploy`: what a production deployment must not go live
without. Registered by issues.apps: both are about cases (their forwarding and their deadlines)."""

from datetime import date

from django.conf import settings
from django.core.checks import Error, Tags, Warning, register
from django.db import DatabaseError
from django.utils import timezone


def governance_credentials(app_configs=None, **kwargs) -> list[Error]:
    """Without these two the platform refuses every forwarded case with a 401 and we refuse every
    callback with a 503: cases assigned to a department would silently never come back."""
    errors = []
    if not settings.GOVERNANCE_PLATFORM_TOKEN:
        errors.append(
            Error(
                "GOVERNANCE_PLATFORM_TOKEN is empty: the governance platform refuses every forwarded case (401).",
                hint="Set GOVERNANCE_PLATFORM_TOKEN to the bearer token the governance platform issued to Liaison.",
                id="liaison.E001",
            )
        )
    if not settings.GOVERNANCE_CALLBACK_SECRET:
        errors.append(
            Error(
                "GOVERNANCE_CALLBACK_SECRET is empty: every reply the governance platform sends back is refused (503).",
                hint="Set GOVERNANCE_CALLBACK_SECRET to the HMAC secret shared with the governance platform.",
                id="liaison.E002",
            )
        )
    return errors


def holiday_schedule(app_configs=None, databases=None, **kwargs) -> list[Warning]:
    """Warn when the holidays of the coming days are unknown, so deadlines would count 元旦 and
    春节 as working days. Django's rule is that a check touches no database unless it is given
    one (`check --database default`); without it only the chinesecalendar package is consulted
    and the warning says so."""
    from issues import workdays

    use_table = "default" in (databases or ())
    unread = "" if use_table else "This run did not read the table: `manage.py check --deploy --database default` does."
    today = timezone.localdate()
    try:
        years = workdays.unscheduled_years(today, use_table=use_table)
    except DatabaseError:  # not migrated yet: the table cannot hold the schedule either
        unread = "The table could not be read: is the database migrated?"
        years = workdays.unscheduled_years(today, use_table=False)
    if not years:
        return []
    listed = ", ".join(str(year) for year in years)
    first_day = max(today, date(years[0], 1, 1))
    hint = (
        f"Enter the State Council's holiday schedule for {listed} in the admin (Stations › holiday schedule), "
        "or upgrade chinesecalendar once it has that year."
    )
    if unread:
        hint += " " + unread
    return [
        Warning(
            f"The holidays of {listed} are unknown: from {first_day:%Y-%m-%d} on, deadlines count every Monday to "
            f"Friday as a working day, 元旦 and 春节 included (the next {workdays.COVERAGE_DAYS} days are checked).",
            hint=hint,
            id="liaison.W001",
        )
    ]


def register_checks() -> None:
    register(governance_credentials, Tags.security, deploy=True)
    register(holiday_schedule, deploy=True)
