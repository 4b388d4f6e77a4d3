from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from issues import clock


class FigureSnapshot(models.Model):
    """The dashboard's figures for one scope and one set of filters, as computed at one moment
    (数据快照). At a million cases the raw aggregates take seconds, so the page and /api/stats/
    serve a snapshot younger than DASHBOARD_SNAPSHOT_MAX_AGE and say when it was computed; a
    scheduled task refreshes the common ones (every township and the city, this month, quarter
    and year). Holds no case text and no phone numbers: counts, names of stations and deputies,
    and the short codes of overdue cases."""

    key = models.CharField(_("key"), max_length=64, unique=True)
    kind = models.CharField(_("kind"), max_length=20)
    computed_at = models.DateTimeField(_("computed at"))
    data = models.JSONField(_("figures"), encoder=DjangoJSONEncoder)

    class Meta:
        verbose_name = _("figure snapshot")
        verbose_name_plural = _("figure snapshots")
        indexes = [models.Index(fields=["computed_at"])]

    def __str__(self) -> str:
        return f"{self.kind} {self.computed_at:%Y-%m-%d %H:%M}"


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
