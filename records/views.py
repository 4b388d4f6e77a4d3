"""The duty record in the admin: the deputies whose record the user may read, and one record.
Thin: period → selector → template. A deputy outside the reader's scope is a 404."""

from django.contrib import admin
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from issues import clock
from issues.permissions import scope_of
from records.forms import PeriodForm
from records.selectors import duty_record, record_deputies, report_stations, reports_visible_to


def _admin_context(request, title: str) -> dict:
    return {**admin.site.each_context(request), "title": title}


@require_GET
@login_required
def deputy_list(request):
    deputies = record_deputies(request.user).order_by("-is_active", "name")
    today = timezone.localdate(clock.now())
    context = {
        **_admin_context(request, _("Duty records")),
        "deputies": deputies,
        "query": request.GET.urlencode(),
        "stations": report_stations(request.user).order_by("name"),
        "reports": reports_visible_to(request.user).select_related("deputy", "station")[:20],
        "year": today.year,
        "quarter": (today.month - 1) // 3 + 1,
        "may_import": scope_of(request.user).is_superuser or bool(scope_of(request.user).staff_station_ids),
    }
    return render(request, "records/deputy_list.html", context)


@require_GET
@login_required
def deputy_record(request, pk: int):
    deputy = get_object_or_404(record_deputies(request.user), pk=pk)
    form = PeriodForm(request.GET or None)
    first_day, last_day = form.days()
    record = duty_record(request.user, deputy, first_day, last_day)
    title = _("Duty record of %(name)s") % {"name": deputy.name}
    scope = scope_of(request.user)
    may_end_term = scope.is_superuser or bool(scope.staff_station_ids)
    context = {**_admin_context(request, title), "form": form, "r": record, "year": last_day.year}
    context["may_end_term"] = may_end_term
    return render(request, "records/deputy_record.html", context)
