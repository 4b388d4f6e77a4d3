"""Stations, their duty roster and the regions in the admin. Everyone sees the stations of their
scope; only superusers and the station's own staff change a station, its roster and stationings;
township staff and deputies read. County, city and province administrators add, move, close and
edit the stations and the regions below their own, inside their region only."""

from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from deputies.forms import StationingForm, stationable_deputies
from deputies.models import Deputy, Stationing
from stations.admin_qr import QrPageMixin, qr_preview
from stations.admin_scope import ScopedAdmin, administered, administers, editable_station_ids
from stations.admin_staff import StaffMembershipAdmin  # noqa: F401 (registers it)
from stations.models import CalendarDay, DutySlot, Region, Station
from stations.scope import scope_of


def rosterable_deputies(request):
    """Deputies a user may put on the roster: those stationed at the stations they edit."""
    deputies = Deputy.objects.filter(is_active=True)
    ids = editable_station_ids(request)
    return deputies if ids is None else deputies.filter(stationings__station_id__in=ids).distinct()


class StationChildInline(admin.TabularInline):
    """Rows of a station that only its own staff (and superusers) may change."""

    extra = 0

    def _may_edit(self, request, obj) -> bool:
        ids = editable_station_ids(request)
        return ids is None or (obj is not None and obj.pk in ids)

    def has_add_permission(self, request, obj=None):
        return super().has_add_permission(request, obj) and self._may_edit(request, obj)

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and self._may_edit(request, obj)

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and self._may_edit(request, obj)


class StationingInline(StationChildInline):
    """Who serves here. The rules that keep a station from taking over another's deputy are
    deputies.forms' (choices limited to deputies serving at stations the user edits, no
    back-dating); a superuser may do both."""

    model = Stationing
    form = StationingForm
    fields = ["deputy", "kind", "start_date", "end_date"]
    verbose_name = _("deputy stationed here")
    verbose_name_plural = _("deputies stationed here")

    def get_formset(self, request, obj=None, **kwargs):
        kwargs["form"] = type("StationingForm", (StationingForm,), {"may_backdate": request.user.is_superuser})
        return super().get_formset(request, obj, **kwargs)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "deputy":
            kwargs["queryset"] = stationable_deputies(editable_station_ids(request))
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


class DutySlotInline(StationChildInline):
    model = DutySlot
    fields = ["date", "start_time", "end_time", "deputy", "note"]

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("deputy")

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "deputy":
            kwargs["queryset"] = rosterable_deputies(request)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


@admin.register(Station)
class StationAdmin(QrPageMixin, ScopedAdmin):
    qr_kind = "station"
    station_lookup = "pk"
    list_display = ["name", "kind", "region", "address", "is_active"]
    list_filter = ["kind", "is_active"]
    list_select_related = ["region"]
    search_fields = ["name", "address"]
    inlines = [StationingInline, DutySlotInline]

    def get_fields(self, request, obj=None):
        fields = ["name", "kind", "region", "address", "phone", "description", "is_active"]
        return [*fields, "qr_code"] if obj is not None else fields

    def get_readonly_fields(self, request, obj=None):
        # Staff keep their station's details up to date but do not move or close it; the
        # administrator of its region does.
        runs = scope_of(request.user).admin_region_paths and (obj is None or administers(request, obj.region.path))
        fixed = [] if request.user.is_superuser or runs else ["kind", "region", "is_active"]
        return [*fixed, "qr_code"]

    def has_add_permission(self, request):
        current = scope_of(request.user)
        return super().has_add_permission(request) and (current.is_superuser or bool(current.admin_region_paths))

    def has_change_permission(self, request, obj=None):
        ok = super().has_change_permission(request, obj)
        return ok and (obj is None or self._may_edit(request, obj))

    def has_delete_permission(self, request, obj=None):
        return request.user.is_superuser

    def can_rotate(self, request, obj) -> bool:
        return self._may_edit(request, obj)

    def _may_edit(self, request, obj) -> bool:
        return self.can_edit_station(request, obj.pk) or administers(request, obj.region.path)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "region":  # an administrator places stations inside their region only
            kwargs["queryset"] = administered(request, Region.objects.all(), "path")
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    @admin.display(description=_("QR code"))
    def qr_code(self, obj):
        return qr_preview("station", obj)


@admin.register(DutySlot)
class DutySlotAdmin(ScopedAdmin):
    station_lookup = "station_id"
    list_display = ["date", "start_time", "end_time", "station", "deputy", "note"]
    list_filter = [("station", admin.RelatedOnlyFieldListFilter)]
    list_select_related = ["station", "deputy"]
    date_hierarchy = "date"

    def has_add_permission(self, request):
        return super().has_add_permission(request) and editable_station_ids(request) != frozenset()

    def has_change_permission(self, request, obj=None):
        ok = super().has_change_permission(request, obj)
        return ok and (obj is None or self.can_edit_station(request, obj.station_id))

    def has_delete_permission(self, request, obj=None):
        ok = super().has_delete_permission(request, obj)
        return ok and (obj is None or self.can_edit_station(request, obj.station_id))

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        ids = editable_station_ids(request)
        if db_field.name == "station":
            stations = Station.objects.filter(is_active=True)
            kwargs["queryset"] = stations if ids is None else stations.filter(pk__in=ids)
        elif db_field.name == "deputy":
            kwargs["queryset"] = rosterable_deputies(request)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


@admin.register(Region)
class RegionAdmin(ScopedAdmin):
    list_display = ["name", "level", "code", "parent"]
    list_filter = ["level"]
    list_select_related = ["parent"]
    search_fields = ["name", "code"]

    def scope_queryset(self, request, queryset):
        current = scope_of(request.user)
        return queryset if current.is_superuser else queryset.filter(current.region_filter("path"))

    def has_add_permission(self, request):
        current = scope_of(request.user)
        return super().has_add_permission(request) and (current.is_superuser or bool(current.admin_region_paths))

    def has_change_permission(self, request, obj=None):
        # An administrator edits the regions below their own, never their own region (nor above).
        ok = super().has_change_permission(request, obj)
        current = scope_of(request.user)
        if obj is None or current.is_superuser:
            return ok
        return ok and administers(request, obj.path) and obj.path not in current.admin_region_paths

    def has_delete_permission(self, request, obj=None):
        return request.user.is_superuser and super().has_delete_permission(request, obj)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "parent":
            kwargs["queryset"] = administered(request, Region.objects.all(), "path")
            kwargs["required"] = not request.user.is_superuser  # only superusers add a top level
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def save_model(self, request, obj, form, change):
        if not request.user.is_superuser and not administers(request, obj.parent.path if obj.parent_id else None):
            raise PermissionDenied
        super().save_model(request, obj, form, change)


@admin.register(CalendarDay)
class CalendarDayAdmin(admin.ModelAdmin):
    """The State Council's holiday schedule, entered when it is published. Network-wide, so it
    follows the model permissions (superusers, or whom they grant them) rather than a station
    scope. Deadlines pick up a change at once here and within a minute in other processes."""

    list_display = ["date", "weekday", "kind", "name", "note"]
    list_filter = ["kind", "name"]
    search_fields = ["name", "note"]
    date_hierarchy = "date"
    fields = ["date", "kind", "name", "note"]

    def has_module_permission(self, request):
        # Django opens a model to anyone with a permission on any model of its app; the schedule
        # is only for those given a permission on it.
        return self.has_view_or_change_permission(request) or self.has_add_permission(request)

    @admin.display(description=_("weekday"))
    def weekday(self, obj):
        return date_format(obj.date, "l")
