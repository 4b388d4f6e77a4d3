"""What leaves the portal about a case: the outbox to the governance platform, the platform's
callbacks as received, and the staff's in-portal notifications."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from issues import clock
from issues.models.cases import Department, Issue


class Forwarding(models.Model):
    """The outbox row of a case handed to a department through the governance platform
    (转交部门办理): written in the same transaction as the assignment, delivered by a task, and
    swept up again if a message or a worker is lost. One per case and round."""

    class Status(models.TextChoices):
        PENDING = "pending", _("waiting to be sent")
        SENDING = "sending", _("being sent")
        DELIVERED = "delivered", _("delivered")
        FAILED = "failed", _("failed")

    issue = models.ForeignKey(Issue, verbose_name=_("case"), on_delete=models.PROTECT, related_name="forwardings")
    round = models.PositiveSmallIntegerField(_("handling round"))
    # The n-th hand-over within the round: a case returned (退办) and assigned again goes out anew.
    # db_default (here and on return_reason): rows written by SQL of their own (fill_bench_data).
    sequence = models.PositiveSmallIntegerField(_("hand-over in the round"), default=1, db_default=1)
    # 主办 (lead, who replies) and 协办 (co-handling) departments; null on rows older than both.
    department = models.ForeignKey(
        Department, verbose_name=_("lead department"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    co_departments = models.ManyToManyField(
        Department, verbose_name=_("co-handling departments"), blank=True, related_name="co_forwardings"
    )
    # The county's platform the row goes to (issues.platform_routing); null: the global settings'.
    platform = models.ForeignKey(
        "issues.GovernancePlatform", verbose_name=_("platform"), null=True, blank=True, on_delete=models.PROTECT
    )
    returned_at = models.DateTimeField(_("returned at"), null=True, blank=True)
    return_reason = models.TextField(_("reason for the return"), blank=True, db_default="")
    key = models.CharField(_("idempotency key"), max_length=64, unique=True, editable=False)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(_("next attempt"), default=clock.now)
    claimed_until = models.DateTimeField(_("claimed until"), null=True, blank=True)
    # When the sweeper last enqueued the row again: at most once per grace period, so that a
    # long queue is not flooded with copies of the rows still waiting in it.
    swept_at = models.DateTimeField(_("last re-enqueued"), null=True, blank=True)
    last_error = models.CharField(_("last error"), max_length=300, blank=True)
    platform_case_id = models.CharField(_("case id on the platform"), max_length=64, blank=True)
    created_at = models.DateTimeField(_("created at"), default=clock.now)
    delivered_at = models.DateTimeField(_("delivered at"), null=True, blank=True)

    class Meta:
        verbose_name = _("forwarding")
        verbose_name_plural = _("forwardings")
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["status", "next_attempt_at"])]
        constraints = [
            models.UniqueConstraint(fields=["issue", "round", "sequence"], name="forwarding_one_per_handover")
        ]

    def __str__(self) -> str:
        return f"{self.issue} #{self.round} {self.get_status_display()}"


class PlatformCallback(models.Model):
    """A signed callback from the platform, kept so that a replayed request is recognised."""

    signature = models.CharField(_("signature"), max_length=128, unique=True)
    reply_id = models.CharField(_("platform reply id"), max_length=64, db_index=True)
    received_at = models.DateTimeField(_("received at"), default=clock.now)
    outcome = models.CharField(_("outcome"), max_length=40)

    class Meta:
        verbose_name = _("platform callback")
        verbose_name_plural = _("platform callbacks")

    def __str__(self) -> str:
        return f"{self.reply_id} {self.outcome}"


class Notification(models.Model):
    """A message in a deputy's or staff member's in-portal inbox (站内提醒); also handed to
    the configured senders (浙政钉, SMS). A reminder is never sent twice: `dedupe_key` is unique."""

    class Kind(models.TextChoices):
        DUE_SOON = "due_soon", _("deadline approaching")
        OVERDUE = "overdue", _("overdue")
        FORWARDING_FAILED = "forwarding_failed", _("forwarding failed")
        STALE_REPLY = "stale_reply", _("late platform reply refused")
        LOOKUP_GUESSING = "lookup_guessing", _("repeated wrong lookups")
        CASE_RETURNED = "case_returned", _("case returned by a department")
        EXTENSION_ASKED = "extension_asked", _("extension requested by a department")
        NEW_CASE = "new_case", _("new case")
        UNSATISFIED = "unsatisfied", _("villager unsatisfied")
        SMS_FAILED = "sms_failed", _("text message failed")
        REMIND = "escalation_remind", _("reminder of an overdue case (催办)")
        REPORT = "escalation_report", _("overdue case reported (通报)")
        PROPOSAL = "escalation_proposal", _("case proposed for escalation")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("recipient"), on_delete=models.CASCADE, related_name="notifications"
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    issue = models.ForeignKey(
        Issue, verbose_name=_("case"), null=True, blank=True, on_delete=models.CASCADE, related_name="notifications"
    )
    message = models.CharField(_("message"), max_length=300)
    dedupe_key = models.CharField(_("deduplication key"), max_length=120, unique=True, editable=False)
    created_at = models.DateTimeField(_("time"), default=clock.now)
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["user", "read_at"])]

    def __str__(self) -> str:
        return self.message
