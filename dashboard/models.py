from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.utils.translation import gettext_lazy as _


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
