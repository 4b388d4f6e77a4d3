"""Roster import and export pages in the admin, for station staff and superusers. Thin: the
upload is kept and checked in the background (rosters.job_services), its page refreshes itself
until the preview is ready, and a confirmation imports it whole or not at all, also in the
background. A job is its uploader's alone: anyone else gets a 404."""

from django.contrib import admin
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from liaison.errors import ActionForbidden, IssueError
from liaison.exports import csv_response, xlsx_response
from rosters.job_services import roster_job_confirm, roster_job_start
from rosters.resources import RESOURCES
from rosters.selectors import import_jobs_of
from rosters.services import may_import, roster_export

RECENT_JOBS = 10


def _kinds() -> list[tuple[str, str]]:
    return [
        ("deputies", _("Deputies")),
        ("stations", _("Stations")),
        ("stationings", _("Stationings")),
        ("duty_slots", _("Duty slots")),
    ]


def _importer(request) -> None:
    if not may_import(request.user):
        raise Http404(_("Not found."))


def _context(request, **context) -> dict:
    return {**admin.site.each_context(request), "title": _("Roster import and export"), "kinds": _kinds(), **context}


def _render_index(request, **context):
    jobs = import_jobs_of(request.user)[:RECENT_JOBS]
    return render(request, "rosters/import.html", _context(request, jobs=jobs, **context))


@require_GET
@login_required
def index(request):
    _importer(request)
    return _render_index(request)


@require_GET
@login_required
def download(request, kind: str, what: str, fmt: str):
    _importer(request)
    if kind not in RESOURCES or what not in ("template", "export") or fmt not in ("csv", "xlsx"):
        raise Http404(_("Not found."))
    try:
        rows = roster_export(user=request.user, kind=kind, blank=what == "template")
    except ActionForbidden as error:
        raise Http404(_("Not found.")) from error
    filename = f"{kind}-{what}.{fmt}"
    return csv_response(rows, filename) if fmt == "csv" else xlsx_response(rows, filename, kind)


@require_POST
@login_required
def preview(request):
    _importer(request)
    kind, upload = request.POST.get("kind", ""), request.FILES.get("file")
    if upload is None:
        return _render_index(request, error=_("Choose a file to import."), kind=kind)
    try:
        job = roster_job_start(user=request.user, kind=kind, data=upload.read(), filename=upload.name)
    except IssueError as error:
        return _render_index(request, error=str(error.message), kind=kind)
    return redirect("rosters:job", pk=job.pk)


def _render_job(request, job, **context):
    return render(request, "rosters/job.html", _context(request, job=job, **context))


@require_GET
@login_required
def job(request, pk: int):
    _importer(request)
    return _render_job(request, get_object_or_404(import_jobs_of(request.user), pk=pk))


@require_POST
@login_required
def confirm(request, pk: int):
    _importer(request)
    try:
        roster_job_confirm(user=request.user, job_id=pk, digest=request.POST.get("digest", ""))
    except IssueError as error:
        if error.code == "not_found":
            raise Http404(_("Not found.")) from error
        found = get_object_or_404(import_jobs_of(request.user), pk=pk)
        return _render_job(request, found, error=str(error.message))
    return redirect("rosters:job", pk=pk)
