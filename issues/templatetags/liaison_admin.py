"""What the admin's header and index tell the signed-in user: the way to the dashboard, the
cases waiting at each step, and a warning when the coming holidays are unknown."""

from django import template
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from issues import workdays
from issues.permissions import scope_of
from issues.selectors import cases_waiting

register = template.Library()

# The index's screen-reader table headers come from Django's admin/app_list.html, whose zh_Hans
# catalogue lacks them: marked here so that `make messages` keeps their translations in ours.
DJANGO_ADMIN_MSGIDS = (gettext_noop("Model name"), gettext_noop("Add link"), gettext_noop("Change or view list link"))


@register.filter
def unread_alerts(user) -> int:
    """The count next to "My reminders" in the header."""
    from issues.alerts import unread_count

    return unread_count(user)


@register.filter
def may_see_dashboard(user) -> bool:
    """The dashboard shows the cases of the user's scope: worth a link only when there is one."""
    return not scope_of(user).is_empty


@register.inclusion_tag("admin/liaison/cases_waiting.html", takes_context=True)
def waiting_cases(context) -> dict:
    user = context["request"].user
    if scope_of(user).is_empty:
        return {"rows": []}
    counts = cases_waiting(user)
    changelist = reverse("admin:issues_issue_changelist")
    steps = [
        ("to_accept", _("to accept"), "state__exact=submitted"),
        ("to_review", _("to review"), "state__exact=accepted"),
        ("to_assign_or_reply", _("to assign or answer"), "state__exact=reviewed"),
        ("overdue", _("past the deadline"), "deadline=overdue"),
    ]
    rows = [
        {"key": key, "label": label, "count": counts[key], "url": f"{changelist}?queue=all&{query}"}
        for key, label, query in steps
    ]
    return {"rows": rows}


@register.inclusion_tag("admin/liaison/holiday_schedule_warning.html", takes_context=True)
def holiday_schedule_warning(context) -> dict:
    """Shown to those who can enter the schedule (superusers have every permission)."""
    user = context["request"].user
    if not user.has_perm("stations.add_calendarday"):
        return {"years": []}
    years = workdays.unscheduled_years(timezone.localdate())
    return {
        "years": years,
        "days": workdays.COVERAGE_DAYS,
        "table_url": reverse("admin:stations_calendarday_changelist"),
        "add_url": reverse("admin:stations_calendarday_add"),
    }
