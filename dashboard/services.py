"""The dashboard's writes: the record of each export that carries personal data, and the case
list exports written in the background (ExportJob: asked for here, written by build_export,
which the task in dashboard.tasks only calls)."""

import csv
import io
import logging
import tempfile

from django.core.files import File
from django.db import transaction
from django.http import QueryDict
from django.utils.translation import gettext as _
from openpyxl import Workbook

from dashboard import exports
from dashboard.models import ExportJob, ExportLog
from issues import clock
from issues.stats import figure_cases
from liaison import jobs
from liaison.errors import InvalidInput
from liaison.exports import safe_row, xlsx_row
from liaison.replica import from_replica

logger = logging.getLogger(__name__)

QUERY_STRING_MAX = 2000
PROGRESS_EVERY = 5000  # rows between two progress updates


def export_log_record(*, user, export: str, fmt: str, query_string: str, filters: dict, row_count: int) -> ExportLog:
    """Write down that `user` exported `row_count` rows of `export` as `fmt`: the query string as
    sent (cut to a sane length: it is the user's to type) and the filters actually applied
    after validation, which is what the file holds."""
    if export not in ExportLog.Export.values or fmt not in ExportLog.Format.values:
        raise ValueError(f"unknown export {export!r} as {fmt!r}")
    return ExportLog.objects.create(
        user=user,
        username=user.get_username(),
        export=export,
        format=fmt,
        query_string=query_string[:QUERY_STRING_MAX],
        filters=filters,
        row_count=row_count,
    )


def export_job_request(*, user, fmt: str, query_string: str) -> ExportJob:
    """Ask for the case list with these filters as `fmt`; it is written after commit."""
    if fmt not in ExportLog.Format.values:
        raise InvalidInput(_("Choose CSV or XLSX."), field="format")
    with transaction.atomic():
        job = ExportJob.objects.create(user=user, format=fmt, query_string=query_string[:QUERY_STRING_MAX])
        transaction.on_commit(lambda: jobs.enqueue("dashboard.tasks.build_export", job.pk))
    return job


def export_job_build(*, job_id: int) -> ExportJob | None:
    """Write a waiting export: claim it (a second worker finds nothing to do), pin the cases,
    log the export, write the rows to a file kept through the storage. A failure is recorded
    on the job (shown as failed, never as a shorter file), not raised."""
    if not ExportJob.objects.filter(pk=job_id, status=ExportJob.Status.PENDING).update(status=ExportJob.Status.RUNNING):
        return None
    job = ExportJob.objects.select_related("user").get(pk=job_id)
    try:
        _write(job)
    except Exception as error:  # recorded for the reader; the traceback goes to the log
        logger.exception("export %s failed", job.pk)
        ExportJob.objects.filter(pk=job.pk).update(
            status=ExportJob.Status.FAILED, error=f"{type(error).__name__}: {error}"[:300], finished_at=clock.now()
        )
    job.refresh_from_db()
    return job


def _write(job: ExportJob) -> None:
    from dashboard.forms import FilterForm

    form = FilterForm(QueryDict(job.query_string) or None, user=job.user)  # the scope as of now
    if form.is_bound:
        form.is_valid()
    f = form.filters()
    cases, count = exports.pinned(from_replica(figure_cases(job.user, **f.stats_kwargs())))
    ExportJob.objects.filter(pk=job.pk).update(rows_total=count)
    export_log_record(
        user=job.user,
        export=ExportLog.Export.CASES,
        fmt=job.format,
        query_string=job.query_string,
        filters=f.key(),
        row_count=count,
    )
    rows = _counted(job.pk, exports.case_rows(cases, clock.now()))
    name = f"cases-{f.first_day:%Y%m%d}-{f.last_day:%Y%m%d}-{job.pk}.{job.format}"
    with tempfile.TemporaryFile() as out:
        if job.format == ExportLog.Format.CSV:
            text = io.TextIOWrapper(out, encoding="utf-8", newline="", write_through=True)
            text.write("\ufeff")  # so that Excel opens the UTF-8 file with its Chinese intact
            writer = csv.writer(text)
            for row in rows:
                writer.writerow(safe_row(row))
            text.flush()
            text.detach()
        else:
            book = Workbook(write_only=True)
            sheet = book.create_sheet(title=_("Cases")[:31])
            for row in rows:
                sheet.append(xlsx_row(row))
            book.save(out)
        out.seek(0)
        job.file.save(name, File(out), save=False)
    ExportJob.objects.filter(pk=job.pk).update(
        file=job.file.name, status=ExportJob.Status.DONE, rows_done=count, finished_at=clock.now()
    )


def _counted(job_id: int, rows):
    """The rows, noting on the job every PROGRESS_EVERY how many were written (the header is
    not one of them)."""
    done = -1
    for row in rows:
        yield row
        done += 1
        if done and done % PROGRESS_EVERY == 0:
            ExportJob.objects.filter(pk=job_id).update(rows_done=done)
