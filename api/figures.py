"""The API's figures: the dashboard's numbers for the cases the caller may see."""

from datetime import datetime, time, timedelta

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.response import Response

from api import serializers as s
from api.filters import MAX_ID
from api.views import StaffApiView


def _day_start(day) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


class StatsQuerySerializer(s.StatsQuerySerializer):
    region = serializers.IntegerField(
        required=False, min_value=1, max_value=MAX_ID, help_text=_("A region: its stations and those under it.")
    )


class _ContactsFigureSerializer(s.CountFigureSerializer):
    cases = serializers.IntegerField()
    receptions = serializers.IntegerField()


class _BucketSerializer(serializers.Serializer):
    key = serializers.CharField(help_text=_("le_1d: within a day, …, gt_10d: more than ten days"))
    value = serializers.IntegerField()


class _DistributionSerializer(serializers.Serializer):
    buckets = _BucketSerializer(many=True)
    definition = serializers.CharField()


class StatsSerializer(s.StatsSerializer):
    """The dashboard's figures (issues.stats.issue_stats with extra_figures)."""

    reply_time_distribution = _DistributionSerializer()
    voter_contacts = _ContactsFigureSerializer()
    median_seconds_to_department = s.DurationFigureSerializer()
    median_seconds_transmission = s.DurationFigureSerializer()
    deputies_active = s.RateFigureSerializer()


@extend_schema(
    tags=["figures"],
    summary=_("The figures of the cases you may see"),
    parameters=[StatsQuerySerializer],
    responses=StatsSerializer,
)
class StatsView(StaffApiView):
    error_statuses = (400, 401, 403)

    def get(self, request):
        query = StatsQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        q = query.validated_data
        kwargs = {
            "start": _day_start(q["start"]) if q.get("start") else None,
            "end": _day_start(q["end"] + timedelta(days=1)) if q.get("end") else None,
            "station_id": q.get("station"),
            "category_id": q.get("category"),
            "channel": q.get("channel"),
            "region_id": q.get("region"),
        }
        # The dashboard's snapshots: the same figures, recomputed at most every few minutes; one up
        # to an hour old is answered at once while a task computes a newer one (`computed_at`).
        from dashboard.page import served_stats

        return Response(StatsSerializer(served_stats(request.user, kwargs)).data)
