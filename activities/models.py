"""Station activities (联络站活动): themed activities, appointments with the township head,
congress questioning sessions and their preparatory meetings, the items raised there with the
government's promises and the deputies' ratings, and the duty-roster rules.

Status, minutes, promises and ratings are written only by activities.services."""

import secrets

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from issues import clock
from issues.models import Rating


class Kind(models.TextChoices):
    THEMED = "themed", _("themed activity")
    TOWNSHIP_HEAD_APPOINTMENT = "township_head_appointment", _("appointment with the township head")
    CONGRESS_QUESTIONING = "congress_questioning", _("congress questioning session")
    EVENING_TALK = "evening_talk", _("evening talk")
    INSPECTION = "inspection", _("inspection")
    RECEPTION_DAY = "reception_day", _("reception day")


class TopicSource(models.TextChoices):
    DEPUTY = "deputy", _("topic set by deputies")
    GOVERNMENT = "government", _("topic set by the government")
    CONGRESS = "congress", _("topic fixed by the congress")


class Status(models.TextChoices):
    PLANNED = "planned", _("planned")
    HELD = "held", _("held")
    CLOSED = "closed", _("closed")


class MeetingType(models.TextChoices):
    BRIEFING = "briefing", _("briefing on government affairs")
    DEPLOYMENT = "deployment", _("work deployment meeting")
    DEPARTMENT_LIAISON = "department_liaison", _("department liaison meeting")


# status -> the statuses it may move to; only activities.services reads it.
STATUS_TRANSITIONS = {Status.PLANNED: {Status.HELD}, Status.HELD: {Status.CLOSED}, Status.CLOSED: set()}


class Activity(models.Model):
    """An activity of a station (联络站活动): a themed activity (主题活动), an appointment with
    the township head (乡长有约), a congress questioning session (大会问政), an evening talk (夜谈),
    an inspection (视察) or a reception day (接待日).

    A preparatory meeting of a questioning session (三会: 政情通报会, 工作部署会, 部门沟通会) is an
    activity with `meeting_type` set and `preparatory_for` pointing at the session."""

    station = models.ForeignKey(
        "stations.Station", verbose_name=_("station"), on_delete=models.PROTECT, related_name="activities"
    )
    kind = models.CharField(_("kind"), max_length=30, choices=Kind.choices)
    theme = models.CharField(_("theme"), max_length=200)
    topic_source = models.CharField(_("topic source"), max_length=12, choices=TopicSource.choices, blank=True)
    date = models.DateField(_("date"))
    start_time = models.TimeField(_("start time"), null=True, blank=True)
    place = models.CharField(_("place"), max_length=200, blank=True)
    description = models.TextField(_("description"), blank=True)
    is_public = models.BooleanField(
        _("shown on the public station page"),
        default=True,
        help_text=_("Preparatory meetings are usually internal."),
    )
    preparatory_for = models.ForeignKey(
        "self",
        verbose_name=_("preparatory meeting for"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="preparatory_meetings",
    )
    meeting_type = models.CharField(
        _("preparatory meeting type"), max_length=20, choices=MeetingType.choices, blank=True
    )
    deputies = models.ManyToManyField(
        "deputies.Deputy",
        through="Participation",
        verbose_name=_("participating deputies"),
        related_name="activities",
        blank=True,
    )

    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PLANNED, editable=False
    )
    minutes = models.TextField(_("minutes"), blank=True, editable=False)
    attendance = models.PositiveIntegerField(_("attendance"), null=True, blank=True, editable=False)
    held_at = models.DateTimeField(_("recorded as held at"), null=True, blank=True, editable=False)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        editable=False,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created at"), default=clock.now, editable=False)

    class Meta:
        verbose_name = _("activity")
        verbose_name_plural = _("activities")
        ordering = ["-date", "-id"]
        constraints = [
            models.CheckConstraint(condition=models.Q(status__in=Status.values), name="activity_status_valid"),
            models.CheckConstraint(
                condition=models.Q(preparatory_for__isnull=True, meeting_type="")
                | models.Q(preparatory_for__isnull=False) & ~models.Q(meeting_type=""),
                name="activity_preparatory_has_type",
            ),
            models.CheckConstraint(
                condition=~models.Q(status__in=[Status.HELD, Status.CLOSED]) | ~models.Q(minutes=""),
                name="activity_held_has_minutes",
            ),
            models.UniqueConstraint(
                fields=["preparatory_for", "meeting_type"],
                condition=models.Q(preparatory_for__isnull=False),
                name="activity_one_meeting_of_each_type",
            ),
        ]
        indexes = [models.Index(fields=["station", "date"]), models.Index(fields=["status", "date"])]

    def __str__(self) -> str:
        return f"{self.date} {self.get_kind_display()}：{self.theme}"

    @property
    def is_preparatory(self) -> bool:
        return self.preparatory_for_id is not None


class Participation(models.Model):
    """A deputy taking part in an activity (参加活动的代表); `attended` is confirmed when it is
    held. Only deputies who attended rate the activity's items."""

    activity = models.ForeignKey(
        Activity, verbose_name=_("activity"), on_delete=models.CASCADE, related_name="participations"
    )
    deputy = models.ForeignKey(
        "deputies.Deputy", verbose_name=_("deputy"), on_delete=models.PROTECT, related_name="participations"
    )
    attended = models.BooleanField(_("attended"), default=True)

    class Meta:
        verbose_name = _("participating deputy")
        verbose_name_plural = _("participating deputies")
        ordering = ["activity", "deputy__name"]
        constraints = [models.UniqueConstraint(fields=["activity", "deputy"], name="participation_unique")]

    def __str__(self) -> str:
        return f"{self.deputy.name} @ {self.activity_id}"


class Official(models.Model):
    """A government official attending an activity (出席领导): the township head at 乡长有约,
    heads of departments at 大会问政."""

    activity = models.ForeignKey(
        Activity, verbose_name=_("activity"), on_delete=models.CASCADE, related_name="officials"
    )
    name = models.CharField(_("name"), max_length=50)
    post = models.CharField(_("post"), max_length=100)

    class Meta:
        verbose_name = _("attending official")
        verbose_name_plural = _("attending officials")
        ordering = ["activity", "id"]

    def __str__(self) -> str:
        return f"{self.post} {self.name}"


def _photo_path(instance: "ActivityPhoto", filename: str) -> str:
    return f"activities/{clock.now():%Y/%m}/{secrets.token_urlsafe(16)}.jpg"


class ActivityPhoto(models.Model):
    """A photo of an activity (活动照片), re-encoded as JPEG without metadata."""

    activity = models.ForeignKey(Activity, verbose_name=_("activity"), on_delete=models.CASCADE, related_name="photos")
    image = models.ImageField(_("photo"), upload_to=_photo_path)
    caption = models.CharField(_("caption"), max_length=200, blank=True)
    width = models.PositiveIntegerField(_("width"), editable=False)
    height = models.PositiveIntegerField(_("height"), editable=False)
    size = models.PositiveIntegerField(_("size in bytes"), editable=False)
    created_at = models.DateTimeField(_("time"), default=clock.now, editable=False)

    class Meta:
        verbose_name = _("activity photo")
        verbose_name_plural = _("activity photos")
        ordering = ["activity", "id"]

    def __str__(self) -> str:
        return f"{self.activity_id} #{self.pk}"


class EscalatedCase(models.Model):
    """A complex case turned into the topic of an appointment with the township head
    (问题较为复杂，以此为主题开展乡长有约): the link between the case and the activity."""

    activity = models.ForeignKey(
        Activity, verbose_name=_("activity"), on_delete=models.CASCADE, related_name="escalated_cases"
    )
    case = models.ForeignKey(
        "issues.Issue", verbose_name=_("case"), on_delete=models.PROTECT, related_name="escalations"
    )
    note = models.TextField(_("note"), blank=True)
    escalated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("escalated by"), null=True, on_delete=models.SET_NULL, related_name="+"
    )
    escalated_at = models.DateTimeField(_("escalated at"), default=clock.now)

    class Meta:
        verbose_name = _("case escalated to an appointment")
        verbose_name_plural = _("cases escalated to an appointment")
        ordering = ["activity", "escalated_at"]
        constraints = [models.UniqueConstraint(fields=["activity", "case"], name="escalatedcase_unique")]

    def __str__(self) -> str:
        return f"{self.case} → {self.activity_id}"


class ActivityItem(models.Model):
    """An item raised at an activity (问政事项 / 约见事项), handled as a case with channel
    *activity*, and the government's promise about it (承诺): the measure, the responsible
    department and a deadline, and when it was kept (兑现)."""

    activity = models.ForeignKey(Activity, verbose_name=_("activity"), on_delete=models.PROTECT, related_name="items")
    number = models.PositiveSmallIntegerField(_("number"), editable=False)
    case = models.OneToOneField(
        "issues.Issue", verbose_name=_("case"), on_delete=models.PROTECT, related_name="activity_item", editable=False
    )
    title = models.CharField(_("title"), max_length=200)
    raised_by = models.ForeignKey(
        "deputies.Deputy",
        verbose_name=_("raised by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="activity_items",
    )
    measure = models.TextField(_("promised measure"), blank=True, editable=False)
    department = models.ForeignKey(
        "issues.Department",
        verbose_name=_("responsible department"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="activity_items",
        editable=False,
    )
    deadline = models.DateField(_("promised deadline"), null=True, blank=True, editable=False)
    first_deadline = models.DateField(_("first promised deadline"), null=True, blank=True, editable=False)
    promised_at = models.DateTimeField(_("promised at"), null=True, blank=True, editable=False)
    kept_at = models.DateField(_("kept on"), null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("activity item")
        verbose_name_plural = _("activity items")
        ordering = ["activity", "number"]
        constraints = [
            models.UniqueConstraint(fields=["activity", "number"], name="activityitem_unique_number"),
            models.CheckConstraint(
                condition=models.Q(measure="")
                | models.Q(department__isnull=False, deadline__isnull=False, first_deadline__isnull=False),
                name="activityitem_promise_complete",
            ),
            models.CheckConstraint(
                condition=models.Q(kept_at__isnull=True) | ~models.Q(measure=""),
                name="activityitem_kept_needs_promise",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.number}. {self.title}"

    @property
    def has_promise(self) -> bool:
        return bool(self.measure)

    @property
    def kept_on_time(self) -> bool | None:
        if self.kept_at is None:
            return None
        return self.kept_at <= self.deadline


class ItemRating(models.Model):
    """A participating deputy's satisfaction rating of an item's handling (代表满意度测评), one per
    deputy and handling round."""

    item = models.ForeignKey(ActivityItem, verbose_name=_("item"), on_delete=models.CASCADE, related_name="ratings")
    deputy = models.ForeignKey(
        "deputies.Deputy", verbose_name=_("deputy"), on_delete=models.PROTECT, related_name="item_ratings"
    )
    round = models.PositiveSmallIntegerField(_("handling round"))
    rating = models.CharField(_("rating"), max_length=20, choices=Rating.choices)
    comment = models.TextField(_("comment"), blank=True)
    created_at = models.DateTimeField(_("time"), default=clock.now)

    class Meta:
        verbose_name = _("deputy's rating")
        verbose_name_plural = _("deputies' ratings")
        ordering = ["item", "round", "created_at"]
        constraints = [
            models.UniqueConstraint(fields=["item", "deputy", "round"], name="itemrating_one_per_deputy_round"),
            models.CheckConstraint(condition=models.Q(rating__in=Rating.values), name="itemrating_rating_valid"),
        ]

    def __str__(self) -> str:
        return f"{self.item} #{self.round} {self.deputy.name}: {self.get_rating_display()}"


class ReturnVisit(models.Model):
    """A return visit (回访) about an item of the supervision list, after the session."""

    item = models.ForeignKey(
        ActivityItem, verbose_name=_("item"), on_delete=models.CASCADE, related_name="return_visits"
    )
    date = models.DateField(_("date"))
    note = models.TextField(_("note"))
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("recorded by"), null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("recorded at"), default=clock.now)

    class Meta:
        verbose_name = _("return visit")
        verbose_name_plural = _("return visits")
        ordering = ["item", "date", "id"]

    def __str__(self) -> str:
        return f"{self.item} {self.date}"


class DutyRule(models.Model):
    """A duty-roster rule (轮值规则), e.g. "the 15th of every month, the shop's deputies taking
    turns" (每月15日轮值接待): it generates the station's reception days (DutySlot)."""

    station = models.ForeignKey(
        "stations.Station", verbose_name=_("station"), on_delete=models.CASCADE, related_name="duty_rules"
    )
    day_of_month = models.PositiveSmallIntegerField(
        _("day of the month"), help_text=_("In a shorter month the last day is used.")
    )
    valid_from = models.DateField(_("from"))
    valid_until = models.DateField(_("until"))
    move_to_working_day = models.BooleanField(
        _("move to the next working day"),
        default=False,
        help_text=_("When the day is a weekend or an official holiday, receive on the next working day instead."),
    )
    start_time = models.TimeField(_("from (time)"), null=True, blank=True)
    end_time = models.TimeField(_("until (time)"), null=True, blank=True)
    note = models.CharField(_("note"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("created at"), default=clock.now, editable=False)

    class Meta:
        verbose_name = _("duty-roster rule")
        verbose_name_plural = _("duty-roster rules")
        ordering = ["station", "day_of_month"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(day_of_month__gte=1, day_of_month__lte=31), name="dutyrule_day_in_month"
            ),
            models.CheckConstraint(
                condition=models.Q(valid_until__gte=models.F("valid_from")), name="dutyrule_ends_after_start"
            ),
        ]

    def __str__(self) -> str:
        return _("%(station)s: day %(day)d of every month") % {"station": self.station, "day": self.day_of_month}
