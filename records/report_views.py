"""Reports in the admin: ask for one (POST), watch it being built, download it (again).
Thin: form → service → redirect; a report outside the reader's scope is a 404."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from liaison.errors import IssueError
from records.models import Report
from records.selectors import reports_visible_to
from records.services import report_request
from records.views import _admin_context


def _int(value) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


@require_POST
@login_required
def request_report(request):
    data = request.POST
    try:
        report = report_request(
            user=request.user,
            kind=data.get("kind", ""),
            year=_int(data.get("year")),
            quarter=_int(data.get("quarter")),
            deputy_id=_int(data.get("deputy")),
            station_id=_int(data.get("station")),
        )
    except IssueError as error:
        if error.code == "not_found":
            raise Http404 from error
        messages.error(request, str(error.message))
        return redirect(request.POST.get("back") or "records:deputies")
    return redirect("records:report", pk=report.pk)


@require_GET
@login_required
def report_status(request, pk: int):
    report = get_object_or_404(reports_visible_to(request.user).select_related("deputy", "station"), pk=pk)
    building = report.status in (Report.Status.PENDING, Report.Status.RUNNING)
    return render(
        request, "records/report.html", {**_admin_context(request, str(report)), "report": report, "building": building}
    )


@require_GET
@login_required
def report_download(request, pk: int):
    report = get_object_or_404(reports_visible_to(request.user), pk=pk, status=Report.Status.DONE)
    if not report.file:
        raise Http404(_("Not found."))
    name = report.file.name.rsplit("/", 1)[-1]
    return FileResponse(report.file.open("rb"), as_attachment=True, filename=name, content_type="application/pdf")
