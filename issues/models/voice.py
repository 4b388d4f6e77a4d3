"""The villager's voice note (语音留言) and the one kept for a form not sent yet. Defined here to
keep issues.models short; issues.models imports them, so they are part of the issues app."""

import secrets

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from issues import clock


def _voice_path(instance, filename: str) -> str:
    # Random names, as for photos: a guessed path must never open a villager's recording. The
    # extension is the container's, found by issues.voice (never the name the villager sent).
    extension = filename.rsplit(".", 1)[-1] if "." in filename else "bin"
    return f"voice/{clock.now():%Y/%m}/{secrets.token_urlsafe(16)}.{extension}"


class VoiceNote(models.Model):
    """A recording sent with a case, checked by issues.voice.clean_voice and stored as sent.
    Served only through a view that checks the staff scope or the case's tracking code. Staff
    may type what it says (`transcript`): that text is what matching reads (Issue.text_for_matching)."""

    issue = models.OneToOneField(
        "issues.Issue", verbose_name=_("case"), on_delete=models.PROTECT, related_name="voice_note"
    )
    audio = models.FileField(_("recording"), upload_to=_voice_path)
    content_type = models.CharField(_("content type"), max_length=20, editable=False)
    duration = models.FloatField(_("duration in seconds"), editable=False)
    size = models.PositiveIntegerField(_("size in bytes"), editable=False)
    transcript = models.TextField(_("transcript"), blank=True, editable=False)
    transcribed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("transcribed by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        editable=False,
    )
    transcribed_at = models.DateTimeField(_("transcribed at"), null=True, blank=True, editable=False)
    created_at = models.DateTimeField(_("time"), default=clock.now, editable=False)

    class Meta:
        verbose_name = _("voice note")
        verbose_name_plural = _("voice notes")

    def __str__(self) -> str:
        return f"{self.issue_id} ({self.duration:.0f} s)"


class KeptVoice(models.Model):
    """A voice note chosen or recorded on a villager's form that was not sent yet, held against
    the form's submission key like issues.models.KeptPhoto; it becomes the case's VoiceNote (the
    same file) when the case is created, and is deleted once its form has expired."""

    submission_key = models.CharField(_("submission key"), max_length=100, db_index=True, editable=False)
    audio = models.FileField(_("recording"), upload_to=_voice_path)
    content_type = models.CharField(_("content type"), max_length=20, editable=False)
    duration = models.FloatField(_("duration in seconds"), editable=False)
    size = models.PositiveIntegerField(_("size in bytes"), editable=False)
    created_at = models.DateTimeField(_("time"), default=clock.now, editable=False, db_index=True)

    class Meta:
        verbose_name = _("kept voice note")
        verbose_name_plural = _("kept voice notes")
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.pk} ({self.duration:.0f} s)"
