from django.contrib import admin

from issues.admin import scope_station_ids
from stations.models import DutySlot, Region, StaffMembership, Station


@admin.register(Region)
class RegionAdmin(admin.ModelAdmin):
    list_display = ["name", "level", "code", "parent"]
    list_filter = ["level"]
    search_fields = ["name", "code"]


@admin.register(Station)
class StationAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "region", "address", "is_active"]
    list_filter = ["kind", "is_active"]
    search_fields = ["name", "address"]

    def get_queryset(self, request):
        qs = super().get_queryset(request).select_related("region")
        ids = scope_station_ids(request)
        return qs if ids is None else qs.filter(pk__in=ids)


@admin.register(DutySlot)
class DutySlotAdmin(admin.ModelAdmin):
    list_display = ["date", "station", "deputy", "start_time", "end_time"]
    list_filter = ["station"]
    date_hierarchy = "date"

    def get_queryset(self, request):
        qs = super().get_queryset(request).select_related("station", "deputy")
        ids = scope_station_ids(request)
        return qs if ids is None else qs.filter(station_id__in=ids)


@admin.register(StaffMembership)
class StaffMembershipAdmin(admin.ModelAdmin):
    list_display = ["user", "role", "station", "region"]
    list_filter = ["role"]
