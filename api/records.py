"""A deputy's duty record over the API: the same selector as the record page in the admin
(records.selectors.duty_record), for the deputies whose record the caller may read."""

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema
from rest_framework import exceptions, serializers
from rest_framework.response import Response

from api.views import StaffApiView
from dashboard.forms import FIRST_DAY, LAST_DAY, Period, period_days
from issues import clock
from records.selectors import duty_record, record_deputies


class RecordQuerySerializer(serializers.Serializer):
    start = serializers.DateField(required=False, help_text=_("First day of the period (default: 1 January)."))
    end = serializers.DateField(required=False, help_text=_("Last day of the period, inclusive (default: today)."))

    def validate(self, attrs):
        for name in ("start", "end"):
            if name in attrs and not FIRST_DAY <= attrs[name] <= LAST_DAY:
                raise serializers.ValidationError({name: [_("Choose a day between 2000 and 2099.")]})
        if ("start" in attrs) != ("end" in attrs):
            raise serializers.ValidationError({"start": [_("Give both days of a custom period.")]})
        if attrs.get("start") and attrs["end"] < attrs["start"]:
            raise serializers.ValidationError({"end": [_("The end comes before the start.")]})
        return attrs


class _LinkedCount(serializers.Serializer):
    value = serializers.IntegerField()
    definition = serializers.CharField()
    url = serializers.CharField(help_text=_("The admin list of the cases or events counted."))


class _LinkedRate(serializers.Serializer):
    numerator = serializers.IntegerField()
    denominator = serializers.IntegerField()
    rate = serializers.FloatField(allow_null=True, help_text=_("numerator ÷ denominator; null when nothing to divide"))
    definition = serializers.CharField()
    url = serializers.CharField(help_text=_("The admin list behind the numerator."))
    denominator_url = serializers.CharField(help_text=_("The admin list behind the denominator."))


class _Group(serializers.Serializer):
    label = serializers.CharField()
    value = serializers.IntegerField()
    url = serializers.CharField()


class _StateGroup(_Group):
    state = serializers.CharField()


class _CategoryGroup(serializers.Serializer):
    name = serializers.CharField()
    value = serializers.IntegerField()
    url = serializers.CharField()


class _KindGroup(_Group):
    kind = serializers.CharField()
    named = serializers.BooleanField(help_text=_("乡长有约 and 大会问政: always listed, even at 0."))


class _Receptions(serializers.Serializer):
    value = serializers.IntegerField()
    roster = serializers.IntegerField()
    visits = serializers.IntegerField()
    definition = serializers.CharField()
    roster_url = serializers.CharField()
    visits_url = serializers.CharField()


class _Activities(_LinkedCount):
    by_kind = _KindGroup(many=True)


class _Deputy(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    level = serializers.CharField()


class DutyRecordSerializer(serializers.Serializer):
    deputy = _Deputy()
    serving = serializers.BooleanField()
    first_day = serializers.DateField()
    last_day = serializers.DateField()
    computed_at = serializers.DateTimeField()
    empty = serializers.BooleanField(help_text=_("Nothing recorded in the period: no case, day, activity or topic."))
    cases = _LinkedCount()
    by_state = _StateGroup(many=True)
    by_category = _CategoryGroup(many=True)
    reply_rate = _LinkedRate()
    answered_on_time = _LinkedRate()
    satisfaction = _LinkedRate()
    reception_days = _Receptions()
    activities = _Activities()
    topics = _LinkedCount()
    promises_kept = _LinkedRate()


@extend_schema(
    tags=["figures"],
    summary=_("A deputy's duty record for a period"),
    parameters=[RecordQuerySerializer],
    responses=DutyRecordSerializer,
)
class DeputyRecordView(StaffApiView):
    error_statuses = (400, 401, 403, 404)

    def get(self, request, pk: int):
        query = RecordQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        deputy = record_deputies(request.user).filter(pk=pk).first()
        if deputy is None:
            raise exceptions.NotFound()
        q = query.validated_data
        if q.get("start"):
            first_day, last_day = q["start"], q["end"]
        else:
            first_day, last_day = period_days(Period.YEAR, timezone.localdate(clock.now()))
        return Response(DutyRecordSerializer(duty_record(request.user, deputy, first_day, last_day)).data)
