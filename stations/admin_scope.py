"""What every admin page of Liaison shares: rows limited to the user's scope, and an object
outside it answered with a 404 that looks exactly like one that never existed.

The scope itself comes from stations.scope.scope_of (the one scoping function); the
ModelAdmins only say which column of their model holds the station."""

from django.contrib import admin
from django.db.models import Q
from django.http import Http404
from django.utils.translation import gettext as _

from stations.scope import Scope, scope_of


def scope(request) -> Scope:
    return scope_of(request.user)


def editable_station_ids(request) -> frozenset[int] | None:
    """Stations the user may edit (their duty roster, their stationings); None means all."""
    current = scope(request)
    return None if current.is_superuser else current.staff_station_ids


class ScopedAdmin(admin.ModelAdmin):
    """A ModelAdmin whose rows are limited to the user's stations.

    Subclasses set `station_lookup` (the path from the model to the station id, e.g. "pk" for
    Station, "station_id" for DutySlot) or override `scope_queryset`; the rows are those of
    Scope.station_filter (stations named one by one, and every station of the regions watched
    or run). The change, history and
    delete pages of a row outside the scope raise 404 instead of Django's redirect with
    "doesn't exist", so that no page confirms that the row exists."""

    station_lookup: str | None = None

    def scope_queryset(self, request, queryset):
        current = scope(request)
        if current.is_superuser:
            return queryset
        if self.station_lookup is None:
            return queryset.none()
        prefix = "" if self.station_lookup == "pk" else self.station_lookup.removesuffix("_id") + "__"
        return queryset.filter(current.station_filter(prefix))

    def get_queryset(self, request):
        return self.scope_queryset(request, super().get_queryset(request))

    def _get_obj_does_not_exist_redirect(self, request, opts, object_id):
        raise Http404(_("Not found."))

    def can_edit_station(self, request, station_id) -> bool:
        ids = editable_station_ids(request)
        return ids is None or station_id in ids


def administers(request, path: str | None) -> bool:
    """Whether the user runs the region at `path` (superusers run every region)."""
    current = scope(request)
    return current.is_superuser or current.administers(path)


def administered(request, queryset, lookup: str):
    """`queryset` limited to rows whose region path (at `lookup`) lies in a region the user runs."""
    current = scope(request)
    return queryset if current.is_superuser else queryset.filter(current_admin_filter(current, lookup))


def current_admin_filter(current: Scope, lookup: str) -> Q:
    q = Q(pk__in=[])
    for path in current.admin_region_paths:
        q |= Q(**{f"{lookup}__startswith": path})
    return q


class SuperuserOnlyAdmin(admin.ModelAdmin):
    """Configuration that only superusers touch (accounts, memberships): everyone else gets a
    403 even if a permission was granted by mistake."""

    def has_module_permission(self, request):
        return request.user.is_superuser

    def has_view_permission(self, request, obj=None):
        return request.user.is_superuser

    def has_add_permission(self, request, *args):
        return request.user.is_superuser

    def has_change_permission(self, request, obj=None):
        return request.user.is_superuser

    def has_delete_permission(self, request, obj=None):
        return request.user.is_superuser

    def _get_obj_does_not_exist_redirect(self, request, opts, object_id):
        raise Http404(_("Not found."))
