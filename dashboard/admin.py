"""The export log in the admin: superusers read it; nobody writes, changes or deletes a row."""

import json

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from dashboard.models import ExportLog


@admin.register(ExportLog)
class ExportLogAdmin(admin.ModelAdmin):
    list_display = ["created_at", "username", "export", "format", "row_count", "filters_display"]
    list_filter = ["export", "format", "created_at"]
    search_fields = ["username"]
    date_hierarchy = "created_at"
    fields = ["created_at", "username", "user", "export", "format", "row_count", "filters_display", "query_string"]
    readonly_fields = fields
    list_per_page = 50

    @admin.display(description=_("filters applied"))
    def filters_display(self, obj):
        return json.dumps(obj.filters, ensure_ascii=False, sort_keys=True)

    def _superuser(self, request) -> bool:
        return request.user.is_active and request.user.is_superuser

    def has_module_permission(self, request):
        return self._superuser(request)

    def has_view_permission(self, request, obj=None):
        return self._superuser(request)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
