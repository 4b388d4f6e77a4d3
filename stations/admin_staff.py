"""Staff memberships in the admin: superusers give any; a county, city or province administrator
gives and takes back the memberships inside their region, of the roles below their own, to the
accounts they run (stations.selectors). Every save goes through stations.services."""

from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils.translation import gettext as _

from liaison.errors import IssueError
from stations.admin_scope import administered
from stations.models import Region, StaffMembership, Station
from stations.scope import scope_of
from stations.selectors import grantable_roles, memberships_run_by, users_run_by
from stations.services import membership_save


@admin.register(StaffMembership)
class StaffMembershipAdmin(admin.ModelAdmin):
    list_display = ["user", "role", "station", "region"]
    list_filter = ["role"]
    list_select_related = ["user", "station", "region"]
    autocomplete_fields = ["user"]
    search_fields = ["user__username"]

    def _runs(self, request) -> bool:
        current = scope_of(request.user)
        return current.is_superuser or bool(current.admin_region_paths)

    def has_module_permission(self, request):
        return self._runs(request) and super().has_module_permission(request)

    def has_view_permission(self, request, obj=None):
        return self._runs(request) and super().has_view_permission(request, obj) and self._ours(request, obj)

    def has_add_permission(self, request):
        return self._runs(request) and super().has_add_permission(request)

    def has_change_permission(self, request, obj=None):
        return self._runs(request) and super().has_change_permission(request, obj) and self._ours(request, obj)

    def has_delete_permission(self, request, obj=None):
        return self._runs(request) and super().has_delete_permission(request, obj) and self._ours(request, obj)

    def _ours(self, request, obj) -> bool:
        return obj is None or memberships_run_by(scope_of(request.user)).filter(pk=obj.pk).exists()

    def get_queryset(self, request):
        return super().get_queryset(request).filter(pk__in=memberships_run_by(scope_of(request.user)).values("pk"))

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "region":
            kwargs["queryset"] = administered(request, Region.objects.all(), "path")
        elif db_field.name == "station":
            kwargs["queryset"] = administered(request, Station.objects.all(), "region__path")
        elif db_field.name == "user" and not request.user.is_superuser:
            kwargs["queryset"] = users_run_by(scope_of(request.user))
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def formfield_for_choice_field(self, db_field, request, **kwargs):
        if db_field.name == "role":
            allowed = grantable_roles(scope_of(request.user))
            kwargs["choices"] = [(value, label) for value, label in db_field.choices if value in allowed]
        return super().formfield_for_choice_field(db_field, request, **kwargs)

    def save_model(self, request, obj, form, change):
        try:
            membership_save(by_user=request.user, membership=obj)
        except IssueError as error:
            raise PermissionDenied(str(error.message)) from error

    def delete_model(self, request, obj):
        if not self._ours(request, obj):
            raise PermissionDenied
        super().delete_model(request, obj)

    def _get_obj_does_not_exist_redirect(self, request, opts, object_id):
        raise Http404(_("Not found."))

    @staticmethod
    def idor_outside(world, role):
        """A membership at 秀山乡 (岱山县), outside the 定海区 administrator's region."""
        from django.contrib.auth import get_user_model

        user, _ = get_user_model().objects.get_or_create(username="xiushan_idor_staff")
        membership, _ = StaffMembership.objects.get_or_create(
            user=user, role=StaffMembership.Role.STATION_STAFF, station=world.xiushan_station
        )
        return membership, "xiushan_idor_staff"
