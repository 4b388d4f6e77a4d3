from django.contrib import admin

from deputies.models import Deputy, Stationing
from issues.admin import scope_station_ids


class StationingInline(admin.TabularInline):
    model = Stationing
    extra = 0


@admin.register(Deputy)
class DeputyAdmin(admin.ModelAdmin):
    list_display = ["name", "level", "occupation", "is_active"]
    list_filter = ["level", "is_active"]
    search_fields = ["name"]
    inlines = [StationingInline]

    def get_queryset(self, request):
        qs = super().get_queryset(request)
        ids = scope_station_ids(request)
        return qs if ids is None else qs.filter(stationings__station_id__in=ids).distinct()


@admin.register(Stationing)
class StationingAdmin(admin.ModelAdmin):
    list_display = ["deputy", "station", "kind", "start_date", "end_date"]
    list_filter = ["kind"]

    def get_queryset(self, request):
        qs = super().get_queryset(request).select_related("deputy", "station")
        ids = scope_station_ids(request)
        return qs if ids is None else qs.filter(station_id__in=ids)
