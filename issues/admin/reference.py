"""Reference data every staff role reads and only superusers change: categories, departments."""

from django.contrib import admin
from django.http import Http404
from django.utils.translation import gettext as _

from issues.models import Category, Department


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
