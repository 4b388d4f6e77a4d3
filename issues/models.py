import secrets

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from issues import clock
from liaison.tokens import new_public_token


class State(models.TextChoices):
    SUBMITTED = "submitted", _("submitted")
    ACCEPTED = "accepted", _("accepted")
    REJECTED = "rejected", _("rejected")
    REVIEWED = "reviewed", _("reviewed")
    ASSIGNED = "assigned", _("assigned")
    REPLIED = "replied", _("replied")
    EVALUATED = "evaluated", _("evaluated")
    CLOSED = "closed", _("closed without evaluation")


class Action(models.TextChoices):
    SUBMIT = "submit", _("submit")
    ACCEPT = "accept", _("accept")
    REJECT = "reject", _("reject")
    REVIEW = "review", _("review")
    ASSIGN = "assign", _("assign")
    REPLY = "reply", _("reply")
    EVALUATE = "evaluate", _("evaluate")
    REOPEN = "reopen", _("reopen")
    CLOSE = "close", _("close")
    # Events that do not move the state.
    EXTEND = "extend", _("extend deadline")
    # The code predates the name being revealed too; stored events keep it.
    REVEAL_PHONE = "reveal_phone", _("reveal name and phone number")
    RETRY_FORWARDING = "retry_forwarding", _("retry forwarding")
    HAND_OVER = "hand_over", _("hand over to another deputy")
    # What the governance platform says besides a reply (issues.exchange).
    RETURN = "return", _("returned by the department")
    PROGRESS = "progress", _("progress note")
    REQUEST_EXTENSION = "request_extension", _("extension requested")
    DECIDE_EXTENSION = "decide_extension", _("extension request decided")
    TRANSCRIBE = "transcribe", _("transcribe the voice note")


class Rating(models.TextChoices):
    SATISFIED = "satisfied", _("satisfied")
    BASICALLY_SATISFIED = "basically_satisfied", _("basically satisfied")
    UNSATISFIED = "unsatisfied", _("unsatisfied")


# The lifecycle on one screen: action -> {from state: to state}. Only issues.services reads it.
# Two rules it cannot hold: an unsatisfied evaluation leaves the case `replied` and reopens it at
# once (new round), and a case reopened without a department goes back to `reviewed`, where the
# station handles it again, instead of `assigned`.
TRANSITIONS: dict[str, dict[str, str]] = {
    Action.ACCEPT: {State.SUBMITTED: State.ACCEPTED},
    Action.REJECT: {State.SUBMITTED: State.REJECTED, State.ACCEPTED: State.REJECTED},
    Action.REVIEW: {State.ACCEPTED: State.REVIEWED},
    Action.ASSIGN: {State.REVIEWED: State.ASSIGNED},
    # From `accepted`: a deputy answers a simple question on the spot.
    Action.REPLY: {State.ACCEPTED: State.REPLIED, State.REVIEWED: State.REPLIED, State.ASSIGNED: State.REPLIED},
    Action.EVALUATE: {State.REPLIED: State.EVALUATED},
    Action.REOPEN: {State.REPLIED: State.ASSIGNED, State.CLOSED: State.ASSIGNED},
    Action.CLOSE: {State.REPLIED: State.CLOSED},
    # 退办: the department sends the case back; the station handles it again.
    Action.RETURN: {State.ASSIGNED: State.REVIEWED},
}
# States in which the station or a department still owes the villager something.
OPEN_STATES = (State.SUBMITTED, State.ACCEPTED, State.REVIEWED, State.ASSIGNED)
FINAL_STATES = (State.REJECTED, State.EVALUATED, State.CLOSED)


class Channel(models.TextChoices):
    DEPUTY_QR = "deputy_qr", _("deputy QR code")
    STATION_QR = "station_qr", _("station QR code")
    DEPUTY_VISIT = "deputy_visit", _("deputy visit on a voter's behalf")
    ACTIVITY = "activity", _("activity")
    PLATFORM_HOT_TOPIC = "platform_hot_topic", _("platform hot topic")
    WALK_IN = "walk_in", _("walk-in")


class Category(models.Model):
    """A kind of problem (问题类别) with its reply time limit in working days."""

    name = models.CharField(_("name"), max_length=50, unique=True)
    reply_working_days = models.PositiveSmallIntegerField(_("reply time limit (working days)"), default=5)
    sort_order = models.PositiveSmallIntegerField(_("order"), default=0)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("category")
        verbose_name_plural = _("categories")
        ordering = ["sort_order", "name"]
        constraints = [
            models.CheckConstraint(condition=models.Q(reply_working_days__gte=1), name="category_days_min_1")
        ]

    def __str__(self) -> str:
        return self.name


class Department(models.Model):
    """A government department (部门) that handles cases handed over through the platform."""

    name = models.CharField(_("name"), max_length=100)
    region = models.ForeignKey(
        "stations.Region", verbose_name=_("region"), null=True, blank=True, on_delete=models.PROTECT
    )
    platform_code = models.CharField(_("code on the governance platform"), max_length=50, blank=True)
    categories = models.ManyToManyField(Category, verbose_name=_("categories handled"), blank=True)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("department")
        verbose_name_plural = _("departments")
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["region", "name"], name="department_unique_name_in_region")]

    def __str__(self) -> str:
        return self.name


_SHORT_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"  # no 0/O, 1/I/L: read aloud over a phone


def new_short_code() -> str:
    """A short code to read out (e.g. "K7QM-3XPA"); it never grants access on its own.

    Eight characters drawn uniformly from one read of the system's random source (each byte
    below 248 = 8 × 31 picks a character; the rest are dropped), not one read per character."""
    chars: list[str] = []
    while len(chars) < 8:
        chars += [_SHORT_ALPHABET[byte % len(_SHORT_ALPHABET)] for byte in secrets.token_bytes(16) if byte < 248]
    return f"{''.join(chars[:4])}-{''.join(chars[4:8])}"


# What the dashboard's figures read of a case, kept in its covering indexes.
_DASHBOARD_COLUMNS = [
    "state",
    "category",
    "deputy",
    "channel",
    "rating",
    "round",
    "deadline",
    "accepted_at",
    "first_replied_at",
    "last_reply_on_time",
]


class Issue(models.Model):
    """A villager's opinion or problem (民情民意 / 意见建议) and where it stands in the lifecycle.

    The state, deadlines and round are written only by issues.services.
    """

    # Unique through Meta.constraints: a plain unique index, without the pattern-ops twin that
    # unique=True adds on PostgreSQL for LIKE queries nobody makes (every index costs each insert).
    tracking_code = models.CharField(_("tracking code"), max_length=32, default=new_public_token, editable=False)
    short_code = models.CharField(_("short code"), max_length=9, default=new_short_code, editable=False)
    channel = models.CharField(_("channel"), max_length=20, choices=Channel.choices)
    # No single-column indexes: the (station, created_at) and (deputy, state) indexes lead with them.
    station = models.ForeignKey(
        "stations.Station", verbose_name=_("station"), on_delete=models.PROTECT, related_name="issues", db_index=False
    )
    deputy = models.ForeignKey(
        "deputies.Deputy",
        verbose_name=_("deputy"),
        db_index=False,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="issues",
    )
    category = models.ForeignKey(
        Category, verbose_name=_("category"), null=True, blank=True, on_delete=models.PROTECT, related_name="issues"
    )
    department = models.ForeignKey(
        Department,
        verbose_name=_("department"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="issues",
    )
    content = models.TextField(_("content"))
    submitter_name = models.CharField(_("submitter's name"), max_length=50, blank=True)
    submitter_phone = models.CharField(_("submitter's phone"), max_length=20, blank=True)
    # The villager left a mobile number and agreed to be texted about this case (issues.sms).
    sms_consent = models.BooleanField(_("agreed to text messages"), default=False, editable=False)
    source_ref = models.CharField(_("external reference"), max_length=64, blank=True, editable=False)
    # What made the submission idempotent: the server-issued token of a form, or an API client's
    # Idempotency-Key, with a fingerprint of what was sent. The same key returns this case, never
    # a second one; the same key with other content is refused (issues.services.issue_submit).
    submission_key = models.CharField(_("submission key"), max_length=100, blank=True, editable=False)
    submission_fingerprint = models.CharField(_("submission fingerprint"), max_length=64, blank=True, editable=False)

    state = models.CharField(_("state"), max_length=12, choices=State.choices, default=State.SUBMITTED, editable=False)
    # The current state's deadline, whose kind depends on the state: see issues.deadlines.
    deadline = models.DateTimeField(_("current deadline"), null=True, blank=True, editable=False)
    round = models.PositiveSmallIntegerField(_("handling round"), default=1, editable=False)
    reply_text = models.TextField(_("reply"), blank=True, editable=False)
    rejection_reason = models.TextField(_("reason for rejection"), blank=True, editable=False)
    rating = models.CharField(_("latest rating"), max_length=20, choices=Rating.choices, blank=True, editable=False)
    last_reply_on_time = models.BooleanField(_("replied on time"), null=True, editable=False)

    created_at = models.DateTimeField(_("submitted at"), default=clock.now, editable=False)  # issue_dash_created_cover
    updated_at = models.DateTimeField(_("updated at"), default=clock.now, editable=False)
    accepted_at = models.DateTimeField(_("accepted at"), null=True, editable=False)
    first_assigned_at = models.DateTimeField(_("first assigned at"), null=True, editable=False)
    first_replied_at = models.DateTimeField(_("first replied at"), null=True, editable=False)
    replied_at = models.DateTimeField(_("replied at"), null=True, editable=False)
    finished_at = models.DateTimeField(_("finished at"), null=True, editable=False)

    class Meta:
        verbose_name = _("case")
        verbose_name_plural = _("cases")
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(condition=models.Q(state__in=State.values), name="issue_state_valid"),
            models.CheckConstraint(condition=models.Q(round__gte=1), name="issue_round_min_1"),
            models.UniqueConstraint(
                fields=["source_ref"], condition=~models.Q(source_ref=""), name="issue_unique_source_ref"
            ),
            models.UniqueConstraint(
                fields=["submission_key"], condition=~models.Q(submission_key=""), name="issue_unique_submission_key"
            ),
            models.UniqueConstraint(fields=["tracking_code"], name="issue_unique_tracking_code"),
            models.UniqueConstraint(fields=["short_code"], name="issue_unique_short_code"),
        ]
        indexes = [
            models.Index(fields=["state", "deadline"]),
            models.Index(fields=["deputy", "state"]),
            # Covering indexes for the dashboard's aggregates (see issues/migrations/0004).
            models.Index(
                fields=["created_at"], include=["station", *_DASHBOARD_COLUMNS], name="issue_dash_created_cover"
            ),
            models.Index(fields=["station", "created_at"], include=_DASHBOARD_COLUMNS, name="issue_dash_station_cover"),
        ]

    def __str__(self) -> str:
        return self.short_code

    @property
    def is_overdue(self) -> bool:
        return self.state in OPEN_STATES and self.deadline is not None and self.deadline < clock.now()

    @property
    def text_for_matching(self) -> str:
        """What dashboards and similar-case matching read: the text, and what the voice note says
        once staff typed it (issues.services.voice_transcribe). One query when not prefetched."""
        try:
            transcript = self.voice_note.transcript
        except models.ObjectDoesNotExist:
            transcript = ""
        return "\n".join(part for part in (self.content, transcript) if part)


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
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("actor"), null=True, blank=True, on_delete=models.PROTECT
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
        indexes = [models.Index(fields=["issue", "created_at"])]
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


# Kept in their own module (this one is long enough); imported here so that Django finds them.
from issues.exchange_models import ExtensionRequest, PlatformNotice  # noqa: E402, F401 - part of this app's models
from issues.models_replies import ReplyTemplate  # noqa: E402, F401
from issues.platform_models import GovernancePlatform  # noqa: E402, F401

# The SMS outbox lives in its own module of this app; importing it here registers its models.
from issues.sms.models import SmsMessage, SmsOptOut  # noqa: E402, F401
from issues.voice_models import KeptVoice, VoiceNote  # noqa: E402, F401 (they refer to Issue by name)
from issues.worknotice.models import AlertPreference, WorkAccount, WorkNotice, WorkNoticeItem  # noqa: E402, F401
