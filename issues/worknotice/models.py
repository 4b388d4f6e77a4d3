"""Registered with the issues app: issues.models imports this module at its end."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from issues import clock


class AlertMode(models.TextChoices):
    IMMEDIATE = "immediate", _("at once (浙政钉)")
    DIGEST = "digest", _("in the daily digest (浙政钉)")
    INBOX = "inbox", _("in the portal's inbox only")


class AlertPreference(models.Model):
    """How one user wants one kind of alert; without a row, at once."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("user"), on_delete=models.CASCADE, related_name="alert_preferences"
    )
    kind = models.CharField(_("kind"), max_length=20)
    mode = models.CharField(_("how"), max_length=10, choices=AlertMode.choices, default=AlertMode.IMMEDIATE)

    class Meta:
        verbose_name = _("alert preference")
        verbose_name_plural = _("alert preferences")
        constraints = [models.UniqueConstraint(fields=["user", "kind"], name="alertpreference_one_per_kind")]

    def __str__(self) -> str:
        return f"{self.user} {self.kind} {self.mode}"


class WorkAccount(models.Model):
    """A user's account id on 浙政钉 (accountId), where their work notifications go."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, verbose_name=_("user"), on_delete=models.CASCADE, related_name="work_account"
    )
    account_id = models.CharField(_("浙政钉 account id"), max_length=64)

    class Meta:
        verbose_name = _("浙政钉 account")
        verbose_name_plural = _("浙政钉 accounts")

    def __str__(self) -> str:
        return f"{self.user} {self.account_id}"


class WorkNotice(models.Model):
    """The outbox row of one 浙政钉 work notification (one alert, or one user's digest)."""

    class Status(models.TextChoices):
        PENDING = "pending", _("waiting to be sent")
        SENDING = "sending", _("being sent")
        SENT = "sent", _("sent")
        FAILED = "failed", _("failed")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("recipient"), on_delete=models.CASCADE, related_name="work_notices"
    )
    key = models.CharField(_("idempotency key"), max_length=80, unique=True, editable=False)
    is_digest = models.BooleanField(_("digest"), default=False)
    text = models.TextField(_("text"))
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(_("next attempt"), default=clock.now)
    claimed_until = models.DateTimeField(_("claimed until"), null=True, blank=True)
    last_error = models.CharField(_("last note"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("created at"), default=clock.now)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)

    class Meta:
        verbose_name = _("浙政钉 notification")
        verbose_name_plural = _("浙政钉 notifications")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["status", "next_attempt_at"]), models.Index(fields=["user", "created_at"])]

    def __str__(self) -> str:
        return self.key


class WorkNoticeItem(models.Model):
    """Which inbox alert a work notification carries: each alert goes out at most once, at once
    or in a digest."""

    notice = models.ForeignKey(WorkNotice, on_delete=models.CASCADE, related_name="items")
    notification = models.OneToOneField("issues.Notification", on_delete=models.CASCADE, related_name="work_item")

    def __str__(self) -> str:
        return f"{self.notice_id} {self.notification_id}"
