"""The SMS outbox and the villagers' opt-outs. Registered with the issues app: issues.models
imports this module at its end."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from issues import clock


class SmsMessage(models.Model):
    """One text to a villager (短信): written in the transaction of the state change it tells of,
    sent after commit by a task, retried with backoff, never sent twice (`key` is unique and the
    provider is asked before an attempt that may already have reached it)."""

    class Status(models.TextChoices):
        PENDING = "pending", _("waiting to be sent")
        SENDING = "sending", _("being sent")
        SENT = "sent", _("sent")
        FAILED = "failed", _("failed")
        CANCELLED = "cancelled", _("not sent (opted out, or no longer needed)")

    issue = models.ForeignKey(
        "issues.Issue", verbose_name=_("case"), on_delete=models.PROTECT, related_name="sms_messages"
    )
    template = models.CharField(_("template"), max_length=30)
    params = models.JSONField(_("template variables"), default=dict)
    phone = models.CharField(_("phone"), max_length=20)
    key = models.CharField(_("idempotency key"), max_length=80, unique=True, editable=False)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(_("next attempt"), default=clock.now)
    claimed_until = models.DateTimeField(_("claimed until"), null=True, blank=True)
    swept_at = models.DateTimeField(_("last re-enqueued"), null=True, blank=True)
    # Why the message waits (quiet hours, the daily cap) or what went wrong last.
    last_error = models.CharField(_("last note"), max_length=300, blank=True)
    provider_id = models.CharField(_("id at the provider"), max_length=64, blank=True)
    created_at = models.DateTimeField(_("created at"), default=clock.now)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)

    class Meta:
        verbose_name = _("text message")
        verbose_name_plural = _("text messages")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["status", "next_attempt_at"]),
            models.Index(fields=["phone", "sent_at"]),
        ]

    def __str__(self) -> str:
        return f"{self.issue} {self.template} {self.get_status_display()}"


class SmsOptOut(models.Model):
    """A number that asked to receive no more texts (不再接收短信), from a tracking page."""

    phone = models.CharField(_("phone"), max_length=20, unique=True)
    issue = models.ForeignKey(
        "issues.Issue", verbose_name=_("asked on case"), null=True, blank=True, on_delete=models.SET_NULL
    )
    created_at = models.DateTimeField(_("time"), default=clock.now)

    class Meta:
        verbose_name = _("SMS opt-out")
        verbose_name_plural = _("SMS opt-outs")

    def __str__(self) -> str:
        return self.phone
