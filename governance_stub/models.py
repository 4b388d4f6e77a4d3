"""The stand-in for the provincial grassroots-governance platform (基层治理四平台).

It keeps its own records and talks to Liaison only over HTTP, like the real platform would."""

import uuid

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class RoutingRule(models.Model):
    """Which platform department handles a category of problem (the platform's own routing), for
    a case whose sender names no department."""

    category = models.CharField(_("category"), max_length=50, unique=True)
    department = models.CharField(_("department"), max_length=100)

    class Meta:
        verbose_name = _("routing rule")
        verbose_name_plural = _("routing rules")

    def __str__(self) -> str:
        return f"{self.category} → {self.department}"


class PlatformCase(models.Model):
    """A case as the platform holds it. The idempotency key makes a repeated create the same case."""

    class Status(models.TextChoices):
        HANDLING = "handling", _("being handled")
        ANSWERED = "answered", _("answered")
        RETURNED = "returned", _("returned to the sender")

    idempotency_key = models.CharField(_("idempotency key"), max_length=100, unique=True)
    reference = models.CharField(_("sender's reference"), max_length=100, blank=True)
    title = models.CharField(_("title"), max_length=200)
    content = models.TextField(_("content"))
    category = models.CharField(_("category"), max_length=50, blank=True)
    department = models.CharField(_("department"), max_length=100)
    # 协办: departments that help the lead (主办) one; they post progress, the lead answers.
    co_departments = models.JSONField(_("co-handling departments"), default=list, blank=True)
    # A case reopened on the sender's side comes back as a new case with the next round.
    round = models.PositiveSmallIntegerField(_("round"), default=1)
    callback_url = models.URLField(_("callback URL"), max_length=500)
    # The stub instance that took the case signs its callbacks with its own secret, as one
    # county's platform would (GOVERNANCE_STUB_SIGNING_SECRET); empty: the deliverer's setting.
    signing_secret = models.CharField(_("signing secret"), max_length=200, blank=True, editable=False)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.HANDLING)
    received_at = models.DateTimeField(_("received at"), default=timezone.now)
    assigned_at = models.DateTimeField(_("assigned by the sender at"), null=True, blank=True)
    auto_reply_at = models.DateTimeField(_("automatic reply due"), null=True, blank=True)

    class Meta:
        verbose_name = _("platform case")
        verbose_name_plural = _("platform cases")
        ordering = ["-received_at"]

    def __str__(self) -> str:
        return f"GP-{self.pk} {self.title}"


class PlatformReply(models.Model):
    """What a department says about a case, delivered to the sender by a signed callback until it
    answers 2xx: the answer, a return (退办), an extension request (延期申请) or a progress note
    (过程反馈). `reply_id` is the message's id whatever its kind."""

    class Kind(models.TextChoices):
        REPLY = "reply", _("answer")
        RETURN = "return", _("return to the sender")
        EXTENSION = "extension_request", _("extension request")
        PROGRESS = "progress", _("progress note")

    class Decision(models.TextChoices):
        APPROVED = "approved", _("approved")
        REFUSED = "refused", _("refused")

    case = models.ForeignKey(PlatformCase, verbose_name=_("case"), on_delete=models.CASCADE, related_name="replies")
    reply_id = models.UUIDField(_("reply id"), default=uuid.uuid4, unique=True, editable=False)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.REPLY)
    text = models.TextField(_("reply"))
    handler = models.CharField(_("handled by"), max_length=100, blank=True)
    department = models.CharField(_("department"), max_length=100, blank=True)
    public = models.BooleanField(_("shown to the villager"), default=False)
    deadline = models.DateTimeField(_("deadline asked for"), null=True, blank=True)
    # The sender's answer to an extension request, told by its API call.
    decision = models.CharField(_("decision"), max_length=10, choices=Decision.choices, blank=True)
    decision_note = models.TextField(_("note on the decision"), blank=True)
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    created_at = models.DateTimeField(_("answered at"), default=timezone.now)
    delivered_at = models.DateTimeField(_("delivered at"), null=True, blank=True)
    attempts = models.PositiveIntegerField(_("delivery attempts"), default=0)
    next_attempt_at = models.DateTimeField(_("next attempt"), default=timezone.now)
    last_error = models.CharField(_("last error"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("platform reply")
        verbose_name_plural = _("platform replies")
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["delivered_at", "next_attempt_at"])]

    def __str__(self) -> str:
        return f"{self.case} ← {self.reply_id}"


class FaultSettings(models.Model):
    """Fault injection for tests and demos, changeable while the stub runs (one row).

    Defaults come from GOVERNANCE_STUB_FAILURE_RATE / GOVERNANCE_STUB_AUTO_REPLY_SECONDS."""

    failure_rate = models.FloatField(_("share of requests answered 503"), default=0.0)
    timeout_rate = models.FloatField(_("share of requests that hang"), default=0.0)
    latency_seconds = models.FloatField(_("added latency (seconds)"), default=0.0)
    down = models.BooleanField(_("platform down"), default=False)
    auto_reply_seconds = models.FloatField(_("automatic reply after (seconds, 0 = off)"), null=True, blank=True)

    class Meta:
        verbose_name = _("fault settings")
        verbose_name_plural = _("fault settings")

    def __str__(self) -> str:
        return str(self._meta.verbose_name)
