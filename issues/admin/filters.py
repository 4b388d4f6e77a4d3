"""List filters of the case list. Their choices and counts come from the admin's queryset,
which is issues_visible_to(user): another station's names and numbers never show up."""

from datetime import timedelta

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from issues import clock
from issues.models import OPEN_STATES
from issues.queue import end_of_today

DUE_SOON = timedelta(days=1)


class DeadlineFilter(admin.SimpleListFilter):
    title = _("current deadline")
    parameter_name = "deadline"

    def lookups(self, request, model_admin):
        return [
            ("overdue", _("overdue")),
            ("due_today", _("due today")),
            ("due_soon", _("due within a day")),
            ("on_time", _("on time")),
        ]

    def queryset(self, request, queryset):
        now = clock.now()
        open_cases = queryset.filter(state__in=OPEN_STATES, deadline__isnull=False)
        match self.value():
            case "overdue":
                return open_cases.filter(deadline__lt=now)
            case "due_today":
                return open_cases.filter(deadline__gte=now, deadline__lt=end_of_today(now))
            case "due_soon":
                return open_cases.filter(deadline__gte=now, deadline__lt=now + DUE_SOON)
            case "on_time":
                return open_cases.filter(deadline__gte=now + DUE_SOON)
        return queryset
