"""Roster import and export pages in the admin, for station staff and superusers. Thin: the
upload is previewed by the service (nothing written), kept in the cache for the confirmation,
and imported whole or not at all."""

import secrets

from django.contrib import admin
from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.http import Http404
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from issues.permissions import scope_of
from liaison.errors import ActionForbidden, IssueError
from liaison.exports import csv_response, xlsx_response
from rosters.resources import RESOURCES
from rosters.services import roster_export, roster_import

PENDING_SECONDS = 30 * 60
PREVIEW_ROWS = 500


def _kinds() -> list[tuple[str, str]]:
    return [
        ("deputies", _("Deputies")),
        ("stations", _("Stations")),
        ("stationings", _("Stationings")),
        ("duty_slots", _("Duty slots")),
    ]


def _importer(request) -> None:
    scope = scope_of(request.user)
    if not scope.is_superuser and not scope.staff_station_ids:
        raise Http404(_("Not found."))


def _render(request, **context):
    base = {**admin.site.each_context(request), "title": _("Roster import and export"), "kinds": _kinds()}
    return render(request, "rosters/import.html", {**base, **context})


@require_GET
@login_required
def index(request):
    _importer(request)
    return _render(request)


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


def _key(user, token: str) -> str:
    return f"roster-import:{user.pk}:{token}"


@require_POST
@login_required
def preview(request):
    _importer(request)
    kind, upload = request.POST.get("kind", ""), request.FILES.get("file")
    if upload is None:
        return _render(request, error=_("Choose a file to import."), kind=kind)
    data = upload.read()
    try:
        outcome = roster_import(user=request.user, kind=kind, data=data, filename=upload.name, confirm=False)
    except IssueError as error:
        return _render(request, error=str(error.message), kind=kind)
    token = ""
    if not outcome.refused:
        token = secrets.token_urlsafe(16)
        cache.set(_key(request.user, token), {"kind": kind, "data": data, "name": upload.name}, PENDING_SECONDS)
    return _render(request, outcome=outcome, rows=outcome.rows[:PREVIEW_ROWS], token=token, kind=kind, name=upload.name)


@require_POST
@login_required
def confirm(request):
    _importer(request)
    token = request.POST.get("token", "")
    pending = cache.get(_key(request.user, token)) if token else None
    if pending is None:
        return _render(request, error=_("This preview has expired: upload the file again."))
    cache.delete(_key(request.user, token))
    try:
        outcome = roster_import(
            user=request.user, kind=pending["kind"], data=pending["data"], filename=pending["name"], confirm=True
        )
    except IssueError as error:
        return _render(request, error=str(error.message))
    return _render(request, outcome=outcome, rows=outcome.refused[:PREVIEW_ROWS], done=True, kind=pending["kind"])
