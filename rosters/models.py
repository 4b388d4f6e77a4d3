"""A roster file being imported in the background (名册导入): the upload is kept in Django's
storage, checked by one Celery task (the preview, nothing written) and, once the uploader
confirms, imported by a second task in one transaction. Only rosters.services writes it."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from issues import clock


class ImportJob(models.Model):
    """One uploaded roster file, its preview and its import, seen by its uploader only."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("waiting to be checked")
        CHECKING = "checking", _("being checked")
        CHECKED = "checked", _("checked")
        CONFIRMED = "confirmed", _("waiting to be imported")
        IMPORTING = "importing", _("being imported")
        IMPORTED = "imported", _("imported")
        NOT_IMPORTED = "not_imported", _("nothing was imported")
        FAILED = "failed", _("could not be read")

    kind = models.CharField(_("the file holds"), max_length=20)
    name = models.CharField(_("file name"), max_length=200)
    file = models.FileField(_("file"), upload_to="roster-imports/%Y/")
    digest = models.CharField(_("SHA-256 of the file"), max_length=64)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("uploaded by"), on_delete=models.CASCADE, related_name="+"
    )
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.QUEUED)
    done = models.PositiveIntegerField(_("rows done"), default=0)
    total = models.PositiveIntegerField(_("rows"), default=0)
    preview = models.JSONField(_("preview"), null=True, blank=True)
    result = models.JSONField(_("result"), null=True, blank=True)
    error = models.CharField(_("error"), max_length=500, blank=True)
    created_at = models.DateTimeField(_("uploaded at"), default=clock.now)
    # When the status last moved: a job left waiting (its task lost with the broker) or left
    # running (its worker killed: the transaction rolled back) is picked up again from it.
    status_at = models.DateTimeField(_("status since"), default=clock.now)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    class Meta:
        verbose_name = _("roster import")
        verbose_name_plural = _("roster imports")
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(condition=models.Q(done__lte=models.F("total")), name="rosters_job_done_le_total")
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.kind})"

    @property
    def busy(self) -> bool:
        return self.status in (self.Status.QUEUED, self.Status.CHECKING, self.Status.CONFIRMED, self.Status.IMPORTING)

    @property
    def percent(self) -> int:
        return 100 * self.done // self.total if self.total else 0

    @property
    def confirmable(self) -> bool:
        return self.status == self.Status.CHECKED and not (self.preview or {}).get("counts", {}).get("refused", 1)
