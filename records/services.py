"""Every write of the records app: asking for a report, and building it (status, progress and
the kept file). The task in records.tasks only calls report_build."""

import logging

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.files.base import ContentFile
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.translation import gettext as _

from issues import clock
from liaison import jobs
from liaison.errors import InvalidInput, IssueNotFound
from records.models import Report
from records.selectors import record_deputies, report_stations

logger = logging.getLogger(__name__)


class RecordNotFound(IssueNotFound):
    default_message = _("No such deputy or station.")


def report_request(
    *, user, kind: str, year: int, quarter: int | None = None, deputy_id: int | None = None, station_id=None
) -> Report:
    """Ask for a report on a deputy or station in the user's scope; it is built after commit."""
    if kind not in Report.Kind.values:
        raise InvalidInput(_("Choose a kind of report."), field="kind")
    if not isinstance(year, int) or not 2000 <= year <= 2099:
        raise InvalidInput(_("Choose a year between 2000 and 2099."), field="year")
    subject = {}
    if kind == Report.Kind.DEPUTY_ANNUAL:
        deputy = record_deputies(user).filter(pk=deputy_id).first() if deputy_id else None
        if deputy is None:
            raise RecordNotFound()
        subject, quarter = {"deputy": deputy}, None
    else:
        if quarter not in (1, 2, 3, 4):
            raise InvalidInput(_("Choose a quarter."), field="quarter")
        station = report_stations(user).filter(pk=station_id).first() if station_id else None
        if station is None:
            raise RecordNotFound()
        subject = {"station": station}
    with transaction.atomic():
        report = Report.objects.create(kind=kind, year=year, quarter=quarter, requested_by=user, **subject)
        transaction.on_commit(lambda: jobs.enqueue("records.tasks.build_report", report.pk))
    return report


def _progress(report_id: int, percent: int) -> None:
    Report.objects.filter(pk=report_id).update(progress=min(100, max(0, percent)))


def report_build(*, report_id: int) -> Report | None:
    """Build a waiting report: claim it (a second worker finds nothing to do), gather the
    figures, draw the PDF, keep the file. A failure is recorded on the report, not raised."""
    claimed = Report.objects.filter(pk=report_id, status=Report.Status.PENDING).update(
        status=Report.Status.RUNNING, progress=5
    )
    if not claimed:
        return None
    report = Report.objects.select_related("deputy", "station").get(pk=report_id)
    user = get_user_model().objects.get(pk=report.requested_by_id)  # a fresh scope, as of now
    from records.pdf import render_pdf  # WeasyPrint loads its stylesheets on import: only in the worker

    try:
        with translation.override(settings.LANGUAGE_CODE):
            html = _html(report, user)
            _progress(report.pk, 60)
            pdf = render_pdf(html)
        _progress(report.pk, 90)
        report.file.save(_filename(report), ContentFile(pdf), save=False)
        Report.objects.filter(pk=report.pk).update(
            file=report.file.name, status=Report.Status.DONE, progress=100, finished_at=clock.now()
        )
    except Exception as error:  # recorded for the reader; the traceback goes to the log
        logger.exception("report %s failed", report.pk)
        Report.objects.filter(pk=report.pk).update(
            status=Report.Status.FAILED, error=f"{type(error).__name__}: {error}"[:300], finished_at=clock.now()
        )
    report.refresh_from_db()
    return report


def _html(report: Report, user) -> str:
    from records import reports

    if report.kind == Report.Kind.DEPUTY_ANNUAL:
        context = reports.deputy_annual(user, report.deputy, report.year)
        _progress(report.pk, 40)
        return render_to_string("records/pdf/deputy_annual.html", context)
    context = reports.station_quarterly(
        user, report.station, report.year, report.quarter, progress=lambda p: _progress(report.pk, p)
    )
    return render_to_string("records/pdf/station_quarterly.html", context)


def _filename(report: Report) -> str:
    if report.kind == Report.Kind.DEPUTY_ANNUAL:
        return f"deputy-{report.deputy_id}-{report.year}-{report.pk}.pdf"
    return f"station-{report.station_id}-{report.year}q{report.quarter}-{report.pk}.pdf"
