"""Case list exports written in the background: the page that follows one (refreshing itself
while it is written), its download, and the list of the user's exports, kept to download
again. Only the user who asked for an export sees it: anyone else gets a 404."""

from django.contrib import admin
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from dashboard.models import ExportJob
from dashboard.selectors import export_jobs_of

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CONTENT_TYPES = {"csv": "text/csv; charset=utf-8", "xlsx": XLSX}


@require_GET
@login_required
def export_status(request, pk: int):
    job = get_object_or_404(export_jobs_of(request.user), pk=pk)
    return render(
        request,
        "dashboard/export.html",
        {**admin.site.each_context(request), "job": job, "title": _("Case list export")},
    )


@require_GET
@login_required
def export_list(request):
    jobs = export_jobs_of(request.user)[:50]
    context = {**admin.site.each_context(request), "jobs": jobs, "title": _("My exports")}
    return render(request, "dashboard/exports.html", context)


@require_GET
@login_required
def export_download(request, pk: int):
    job = get_object_or_404(export_jobs_of(request.user), pk=pk, status=ExportJob.Status.DONE)
    if not job.file:
        raise Http404(_("Not found."))
    name = job.file.name.rsplit("/", 1)[-1]
    return FileResponse(job.file.open("rb"), as_attachment=True, filename=name, content_type=CONTENT_TYPES[job.format])
