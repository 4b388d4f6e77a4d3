"""Reply templates (答复模板): a station's (or, kept by superusers, every station's) ready-made
answers for a category, with placeholders filled from the case when chosen. Imported by
issues.models so that Django finds the model; it imports nothing from there (string references)."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from issues import clock


class ReplyTemplate(models.Model):
    """A reply template (答复模板) staff choose on a case's reply form: its text fills the reply,
    which stays editable. Placeholders in braces, e.g. {village}, {department}, {date}: see
    issues.replytemplates.PLACEHOLDERS. Without a station it serves every station; without a
    category, every category."""

    name = models.CharField(_("name"), max_length=60)
    text = models.TextField(_("text"), max_length=2000)
    station = models.ForeignKey(
        "stations.Station",
        verbose_name=_("station"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="reply_templates",
        help_text=_("Empty: every station (superusers only)."),
    )
    category = models.ForeignKey(
        "issues.Category",
        verbose_name=_("category"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="reply_templates",
        help_text=_("Empty: every category."),
    )
    is_active = models.BooleanField(_("active"), default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("created by"), null=True, blank=True, on_delete=models.SET_NULL
    )
    updated_at = models.DateTimeField(_("updated at"), default=clock.now, editable=False)

    class Meta:
        verbose_name = _("reply template")
        verbose_name_plural = _("reply templates")
        ordering = ["name", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["station", "category", "name"], name="replytemplate_unique_name")
        ]

    def __str__(self) -> str:
        return self.name
