"""Photos and other files: attached to a case, or kept for a villager's form between two tries."""

import secrets

from django.db import models
from django.utils.translation import gettext_lazy as _

from issues import clock
from issues.models.cases import Issue


def _attachment_path(instance: "Attachment", filename: str) -> str:
    # Random names: a guessed path must never open a villager's photo.
    return f"issues/{clock.now():%Y/%m}/{secrets.token_urlsafe(16)}.jpg"


class Attachment(models.Model):
    """A photo sent with a case (现场照片), decoded and re-encoded as JPEG without its metadata.

    Served only through a view that checks the staff scope or the case's tracking code."""

    issue = models.ForeignKey(Issue, verbose_name=_("case"), on_delete=models.PROTECT, related_name="attachments")
    image = models.ImageField(_("photo"), upload_to=_attachment_path)
    width = models.PositiveIntegerField(_("width"), editable=False)
    height = models.PositiveIntegerField(_("height"), editable=False)
    size = models.PositiveIntegerField(_("size in bytes"), editable=False)
    created_at = models.DateTimeField(_("time"), default=clock.now, editable=False)

    class Meta:
        verbose_name = _("photo")
        verbose_name_plural = _("photos")
        ordering = ["issue", "id"]

    def __str__(self) -> str:
        return f"{self.issue} #{self.pk}"


class KeptPhoto(models.Model):
    """A photo chosen on a villager's form that was not sent yet (暂存照片): checked and
    re-encoded as an Attachment is, and held against the form's submission key (its idempotency
    key) so that a round with mistakes does not lose it. When the case is created it becomes the
    case's Attachment (the same file); one never sent is deleted once its form has expired.

    Reachable only with the form's signed submission token; never listed anywhere else."""

    submission_key = models.CharField(_("submission key"), max_length=100, db_index=True, editable=False)
    # The same random path as an Attachment's: the file is handed over, never copied.
    image = models.ImageField(_("photo"), upload_to=_attachment_path)
    original_name = models.CharField(_("file name"), max_length=100, blank=True, editable=False)
    original_size = models.PositiveIntegerField(_("size of the chosen file in bytes"), editable=False)
    width = models.PositiveIntegerField(_("width"), editable=False)
    height = models.PositiveIntegerField(_("height"), editable=False)
    size = models.PositiveIntegerField(_("size in bytes"), editable=False)
    created_at = models.DateTimeField(_("time"), default=clock.now, editable=False, db_index=True)

    class Meta:
        verbose_name = _("kept photo")
        verbose_name_plural = _("kept photos")
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.original_name or self.pk}"
