"""Reference data every staff role reads and only superusers change: categories, departments;
except that a county, city or province administrator adds and edits the departments of their
region."""

from django.contrib import admin
from django.http import Http404
from django.utils.translation import gettext as _

from issues.models import Category, Department
from stations.admin_scope import administered, administers
from stations.models import Region
from stations.scope import scope_of


class ReferenceAdmin(admin.ModelAdmin):
    def _get_obj_does_not_exist_redirect(self, request, opts, object_id):
        raise Http404(_("Not found."))


@admin.register(Category)
class CategoryAdmin(ReferenceAdmin):
    list_display = ["name", "reply_working_days", "sort_order", "is_active"]
    search_fields = ["name"]


@admin.register(Department)
class DepartmentAdmin(ReferenceAdmin):
    list_display = ["name", "region", "platform_code", "is_active"]
    list_filter = ["is_active"]
    list_select_related = ["region"]
    search_fields = ["name"]
    filter_horizontal = ["categories"]

    def has_add_permission(self, request):
        current = scope_of(request.user)
        return super().has_add_permission(request) and (current.is_superuser or bool(current.admin_region_paths))

    def has_change_permission(self, request, obj=None):
        ok = super().has_change_permission(request, obj)
        if obj is None or request.user.is_superuser:
            return ok
        return ok and obj.region_id is not None and administers(request, obj.region.path)

    def has_delete_permission(self, request, obj=None):
        return request.user.is_superuser and super().has_delete_permission(request, obj)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "region":
            kwargs["queryset"] = administered(request, Region.objects.all(), "path")
            kwargs["required"] = not request.user.is_superuser  # an administrator's departments serve their region
        return super().formfield_for_foreignkey(db_field, request, **kwargs)
