"""Reports built from the duty records, kept so that they can be downloaded again: a deputy's
annual report to the voters (述职报告) and a station's quarterly report to the township congress
(工作报告). Built by a Celery task (records.tasks) through records.services, which alone write
the status and progress."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from issues import clock


class Report(models.Model):
    """A report as PDF, requested by a user and built in the background (报告)."""

    class Kind(models.TextChoices):
        DEPUTY_ANNUAL = "deputy_annual", _("deputy's annual report (述职报告)")
        STATION_QUARTERLY = "station_quarterly", _("station's quarterly report (工作报告)")

    class Status(models.TextChoices):
        PENDING = "pending", _("waiting")
        RUNNING = "running", _("being built")
        DONE = "done", _("ready")
        FAILED = "failed", _("failed")

    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    deputy = models.ForeignKey(
        "deputies.Deputy", verbose_name=_("deputy"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    station = models.ForeignKey(
        "stations.Station", verbose_name=_("station"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    year = models.PositiveSmallIntegerField(_("year"))
    quarter = models.PositiveSmallIntegerField(_("quarter"), null=True, blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("requested by"), on_delete=models.PROTECT, related_name="+"
    )
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PENDING)
    progress = models.PositiveSmallIntegerField(_("progress (%)"), default=0)
    file = models.FileField(_("file"), upload_to="reports/%Y/", blank=True)
    error = models.CharField(_("error"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("requested at"), default=clock.now)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    class Meta:
        verbose_name = _("report")
        verbose_name_plural = _("reports")
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(
                    kind="deputy_annual", deputy__isnull=False, station__isnull=True, quarter__isnull=True
                )
                | models.Q(
                    kind="station_quarterly",
                    station__isnull=False,
                    deputy__isnull=True,
                    quarter__gte=1,
                    quarter__lte=4,
                ),
                name="report_subject_matches_kind",
            ),
            models.CheckConstraint(condition=models.Q(progress__lte=100), name="report_progress_max_100"),
        ]

    def __str__(self) -> str:
        subject = self.deputy.name if self.deputy_id else self.station.name
        period = f"{self.year}" if self.quarter is None else f"{self.year} Q{self.quarter}"
        return f"{subject} · {period}"
