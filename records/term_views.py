"""The end of a deputy's term at a station, in the admin: staff of the station choose the
deputy who takes the open cases over; issues.services.handover.deputy_end_term does the rest."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from deputies.models import Deputy, Stationing
from issues.models import OPEN_STATES, Issue
from issues.permissions import Actor, scope_of
from issues.services.handover import deputy_end_term
from liaison.errors import IssueError
from records.selectors import record_deputies
from records.views import _admin_context


def _int(value) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


@require_http_methods(["GET", "POST"])
@login_required
def end_term(request, pk: int):
    deputy = get_object_or_404(record_deputies(request.user), pk=pk)
    scope = scope_of(request.user)
    stationings = Stationing.objects.current().filter(deputy=deputy).select_related("station")
    if not scope.is_superuser:
        stationings = stationings.filter(station_id__in=scope.staff_station_ids)
    stationings = list(stationings)
    if not stationings:
        raise Http404(_("Not found."))
    error = ""
    if request.method == "POST":
        try:
            result = deputy_end_term(
                actor=Actor.of(request.user),
                deputy_id=deputy.pk,
                station_id=_int(request.POST.get("station")),
                successor_id=_int(request.POST.get("successor")),
            )
        except IssueError as failure:
            error = str(failure.message)
        else:
            messages.success(
                request,
                _("%(name)s's term at the station has ended; %(n)d open cases were handed over.")
                % {"name": deputy.name, "n": len(result.moved)},
            )
            return redirect("records:deputy", pk=deputy.pk)
    stations = [s.station for s in stationings]
    successors = (
        Deputy.objects.filter(
            is_active=True,
            pk__in=Stationing.objects.current().filter(station__in=stations).values("deputy_id"),
        )
        .exclude(pk=deputy.pk)
        .order_by("name")
    )
    open_cases = Issue.objects.filter(deputy=deputy, station__in=stations, state__in=OPEN_STATES).count()
    context = {
        **_admin_context(request, _("End of term: %(name)s") % {"name": deputy.name}),
        "deputy": deputy,
        "stations": stations,
        "successors": successors,
        "open_cases": open_cases,
        "error": error,
    }
    return render(request, "records/end_term.html", context)
