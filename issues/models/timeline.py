"""What happened to a case: the append-only, hash-chained timeline and the villager's ratings."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from issues import clock
from issues.models.cases import Action, Issue, Rating, State


class IssueEventQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise TypeError("The timeline is append-only.")

    def delete(self):
        raise TypeError("The timeline is append-only.")


class IssueEvent(models.Model):
    """One entry of a case's timeline: who did what, from which state to which, and when.

    Append-only: rows are created by issues.services and never changed or deleted; PostgreSQL
    refuses UPDATE and DELETE on the table. Each event is sealed into its case's hash chain
    (issues.timeline), which `manage.py verify_timeline` checks.
    """

    class ActorKind(models.TextChoices):
        USER = "user", _("user")
        VILLAGER = "villager", _("villager")
        SYSTEM = "system", _("system")
        PLATFORM = "platform", _("governance platform")

    issue = models.ForeignKey(  # indexed by (issue, created_at)
        Issue, verbose_name=_("case"), on_delete=models.PROTECT, related_name="events", db_index=False
    )
    action = models.CharField(_("action"), max_length=20, choices=Action.choices)
    from_state = models.CharField(_("from"), max_length=12, choices=State.choices, blank=True)
    to_state = models.CharField(_("to"), max_length=12, choices=State.choices)
    round = models.PositiveSmallIntegerField(_("handling round"))
    actor_kind = models.CharField(_("actor kind"), max_length=10, choices=ActorKind.choices)
    # PROTECT: the actor's id is sealed into the event, which nothing may rewrite to NULL.
    actor = models.ForeignKey(  # indexed by (actor, created_at)
        settings.AUTH_USER_MODEL,
        verbose_name=_("actor"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        db_index=False,
    )
    actor_label = models.CharField(_("actor"), max_length=100, blank=True)
    # Written to the villager, or, on an evaluation, by the villager: either way public.
    public_note = models.TextField(_("public note"), blank=True)
    internal_note = models.TextField(_("internal note"), blank=True)
    data = models.JSONField(_("details"), default=dict, blank=True)
    # An outside system's id for what caused this event (the platform's reply id), so that a
    # repeated delivery is recognised and applied once.
    external_ref = models.CharField(_("external reference"), max_length=64, blank=True)
    created_at = models.DateTimeField(_("time"), default=clock.now, db_index=True)
    # SHA-256 (hex) of the case's previous event ("" for the first), and of this event's content
    # with that link: see issues.timeline.
    prev_hash = models.CharField(_("hash of the previous event"), max_length=64, blank=True, editable=False)
    hash = models.CharField(_("hash"), max_length=64, editable=False)

    objects = IssueEventQuerySet.as_manager()

    class Meta:
        verbose_name = _("timeline event")
        verbose_name_plural = _("timeline events")
        ordering = ["created_at", "id"]
        indexes = [
            models.Index(fields=["issue", "created_at"]),
            # "Did this deputy act in the period?" (issues.stats._deputies_active): one probe per
            # deputy. On the actor alone, PostgreSQL walked 3,300 older events per deputy before
            # one of this year: 8.4 s for a province's 1,000 deputies at 20 M events.
            models.Index(fields=["actor", "created_at"], name="issueevent_actor_time"),
            # The few extensions among millions of events (dashboard.selectors.extended_cases):
            # without it, a scan of every event (1.3 s at 20 M events, for none found).
            models.Index(
                fields=["issue", "created_at"], condition=models.Q(action="extend"), name="issueevent_extensions"
            ),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["issue", "external_ref"], condition=~models.Q(external_ref=""), name="issueevent_unique_ref"
            ),
            # Two events can never follow the same one: a writer that skipped the case's row lock
            # fails here instead of forking the chain. First events (no link) are left out, so
            # the submission's insert does not touch this index.
            models.UniqueConstraint(
                fields=["issue", "prev_hash"], condition=~models.Q(prev_hash=""), name="issueevent_one_successor"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.issue} {self.action} {self.from_state}→{self.to_state}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise TypeError("The timeline is append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise TypeError("The timeline is append-only.")


class Evaluation(models.Model):
    """The villager's rating of a reply (满意度测评), one per handling round."""

    issue = models.ForeignKey(Issue, verbose_name=_("case"), on_delete=models.PROTECT, related_name="evaluations")
    round = models.PositiveSmallIntegerField(_("handling round"))
    rating = models.CharField(_("rating"), max_length=20, choices=Rating.choices)
    comment = models.TextField(_("comment"), blank=True)
    created_at = models.DateTimeField(_("time"), default=clock.now)

    class Meta:
        verbose_name = _("evaluation")
        verbose_name_plural = _("evaluations")
        ordering = ["issue", "round"]
        constraints = [models.UniqueConstraint(fields=["issue", "round"], name="evaluation_one_per_round")]

    def __str__(self) -> str:
        return f"{self.issue} #{self.round} {self.get_rating_display()}"
