from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from issues.models import Category, Department, Evaluation, Issue, IssueEvent
from issues.permissions import scope_of
from issues.selectors import issues_visible_to
from issues.validators import mask_phone


class ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class IssueEventInline(ReadOnlyInline):
    model = IssueEvent
    fields = ["created_at", "action", "from_state", "to_state", "round", "actor_label", "public_note", "internal_note"]
    readonly_fields = fields
    ordering = ["created_at", "id"]


class EvaluationInline(ReadOnlyInline):
    model = Evaluation
    fields = ["round", "rating", "comment", "created_at"]
    readonly_fields = fields


@admin.register(Issue)
class IssueAdmin(admin.ModelAdmin):
    list_display = ["short_code", "excerpt", "station", "deputy", "category", "state", "deadline", "masked_phone"]
    list_filter = ["state", "channel", "category"]
    search_fields = ["short_code", "tracking_code", "content"]
    list_select_related = ["station", "deputy", "category"]
    ordering = ["deadline"]
    inlines = [IssueEventInline, EvaluationInline]
    fields = [
        "short_code",
        "tracking_code",
        "state",
        "round",
        "deadline",
        "channel",
        "station",
        "deputy",
        "category",
        "department",
        "content",
        "submitter_name",
        "masked_phone",
        "reply_text",
        "rejection_reason",
        "rating",
        "created_at",
    ]
    readonly_fields = fields

    def get_queryset(self, request):
        return issues_visible_to(request.user)

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def has_add_permission(self, request):
        return False

    @admin.display(description=_("content"))
    def excerpt(self, obj):
        return obj.content if len(obj.content) <= 30 else obj.content[:30] + "…"

    @admin.display(description=_("phone"))
    def masked_phone(self, obj):
        return mask_phone(obj.submitter_phone)


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin):
    list_display = ["name", "reply_working_days", "sort_order", "is_active"]
    list_editable = ["reply_working_days", "sort_order", "is_active"]


@admin.register(Department)
class DepartmentAdmin(admin.ModelAdmin):
    list_display = ["name", "region", "platform_code", "is_active"]
    list_filter = ["is_active"]
    search_fields = ["name"]
    filter_horizontal = ["categories"]


def scope_station_ids(request):
    """Station ids the admin user may see (None: all, for superusers)."""
    scope = scope_of(request.user)
    return None if scope.is_superuser else scope.station_ids
