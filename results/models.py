from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from issues import clock


class Publication(models.Model):
    """An answered case shown on its station's results wall (办理结果公示): the problem and the
    answer as staff reviewed them after de-identification. A case is never published unless staff
    chose to; withdrawn (by staff, or at the villager's request) it leaves the wall at once."""

    issue = models.OneToOneField(
        "issues.Issue", verbose_name=_("case"), on_delete=models.PROTECT, related_name="publication"
    )
    station = models.ForeignKey(
        "stations.Station", verbose_name=_("station"), on_delete=models.PROTECT, related_name="publications"
    )
    problem = models.TextField(_("problem, as published"))
    answer = models.TextField(_("answer, as published"))
    # How many names, numbers… the de-identifier took out, by kind: never the personal data itself.
    removed_counts = models.JSONField(_("personal data removed"), default=dict, blank=True)
    days_taken = models.PositiveIntegerField(_("days to the answer"))
    published_at = models.DateTimeField(_("published at"), default=clock.now)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("published by"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    withdrawn_at = models.DateTimeField(_("withdrawn at"), null=True, blank=True)
    withdrawn_by_villager = models.BooleanField(_("withdrawn at the villager's request"), default=False)

    class Meta:
        verbose_name = _("published result")
        verbose_name_plural = _("published results")
        ordering = ["-published_at"]
        indexes = [models.Index(fields=["station", "withdrawn_at", "published_at"])]

    def __str__(self) -> str:
        return f"{self.station} · {self.issue.short_code}"

    @property
    def is_live(self) -> bool:
        return self.withdrawn_at is None
