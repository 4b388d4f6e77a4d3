"""Deputies in the admin: everyone sees the deputies of the stations in their scope, read-only;
superusers edit them, and so does the county, city or province administrator of a region where
they are stationed (who also adds deputies, stationing them at a station of that region). The
page shows the deputy's QR code, poster links and "rotate token"."""

from django.contrib import admin
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from deputies.models import Deputy, Stationing
from stations.admin_qr import QrPageMixin, qr_preview
from stations.admin_scope import ScopedAdmin, administered
from stations.models import Station
from stations.scope import scope_of


class StationingInline(admin.TabularInline):
    model = Stationing
    fields = ["station", "kind", "start_date", "end_date"]
    extra = 0

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("station")

    # Stationings are edited on the station's page, by that station's staff. An administrator
    # adds stationings here at stations of their region, and changes none (one may lie elsewhere).
    def has_add_permission(self, request, obj=None):
        return request.user.is_superuser or (
            bool(scope_of(request.user).admin_region_paths) and super().has_add_permission(request, obj)
        )

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "station":
            kwargs["queryset"] = administered(request, Station.objects.filter(is_active=True), "region__path")
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def has_change_permission(self, request, obj=None):
        return request.user.is_superuser

    def has_delete_permission(self, request, obj=None):
        return request.user.is_superuser


@admin.register(Deputy)
class DeputyAdmin(QrPageMixin, ScopedAdmin):
    qr_kind = "deputy"
    list_display = ["name", "level", "occupation", "is_active"]
    list_filter = ["level", "is_active"]
    search_fields = ["name"]
    inlines = [StationingInline]

    def scope_queryset(self, request, queryset):
        current = scope_of(request.user)
        if current.is_superuser:
            return queryset
        serving = Stationing.objects.filter(current.station_filter("station__")).values("deputy_id")
        own = Q(pk=current.deputy_id) if current.deputy_id is not None else Q(pk__in=[])
        return queryset.filter(Q(pk__in=serving) | own)

    def get_fields(self, request, obj=None):
        fields = ["name", "level", "occupation", "phone", "photo", "is_active"]
        if request.user.is_superuser:
            fields.insert(2, "user")
        return [*fields, "qr_code"] if obj is not None else fields

    def get_readonly_fields(self, request, obj=None):
        return ["qr_code"]

    def has_add_permission(self, request):
        current = scope_of(request.user)
        return super().has_add_permission(request) and (current.is_superuser or bool(current.admin_region_paths))

    def has_change_permission(self, request, obj=None):
        ok = super().has_change_permission(request, obj)
        return ok and (obj is None or request.user.is_superuser or self._runs(request, obj))

    def _runs(self, request, obj) -> bool:
        """Whether an administrator runs a region where the deputy is (or was) stationed."""
        current = scope_of(request.user)
        stationed = Stationing.objects.filter(deputy=obj)
        return bool(current.admin_region_paths) and administered(request, stationed, "station__region__path").exists()

    def can_rotate(self, request, obj) -> bool:
        current = scope_of(request.user)
        if current.is_superuser or self._runs(request, obj):
            return True
        serving = Stationing.objects.current().filter(deputy=obj, station_id__in=current.staff_station_ids)
        return serving.exists()

    @admin.display(description=_("QR code"))
    def qr_code(self, obj):
        return qr_preview("deputy", obj)
