"""The case and what it is filed under: its states and actions (the lifecycle's table), categories,
departments and the case itself."""

import secrets

from django.db import models
from django.db.models import F
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
    # Duplicates handled as one problem (issues.services.merging).
    MERGE = "merge", _("merge into the main case")
    UNMERGE = "unmerge", _("undo the merge")
    # The escalation chain (issues.escalation): written by the system, never by a person.
    REMIND = "remind", _("reminder to the handler (催办)")
    REPORT = "report", _("overdue report to the township (通报)")
    PROPOSE_ESCALATION = "propose_escalation", _("proposed for escalation")


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
    "merged_into",  # a merged case is not a problem of its own (issues.stats.figure_cases)
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
    # The station's region path ("/1/4/9/", stations.Region.path), copied so that a county's or a
    # city's scope is one indexed prefix match (stations.scope.Scope.issue_filter) instead of a
    # list of thousands of station ids. Set by issue_submit; kept right when a station or a region
    # moves (issues.apps follows stations.models.region_path_moved in the same transaction).
    region_path = models.CharField(_("region path"), max_length=255, blank=True, default="", editable=False)
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
    # A duplicate (重复反映) handled as part of another case, the main case: it follows the main
    # case's state and reply, and keeps its own villager, tracking page and rating.
    merged_into = models.ForeignKey(
        "self",
        verbose_name=_("merged into"),
        null=True,
        blank=True,
        editable=False,
        on_delete=models.PROTECT,
        related_name="merged_cases",
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
    # Reopened twice: proposed as the topic of an appointment with the township head until
    # someone takes it up (issues.escalation); the proposal event stays on the timeline.
    escalation_proposed_at = models.DateTimeField(_("proposed for escalation at"), null=True, editable=False)
    # The grams of text_for_matching, as issues.similar.stored_grams writes them (a version, then
    # the grams): a fresh worker reads them instead of working them out for a station's open cases.
    match_grams = models.TextField(_("grams for matching"), blank=True, editable=False)

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
            # The case list's order (issues.admin.cases, with the admin's "-pk" tie-break): a page,
            # late ones too, reads its rows off these instead of sorting every case in scope. An
            # ascending key is NULLS LAST on PostgreSQL without saying so, as the list orders; SQLite
            # refuses NULLS LAST in an index.
            models.Index(F("deadline").asc(), F("created_at").desc(), F("id").desc(), name="issue_list_order"),
            models.Index(
                F("station_id"),
                F("deadline").asc(),
                F("created_at").desc(),
                F("id").desc(),
                name="issue_list_station_order",
            ),
            # A deputy's or a station's queue and its counts (a state or two of one station):
            # without it PostgreSQL read every case of the station to keep its few submitted ones
            # (142 ms for a station of 25,000 cases; 2 ms with it).
            models.Index(fields=["station", "state"], name="issue_station_state"),
            # A state filter over a region (the list's ?state= for township, county or province
            # staff): counted from the index alone (518 ms → 2 ms for a township's 12,000
            # assigned cases at 5 M).
            models.Index(
                fields=["state", "region_path"],
                opclasses=["varchar_pattern_ops", "varchar_pattern_ops"],
                name="issue_state_region",
            ),
            # The few cases proposed for escalation, which every staff queue shows (issues.queue).
            models.Index(
                fields=["station"],
                condition=models.Q(escalation_proposed_at__isnull=False),
                name="issue_escalation_proposed",
            ),
            # Prefix matches (LIKE '/1/4/%') use it on PostgreSQL whatever the collation.
            models.Index(fields=["region_path"], opclasses=["varchar_pattern_ops"], name="issue_region_path_like"),
            # A region's list (township staff, county administrators): a prefix match cannot return
            # rows in the list's order, but with the order's columns here PostgreSQL sorts them from
            # this index alone, without reading every case of the region from the table (page 500
            # of a township: 300 ms to 80 ms at 1,000,000 cases). The opclasses of the other
            # columns are their defaults (fields with opclasses must name one each; SQLite ignores them).
            models.Index(
                fields=["region_path", "deadline", "-created_at", "-id"],
                opclasses=["varchar_pattern_ops", "timestamptz_ops", "timestamptz_ops", "int8_ops"],
                name="issue_list_region_order",
            ),
        ]

    def __str__(self) -> str:
        return self.short_code

    def save(self, *args, **kwargs):
        # issue_submit sets the path itself (its insert skips save()); rows made some other way
        # (fixtures, the shell) take their station's here.
        if not self.region_path and self.station_id is not None:
            from stations.models import Station

            self.region_path = Station.objects.values_list("region__path", flat=True).get(pk=self.station_id)
        super().save(*args, **kwargs)

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
