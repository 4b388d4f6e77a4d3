from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from issues import clock


class FigureSnapshot(models.Model):
    """The dashboard's figures for one scope and one set of filters, as computed at one moment
    (数据快照). At a million cases the raw aggregates take seconds, so the page and /api/stats/
    serve a snapshot and say when it was computed. The page never computes a big scope while its
    reader waits (dashboard.snapshots.figures_served): an older snapshot is served while a task
    computes a newer one. A scheduled task refreshes the common ones (every township and the
    city, this month, quarter and year) and those read in the last day, and deletes those unread
    for a week. Holds no case text and no phone numbers: counts, names of stations and deputies,
    and the short codes of overdue cases."""

    key = models.CharField(_("key"), max_length=64, unique=True)
    kind = models.CharField(_("kind"), max_length=20)
    computed_at = models.DateTimeField(_("computed at"))
    data = models.JSONField(_("figures"), encoder=DjangoJSONEncoder)
    # Who read it last, with which query string and language: what the refresh task computes it
    # again with (the key is derived from that reader's scope, so it lands on the same key while
    # the reader keeps it). Written at most once a minute (dashboard.snapshots.READ_MARK_EVERY).
    read_at = models.DateTimeField(_("last read at"), null=True, blank=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("last reader"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    query = models.TextField(_("query string"), blank=True)
    language = models.CharField(_("language"), max_length=20, blank=True)

    class Meta:
        verbose_name = _("figure snapshot")
        verbose_name_plural = _("figure snapshots")
        indexes = [models.Index(fields=["computed_at"]), models.Index(fields=["read_at"])]

    def __str__(self) -> str:
        return f"{self.kind} {self.computed_at:%Y-%m-%d %H:%M}"


class SnapshotRequest(models.Model):
    """A snapshot somebody asked for and a task on the reports queue is computing (快照计算请求):
    one row per key, claimed by the first reader, so a hundred readers of a province's page ask
    for one computation. The task computes with the requester's scope as of its run, stores the
    snapshot and deletes the row; a row older than DASHBOARD_SNAPSHOT_REQUEST_TIMEOUT is taken
    for a lost task and claimed again by the next reader."""

    key = models.CharField(_("key"), max_length=64, unique=True)
    kind = models.CharField(_("kind"), max_length=20)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("requested by"), on_delete=models.CASCADE, related_name="+"
    )
    query = models.TextField(_("query string"), blank=True)
    language = models.CharField(_("language"), max_length=20, blank=True)
    requested_at = models.DateTimeField(_("requested at"))

    class Meta:
        verbose_name = _("snapshot request")
        verbose_name_plural = _("snapshot requests")

    def __str__(self) -> str:
        return f"{self.kind} {self.requested_at:%Y-%m-%d %H:%M}"


class ExportLog(models.Model):
    """One download of an export that carries villagers' personal data (导出记录): who, when,
    which export in which format, with which filters, and how many rows. Written before the file
    is sent, so an interrupted download is on record too. Shown read-only to superusers.

    Only the case list is logged: it holds villagers' (masked) names and phones and their own
    words. The figures and the supervision list hold counts, stations, deputies, departments and
    promises, nothing a villager gave."""

    class Export(models.TextChoices):
        CASES = "cases", _("case list")

    class Format(models.TextChoices):
        CSV = "csv", "CSV"
        XLSX = "xlsx", "XLSX"

    # Kept when the account goes: the log must outlive who made it, hence the username below.
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("user"), null=True, on_delete=models.SET_NULL, related_name="+"
    )
    username = models.CharField(_("username"), max_length=150)
    created_at = models.DateTimeField(_("time"), default=clock.now, db_index=True)
    export = models.CharField(_("export"), max_length=20, choices=Export.choices)
    format = models.CharField(_("format"), max_length=4, choices=Format.choices)
    query_string = models.TextField(_("query string"), blank=True)
    filters = models.JSONField(_("filters applied"), default=dict, encoder=DjangoJSONEncoder)
    row_count = models.PositiveIntegerField(_("rows"))

    class Meta:
        verbose_name = _("export log entry")
        verbose_name_plural = _("export log")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.username} {self.get_export_display()} {timezone.localtime(self.created_at):%Y-%m-%d %H:%M}"


class ExportJob(models.Model):
    """A case list too large to send while the browser waits (导出任务): written by a Celery task
    on the reports queue (dashboard.tasks.build_export) through Django's storage, with its
    progress, kept for the requester to download again. Only dashboard.export_jobs writes it.
    The filters are kept as the query string and applied again, with the requester's scope of
    that moment, when the file is written."""

    class Status(models.TextChoices):
        PENDING = "pending", _("waiting")
        RUNNING = "running", _("being written")
        DONE = "done", _("ready")
        FAILED = "failed", _("failed")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("requested by"), on_delete=models.CASCADE, related_name="+"
    )
    format = models.CharField(_("format"), max_length=4, choices=ExportLog.Format.choices)
    query_string = models.TextField(_("query string"), blank=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PENDING)
    rows_total = models.PositiveIntegerField(_("rows"), default=0)
    rows_done = models.PositiveIntegerField(_("rows written"), default=0)
    file = models.FileField(_("file"), upload_to="exports/%Y/", blank=True)
    error = models.CharField(_("error"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("requested at"), default=clock.now)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    class Meta:
        verbose_name = _("export")
        verbose_name_plural = _("exports")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["user", "created_at"])]

    def __str__(self) -> str:
        return f"{self.get_format_display()} {timezone.localtime(self.created_at):%Y-%m-%d %H:%M}"

    @property
    def percent(self) -> int:
        if self.status == self.Status.DONE:
            return 100
        return min(99, self.rows_done * 100 // self.rows_total) if self.rows_total else 0

    @property
    def building(self) -> bool:
        return self.status in (self.Status.PENDING, self.Status.RUNNING)
