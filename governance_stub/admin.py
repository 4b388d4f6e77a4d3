from django import forms
from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from governance_stub import services
from governance_stub.models import FaultSettings, PlatformCase, PlatformReply, RoutingRule


class PlatformReplyInline(admin.TabularInline):
    model = PlatformReply
    extra = 0
    can_delete = False
    fields = ["reply_id", "text", "handler", "created_at", "delivered_at", "attempts", "last_error"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


class AnswerForm(forms.ModelForm):
    answer = forms.CharField(label=_("answer as the department"), widget=forms.Textarea, required=False)

    class Meta:
        model = PlatformCase
        fields = []


@admin.register(PlatformCase)
class PlatformCaseAdmin(admin.ModelAdmin):
    """The department handler's desk: read the case, write the answer; it is sent back signed."""

    form = AnswerForm
    list_display = ["pk", "title", "department", "round", "status", "assigned_at", "received_at"]
    list_filter = ["status", "department", "round"]
    search_fields = ["title", "reference", "idempotency_key"]
    readonly_fields = [
        "idempotency_key",
        "reference",
        "title",
        "content",
        "category",
        "department",
        "round",
        "status",
        "assigned_at",
        "received_at",
        "auto_reply_at",
    ]
    fields = [*readonly_fields, "answer"]
    inlines = [PlatformReplyInline]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def has_module_permission(self, request):
        return request.user.is_superuser

    def save_model(self, request, obj, form, change):
        text = form.cleaned_data.get("answer", "").strip()
        if text:
            services.case_answer(case=obj, text=text, handler=request.user.get_username())


@admin.register(RoutingRule)
class RoutingRuleAdmin(admin.ModelAdmin):
    list_display = ["category", "department"]

    def has_module_permission(self, request):
        return request.user.is_superuser


@admin.register(FaultSettings)
class FaultSettingsAdmin(admin.ModelAdmin):
    list_display = ["failure_rate", "timeout_rate", "latency_seconds", "down", "auto_reply_seconds"]

    def has_module_permission(self, request):
        return request.user.is_superuser
