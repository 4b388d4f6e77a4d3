"""What the governance platform and the portal say to each other besides a case and its reply:
a department's request for more time (延期申请), and the portal's notices back to the platform
(the decision on such a request), sent through an outbox as reliably as the cases themselves.

Imported by issues.models, so these are models of the issues app like any other."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from issues import clock


class ExtensionRequest(models.Model):
    """A department asks for a later deadline, with a reason; station staff approve or refuse.
    One per platform request id (a repeated callback is the same request)."""

    class Status(models.TextChoices):
        PENDING = "pending", _("waiting for a decision")
        APPROVED = "approved", _("approved")
        REFUSED = "refused", _("refused")

    issue = models.ForeignKey(
        "issues.Issue", verbose_name=_("case"), on_delete=models.PROTECT, related_name="extension_requests"
    )
    forwarding = models.ForeignKey(
        "issues.Forwarding", verbose_name=_("forwarding"), on_delete=models.PROTECT, related_name="extension_requests"
    )
    request_id = models.CharField(_("platform request id"), max_length=64, unique=True, editable=False)
    round = models.PositiveSmallIntegerField(_("handling round"), editable=False)
    requested_deadline = models.DateTimeField(_("requested deadline"), editable=False)
    reason = models.TextField(_("reason"), editable=False)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PENDING)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("decided by"), null=True, blank=True, on_delete=models.PROTECT
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decision_note = models.TextField(_("note on the decision"), blank=True)
    created_at = models.DateTimeField(_("requested at"), default=clock.now, editable=False)

    class Meta:
        verbose_name = _("extension request")
        verbose_name_plural = _("extension requests")
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["status", "created_at"])]

    def __str__(self) -> str:
        return f"{self.issue} → {self.requested_deadline:%Y-%m-%d}"


class PlatformNotice(models.Model):
    """The outbox of what we tell the platform about a case it holds (today: the decision on an
    extension request). Sent by a task, retried with backoff, swept like the forwarding outbox;
    the key makes a repeated send the same notice on the platform's side."""

    class Kind(models.TextChoices):
        EXTENSION_DECISION = "extension_decision", _("decision on an extension request")

    class Status(models.TextChoices):
        PENDING = "pending", _("waiting to be sent")
        SENDING = "sending", _("being sent")
        DELIVERED = "delivered", _("delivered")
        FAILED = "failed", _("failed")

    issue = models.ForeignKey("issues.Issue", verbose_name=_("case"), on_delete=models.PROTECT, related_name="+")
    # The platform that holds the case (its forwarding's); null: the global settings'.
    platform = models.ForeignKey(
        "issues.GovernancePlatform", verbose_name=_("platform"), null=True, blank=True, on_delete=models.PROTECT
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    key = models.CharField(_("idempotency key"), max_length=100, unique=True, editable=False)
    path = models.CharField(_("path on the platform"), max_length=200, editable=False)
    payload = models.JSONField(_("payload"), default=dict, editable=False)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(_("next attempt"), default=clock.now)
    claimed_until = models.DateTimeField(_("claimed until"), null=True, blank=True)
    last_error = models.CharField(_("last error"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("created at"), default=clock.now)
    delivered_at = models.DateTimeField(_("delivered at"), null=True, blank=True)

    class Meta:
        verbose_name = _("notice to the platform")
        verbose_name_plural = _("notices to the platform")
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["status", "next_attempt_at"])]

    def __str__(self) -> str:
        return f"{self.issue} {self.get_kind_display()} {self.get_status_display()}"
