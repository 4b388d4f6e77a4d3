"""Every write of a background roster import (rosters.models.ImportJob): the upload, its check
(the preview, by a task), the uploader's confirmation and the import (a second task, one
transaction: all rows or none). The tasks in rosters.tasks only call these."""

import hashlib
import logging
import time
import uuid
from dataclasses import asdict
from datetime import timedelta

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import connection, connections, transaction
from django.db.models import Q
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from issues import clock
from liaison import jobs
from liaison.errors import InvalidInput, IssueError, IssueNotFound
from rosters.models import ImportJob
from rosters.parsing import check_upload
from rosters.services import ImportOutcome, resource_for, roster_import

logger = logging.getLogger(__name__)

SHOWN_ROWS = 500  # rows of a preview or result kept for the page; the counts cover them all
PROGRESS_SECONDS = 0.5
# A job waiting this long was enqueued while the broker was away (or its message was lost).
REQUEUE_AFTER = timedelta(minutes=2)
# A job "running" this long has lost its worker (the tasks' hard time limit is 900 s): its
# transaction rolled back with it, so running it again is safe.
STALE_AFTER = timedelta(seconds=960)
_WAITING_TO_RUNNING = {
    ImportJob.Status.QUEUED: ImportJob.Status.CHECKING,
    ImportJob.Status.CONFIRMED: ImportJob.Status.IMPORTING,
}
_TASKS = {
    ImportJob.Status.QUEUED: "rosters.tasks.check_import",
    ImportJob.Status.CHECKING: "rosters.tasks.check_import",
    ImportJob.Status.CONFIRMED: "rosters.tasks.run_import",
    ImportJob.Status.IMPORTING: "rosters.tasks.run_import",
}


class ImportJobNotFound(IssueNotFound):
    default_message = gettext_lazy("No such import.")


def _digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def roster_job_start(*, user, kind: str, data: bytes, filename: str) -> ImportJob:
    """Keep the uploaded file and have it checked in the background (nothing is written to the
    rosters). What can be refused without reading the rows is refused here, at once."""
    resource_for(user, kind)  # the kind exists and the user may import
    name = check_upload(data, filename)
    extension = name.rsplit(".", 1)[-1]
    with transaction.atomic():
        job = ImportJob(kind=kind, name=(filename or "")[-200:], digest=_digest(data), requested_by=user)
        job.file.save(f"{uuid.uuid4().hex}.{extension}", ContentFile(data), save=False)
        job.save()
        transaction.on_commit(lambda: jobs.enqueue("rosters.tasks.check_import", job.pk))
    return job


def roster_job_confirm(*, user, job_id: int, digest: str) -> ImportJob:
    """The uploader confirms the preview they saw (named by the file's digest): the import is
    queued. Someone else's job is not found; a changed file, a refused row or a second
    confirmation is refused."""
    job = ImportJob.objects.filter(pk=job_id, requested_by=user).first()
    if job is None:
        raise ImportJobNotFound()
    resource_for(user, job.kind)
    if digest != job.digest:
        raise InvalidInput(_("The file changed after its preview: upload it again and check the new preview."))
    with transaction.atomic():
        claimed = ImportJob.objects.filter(pk=job.pk, status=ImportJob.Status.CHECKED, preview__counts__refused=0)
        if not claimed.update(status=ImportJob.Status.CONFIRMED, done=0, status_at=clock.now()):
            raise InvalidInput(_("This file cannot be imported (again): its preview refused rows or it was confirmed."))
        transaction.on_commit(lambda: jobs.enqueue("rosters.tasks.run_import", job.pk))
    job.refresh_from_db()
    return job


def roster_job_check(*, job_id: int) -> ImportJob | None:
    """The preview: run the file without writing it and keep what each row would do."""
    return _run(job_id, ImportJob.Status.QUEUED, ImportJob.Status.CHECKING, confirm=False)


def roster_job_import(*, job_id: int) -> ImportJob | None:
    """The import of a confirmed file, in one transaction: one row refused, nothing written."""
    return _run(job_id, ImportJob.Status.CONFIRMED, ImportJob.Status.IMPORTING, confirm=True)


def roster_jobs_resume() -> int:
    """Send again the tasks of jobs left waiting (the broker was away when they were enqueued)
    or left running by a killed worker; a task delivered twice finds nothing to do. Returns how
    many were sent."""
    now = clock.now()
    stalled = ImportJob.objects.filter(
        Q(status__in=_WAITING_TO_RUNNING, status_at__lt=now - REQUEUE_AFTER)
        | Q(status__in=_WAITING_TO_RUNNING.values(), status_at__lt=now - STALE_AFTER)
    ).values_list("pk", "status")
    sent = 0
    for job_id, status in stalled:
        jobs.enqueue(_TASKS[status], job_id)
        sent += 1
    return sent


def _run(job_id: int, waiting: str, running: str, *, confirm: bool) -> ImportJob | None:
    # Claimed by compare-and-set: a task delivered twice finds nothing left to do, unless the
    # run it finds has outlived any worker (killed mid-way: its transaction rolled back).
    now = clock.now()
    claim = Q(status=waiting) | Q(status=running, status_at__lt=now - STALE_AFTER)
    if not ImportJob.objects.filter(claim, pk=job_id).update(status=running, status_at=now):
        return None
    job = ImportJob.objects.select_related("requested_by").get(pk=job_id)
    progress = _Progress(job.pk)
    status, fields = ImportJob.Status.FAILED, {}
    try:
        with translation.override(settings.LANGUAGE_CODE):
            data = _stored_file(job)
            outcome = roster_import(
                user=job.requested_by, kind=job.kind, data=data, filename=job.name, confirm=confirm, progress=progress
            )
        if confirm:
            status = ImportJob.Status.IMPORTED if outcome.written else ImportJob.Status.NOT_IMPORTED
            fields = {"result": _summary(outcome)}
        else:
            status, fields = ImportJob.Status.CHECKED, {"preview": _summary(outcome)}
        fields.update(done=len(outcome.rows), total=len(outcome.rows))
    except IssueError as error:  # the file or the uploader's rights: said on the page
        if confirm:
            status = ImportJob.Status.NOT_IMPORTED
        fields = {"error": str(error.message)[:500]}
    except Exception as error:  # recorded for the reader; the traceback goes to the log
        logger.exception("roster import %s failed", job_id)
        fields = {"error": (_("The file could not be processed: %(error)s") % {"error": type(error).__name__})[:500]}
    finally:
        progress.close()
    ended = clock.now()
    ImportJob.objects.filter(pk=job_id).update(status=status, status_at=ended, finished_at=ended, **fields)
    job.refresh_from_db()
    return job


def _stored_file(job: ImportJob) -> bytes:
    with job.file.open("rb") as stored:
        data = stored.read()
    if _digest(data) != job.digest:
        raise InvalidInput(_("The file changed after its preview: upload it again and check the new preview."))
    return data


def _summary(outcome: ImportOutcome) -> dict:
    def row(r) -> dict:
        return {**asdict(r), "values": [None if v is None else str(v) for v in r.values]}

    return {
        "headers": [str(h) for h in outcome.headers],
        "counts": outcome.counts,
        "written": outcome.written,
        "rows": [row(r) for r in outcome.rows[:SHOWN_ROWS]],
        "refused": [row(r) for r in outcome.refused[:SHOWN_ROWS]],
    }


class _Progress:
    """Rows done / total on the job row, at most twice a second. The rows run inside the
    import's transaction, whose writes nobody sees before it ends: on PostgreSQL the count is
    written through a second connection of its own (autocommit); elsewhere only outside it."""

    def __init__(self, job_id: int):
        self.job_id = job_id
        self.side = None
        self.last = 0.0

    def __call__(self, done: int, total: int) -> None:
        now = time.monotonic()
        if done and done < total and now - self.last < PROGRESS_SECONDS:
            return
        self.last = now
        if not connection.in_atomic_block:
            ImportJob.objects.filter(pk=self.job_id).update(done=done, total=total)
        elif connection.vendor == "postgresql":
            if self.side is None:
                self.side = connections.create_connection("default")
            with self.side.cursor() as cursor:
                cursor.execute(
                    f"UPDATE {ImportJob._meta.db_table} SET done = %s, total = %s WHERE id = %s",  # noqa: S608
                    [done, total, self.job_id],
                )

    def close(self) -> None:
        if self.side is not None:
            self.side.close()
