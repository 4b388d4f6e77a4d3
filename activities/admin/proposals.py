"""One click on a case the escalation chain proposed (reopened twice, issues.escalation): it
becomes the topic of the station's next planned appointment with the township head, through the
same service as the escalation form; with none planned, the form opens with the case filled in.
The button sits on the case page and in the case list (issues.admin), which only know this URL's
name: issues never imports activities."""

from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponseNotAllowed
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from activities import services
from activities.models import Activity, Kind, Status
from issues import clock
from issues.permissions import Actor
from issues.selectors import issues_visible_to
from liaison.errors import IssueError, IssueNotFound


def escalate_proposed_view(model_admin, request, case_id: int):
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    if not model_admin.has_add_permission(request):
        raise PermissionDenied
    case = issues_visible_to(request.user).filter(pk=case_id).first()
    if case is None:
        raise Http404(_("Not found."))
    appointment = (
        Activity.objects.filter(
            station_id=case.station_id,
            kind=Kind.TOWNSHIP_HEAD_APPOINTMENT,
            status=Status.PLANNED,
            date__gte=timezone.localdate(clock.now()),
        )
        .order_by("date", "pk")
        .first()
    )
    if appointment is None:
        messages.info(
            request, _("No appointment with the township head is planned at this station: give the date of a new one.")
        )
        return redirect(reverse("admin:activities_escalatedcase_add") + "?" + urlencode({"case_code": case.short_code}))
    try:
        services.escalate_case_to_appointment(
            actor=Actor.of(request.user),
            case_id=case.pk,
            activity_id=appointment.pk,
            note=_("Reopened twice: proposed by the escalation chain."),
        )
    except IssueNotFound:
        raise Http404(_("Not found.")) from None
    except IssueError as error:
        messages.error(request, str(error.message))
        return redirect(reverse("admin:issues_issue_change", args=[case.pk]))
    messages.success(request, _("The case is now a topic of this appointment."))
    return redirect(reverse("admin:activities_activity_change", args=[appointment.pk]))
