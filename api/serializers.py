"""Request parsing and response shapes of the API. Serializers only parse and present: the rules
(lengths, phone numbers, photos, who may do what) are in issues.validators, issues.photos and
issues.services, so the pages and the API refuse the same things with the same messages."""

from datetime import date

from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from api.filters import MAX_ID
from deputies.models import Deputy
from issues.models import Category, Channel, Department, Issue, IssueEvent, Rating, State
from issues.photos import MAX_PHOTOS
from issues.validators import REASON_MAX, mask_name, mask_phone
from stations.models import Station

# --- errors ---------------------------------------------------------------------------------------


class ErrorDetailSerializer(serializers.Serializer):
    code = serializers.CharField(help_text=_("A machine code, e.g. not_found, invalid, illegal_transition."))
    message = serializers.CharField(help_text=_("A message for people, in the request's language."))
    fields = serializers.DictField(
        child=serializers.ListField(child=serializers.CharField()),
        help_text=_("For invalid input: the messages of each field."),
    )


class ErrorSerializer(serializers.Serializer):
    """The body of every error response."""

    error = ErrorDetailSerializer()


# --- small nested shapes ----------------------------------------------------------------------------


class NamedRefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()


class StationSerializer(serializers.ModelSerializer):
    region = serializers.CharField(source="region.name", read_only=True)
    station_token = serializers.CharField(source="qr_token", read_only=True)

    class Meta:
        model = Station
        fields = ["id", "name", "kind", "region", "address", "phone", "is_active", "station_token"]


class DeputySerializer(serializers.ModelSerializer):
    deputy_token = serializers.CharField(source="qr_token", read_only=True)

    class Meta:
        model = Deputy
        fields = ["id", "name", "level", "occupation", "is_active", "deputy_token"]


class DepartmentSerializer(serializers.ModelSerializer):
    region = serializers.CharField(source="region.name", read_only=True, allow_null=True, default=None)

    class Meta:
        model = Department
        fields = ["id", "name", "region", "platform_code", "is_active"]


class CategorySerializer(serializers.ModelSerializer):
    class Meta:
        model = Category
        fields = ["id", "name", "reply_working_days", "is_active"]


# --- public: submission, tracking, evaluation --------------------------------------------------------


class PublicSubmitSerializer(serializers.Serializer):
    """What a villager sends, addressed by the token of a deputy's or a station's QR code."""

    deputy_token = serializers.CharField(required=False, allow_blank=True, max_length=64)
    station_token = serializers.CharField(required=False, allow_blank=True, max_length=64)
    # Lengths, the phone number and the photos are checked by issue_submit, as for the form.
    content = serializers.CharField(trim_whitespace=False, help_text=_("What happened (5 to 2,000 characters)."))
    category = serializers.IntegerField(required=False, allow_null=True, min_value=1, max_value=MAX_ID)
    name = serializers.CharField(required=False, allow_blank=True)
    phone = serializers.CharField(required=False, allow_blank=True, help_text=_("A mainland mobile number."))
    sms_consent = serializers.BooleanField(
        required=False, default=False, help_text=_("The villager agreed to be told of progress by text message.")
    )
    photos = serializers.ListField(
        child=serializers.FileField(),
        required=False,
        max_length=MAX_PHOTOS,
        help_text=_("Up to 3 photos (JPEG, PNG or WebP, at most 5 MB each); multipart only."),
    )

    def validate(self, attrs):
        deputy_token = attrs.get("deputy_token") or ""
        station_token = attrs.get("station_token") or ""
        if bool(deputy_token) == bool(station_token):
            raise serializers.ValidationError(
                {"deputy_token": [_("Send either the deputy's code or the station's code.")]}
            )
        if deputy_token:
            deputy = Deputy.objects.filter(qr_token=deputy_token).only("pk").first()
            if deputy is None:
                raise serializers.ValidationError({"deputy_token": [_("This code is not valid any more.")]})
            attrs["deputy_id"], attrs["station_id"], attrs["channel"] = deputy.pk, None, Channel.DEPUTY_QR
        else:
            station = Station.objects.filter(qr_token=station_token).only("pk").first()
            if station is None:
                raise serializers.ValidationError({"station_token": [_("This code is not valid any more.")]})
            attrs["deputy_id"], attrs["station_id"], attrs["channel"] = None, station.pk, Channel.STATION_QR
        return attrs


class SubmissionReceiptSerializer(serializers.Serializer):
    tracking_code = serializers.CharField(help_text=_("Keep it: it opens the case's progress page."))
    short_code = serializers.CharField(help_text=_("To read out over the phone; it opens nothing on its own."))
    tracking_url = serializers.URLField()
    state = serializers.ChoiceField(choices=State.choices)
    created_at = serializers.DateTimeField()


class PublicEventSerializer(serializers.Serializer):
    at = serializers.DateTimeField()
    action = serializers.CharField()
    title = serializers.CharField()
    message = serializers.CharField(allow_blank=True)


class PublicIssueSerializer(serializers.Serializer):
    """What the holder of the tracking code sees: no staff names, no internal notes, no phone."""

    tracking_code = serializers.CharField()
    short_code = serializers.CharField()
    state = serializers.ChoiceField(choices=State.choices)
    state_label = serializers.CharField(source="get_state_display")
    station = serializers.CharField(source="station.name")
    deputy = serializers.CharField(source="deputy.name", allow_null=True, default=None)
    category = serializers.CharField(source="category.name", allow_null=True, default=None)
    content = serializers.CharField()
    created_at = serializers.DateTimeField()
    deadline = serializers.DateTimeField(allow_null=True)
    round = serializers.IntegerField()
    reply = serializers.CharField(source="reply_text", allow_blank=True)
    rejection_reason = serializers.CharField(allow_blank=True)
    rating = serializers.CharField(allow_blank=True)
    awaiting_rating = serializers.BooleanField()
    timeline = PublicEventSerializer(many=True)


class EvaluationInputSerializer(serializers.Serializer):
    rating = serializers.ChoiceField(choices=Rating.choices)
    comment = serializers.CharField(
        required=False,
        allow_blank=True,
        help_text=_("Required when unsatisfied: what is still wrong."),
    )


# --- token login ---------------------------------------------------------------------------------------


class TokenRequestSerializer(serializers.Serializer):
    username = serializers.CharField(max_length=150)
    password = serializers.CharField(max_length=128, trim_whitespace=False, style={"input_type": "password"})
    otp_token = serializers.CharField(
        max_length=32,
        required=False,
        allow_blank=True,
        help_text=_("With two-step verification on: the 6-digit code from the authenticator app, or a recovery code."),
    )


class TokenSerializer(serializers.Serializer):
    token = serializers.CharField(help_text=_("Send it as the header “Authorization: Token <token>”."))
    expires_at = serializers.DateTimeField(help_text=_("After this, log in again for a new token."))


# --- staff: cases ---------------------------------------------------------------------------------------


class IssueListSerializer(serializers.ModelSerializer):
    station = NamedRefSerializer()
    deputy = NamedRefSerializer(allow_null=True)
    category = NamedRefSerializer(allow_null=True)
    department = NamedRefSerializer(allow_null=True)
    overdue = serializers.BooleanField(source="is_overdue")
    # Masked for every caller: the API has no recorded reveal, and the villager was told that only
    # those handling the case would see them (the admin's case page reveals them, recorded).
    submitter_phone = serializers.SerializerMethodField(help_text=_("Masked, e.g. 138****5678."))
    merged_into = serializers.PrimaryKeyRelatedField(
        read_only=True,
        help_text=_("The id of the main case this duplicate is merged into (it follows that case), or null."),
    )

    class Meta:
        model = Issue
        fields = [
            "id",
            "short_code",
            "merged_into",
            "state",
            "round",
            "channel",
            "station",
            "deputy",
            "category",
            "department",
            "deadline",
            "overdue",
            "submitter_phone",
            "created_at",
            "updated_at",
        ]

    @extend_schema_field(OpenApiTypes.STR)
    def get_submitter_phone(self, issue) -> str:
        return mask_phone(issue.submitter_phone)


class StaffEventSerializer(serializers.ModelSerializer):
    # Plain strings: the state enum is documented once, on `state`.
    from_state = serializers.CharField()
    to_state = serializers.CharField()
    public_note = serializers.CharField(
        help_text=_("Seen by the villager: what the station told them, or, on an evaluation, their own comment.")
    )

    class Meta:
        model = IssueEvent
        fields = [
            "id",
            "created_at",
            "action",
            "from_state",
            "to_state",
            "round",
            "actor_kind",
            "actor_label",
            "public_note",
            "internal_note",
        ]


class StaffEvaluationSerializer(serializers.Serializer):
    round = serializers.IntegerField()
    rating = serializers.ChoiceField(choices=Rating.choices)
    comment = serializers.CharField(allow_blank=True)
    created_at = serializers.DateTimeField()


class IssueDetailSerializer(IssueListSerializer):
    timeline = StaffEventSerializer(source="events", many=True)
    evaluations = StaffEvaluationSerializer(many=True)
    photos = serializers.IntegerField(source="attachments.count", help_text=_("How many photos came with it."))
    available_actions = serializers.SerializerMethodField()
    rating = serializers.CharField(allow_blank=True, help_text=_("The latest rating, or empty."))
    submitter_name = serializers.SerializerMethodField(help_text=_("Masked, e.g. 张**."))

    class Meta(IssueListSerializer.Meta):
        fields = [
            *IssueListSerializer.Meta.fields,
            "content",
            "submitter_name",
            "reply_text",
            "rejection_reason",
            "rating",
            "last_reply_on_time",
            "accepted_at",
            "first_replied_at",
            "replied_at",
            "finished_at",
            "photos",
            "evaluations",
            "timeline",
            "available_actions",
        ]

    @extend_schema_field(OpenApiTypes.STR)
    def get_submitter_name(self, issue) -> str:
        return mask_name(issue.submitter_name)

    @extend_schema_field(serializers.ListField(child=serializers.CharField()))
    def get_available_actions(self, issue) -> list[str]:
        from issues.permissions import actions_available

        return [str(a) for a in actions_available(self.context["request"].user, issue)]


# --- staff: one body per transition ------------------------------------------------------------------


class AcceptSerializer(serializers.Serializer):
    note = serializers.CharField(required=False, allow_blank=True, max_length=REASON_MAX)


class RejectSerializer(serializers.Serializer):
    reason = serializers.CharField(allow_blank=True, help_text=_("Shown to the villager."))


class ReviewSerializer(serializers.Serializer):
    note = serializers.CharField(required=False, allow_blank=True, max_length=REASON_MAX)


class AssignSerializer(serializers.Serializer):
    """Also after a return (退办): the case is then handed to another department."""

    department_id = serializers.IntegerField(min_value=1, max_value=MAX_ID, help_text=_("The lead department (主办)."))
    co_department_ids = serializers.ListField(
        child=serializers.IntegerField(min_value=1, max_value=MAX_ID),
        required=False,
        max_length=20,
        help_text=_("Co-handling departments (协办); the reply comes from the lead."),
    )
    note = serializers.CharField(required=False, allow_blank=True, max_length=REASON_MAX)


class ReplySerializer(serializers.Serializer):
    text = serializers.CharField(allow_blank=True, help_text=_("The answer, shown to the villager."))


class ReopenSerializer(serializers.Serializer):
    reason = serializers.CharField(allow_blank=True)
    deadline = serializers.DateTimeField(required=False, allow_null=True, help_text=_("Default: the category's."))


# --- stats ------------------------------------------------------------------------------------------------


# Figures are asked of the portal's own years; far dates would meet local mean time offsets
# ("+08:05:43") that RFC 3339 cannot write, and date.max has no next day.
FIRST_DAY, LAST_DAY = date(2000, 1, 1), date(2099, 12, 31)


class StatsQuerySerializer(serializers.Serializer):
    start = serializers.DateField(required=False, help_text=_("First day of the period (cases submitted from it)."))
    end = serializers.DateField(required=False, help_text=_("Last day of the period, inclusive."))
    station = serializers.IntegerField(required=False, min_value=1, max_value=MAX_ID)
    category = serializers.IntegerField(required=False, min_value=1, max_value=MAX_ID)
    channel = serializers.ChoiceField(choices=Channel.choices, required=False)

    def validate(self, attrs):
        for name in ("start", "end"):
            if name in attrs and not FIRST_DAY <= attrs[name] <= LAST_DAY:
                raise serializers.ValidationError({name: [_("Choose a day between 2000 and 2099.")]})
        if attrs.get("start") and attrs.get("end") and attrs["end"] < attrs["start"]:
            raise serializers.ValidationError({"end": [_("The end comes before the start.")]})
        return attrs


class CountFigureSerializer(serializers.Serializer):
    value = serializers.IntegerField()
    definition = serializers.CharField()


class RateFigureSerializer(serializers.Serializer):
    numerator = serializers.IntegerField()
    denominator = serializers.IntegerField()
    rate = serializers.FloatField(allow_null=True, help_text=_("numerator ÷ denominator; null when nothing to divide"))
    definition = serializers.CharField()


class DurationFigureSerializer(serializers.Serializer):
    seconds = serializers.FloatField(allow_null=True)
    sample = serializers.IntegerField(help_text=_("How many cases the median is taken over."))
    definition = serializers.CharField()


class StatsSerializer(serializers.Serializer):
    start = serializers.DateTimeField(allow_null=True)
    end = serializers.DateTimeField(allow_null=True)
    computed_at = serializers.DateTimeField()
    received = CountFigureSerializer()
    reports = CountFigureSerializer()
    rejected = CountFigureSerializer()
    rehandled = CountFigureSerializer()
    overdue_now = CountFigureSerializer()
    reply_rate = RateFigureSerializer()
    on_time_reply_rate = RateFigureSerializer()
    solved_rate = RateFigureSerializer()
    satisfaction_rate = RateFigureSerializer()
    median_seconds_to_first_reply = DurationFigureSerializer()
