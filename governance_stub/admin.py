from django import forms
from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from governance_stub import services
from governance_stub.models import FaultSettings, PlatformCase, PlatformReply, RoutingRule


class PlatformReplyInline(admin.TabularInline):
    model = PlatformReply
    extra = 0
    can_delete = False
    fields = [
        "kind",
        "reply_id",
        "text",
        "department",
        "public",
        "deadline",
        "decision",
        "handler",
        "created_at",
        "delivered_at",
        "attempts",
        "last_error",
    ]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


class DepartmentForm(forms.ModelForm):
    """Act as the department: answer, return the case (退办), ask for more time (延期申请), or post
    a progress note (过程反馈). Whatever is said is delivered to the sender, signed."""

    ACTIONS = [
        ("", "---------"),
        ("answer", _("answer (the lead department)")),
        ("return", _("return to the sender (退办)")),
        ("extension", _("ask for a later deadline (延期申请)")),
        ("progress", _("post a progress note (过程反馈)")),
    ]
    act = forms.ChoiceField(label=_("act as the department"), choices=ACTIONS, required=False)
    answer = forms.CharField(label=_("text (answer, reason or note)"), widget=forms.Textarea, required=False)
    deadline = forms.DateTimeField(label=_("deadline asked for"), required=False)
    public = forms.BooleanField(label=_("progress note shown to the villager"), required=False)
    as_department = forms.CharField(label=_("progress note from (a co-handling department)"), required=False)

    class Meta:
        model = PlatformCase
        fields = []

    def clean(self):
        data = super().clean()
        act, text = data.get("act") or ("answer" if data.get("answer") else ""), (data.get("answer") or "").strip()
        if act and not text:
            raise forms.ValidationError(_("Write the text of what the department says."))
        if act == "extension" and data.get("deadline") is None:
            raise forms.ValidationError(_("Give the deadline the department asks for."))
        if act == "return" and self.instance.status != PlatformCase.Status.HANDLING:
            raise forms.ValidationError(_("Only a case being handled can be returned."))
        data["act"], data["answer"] = act, text
        return data


@admin.register(PlatformCase)
class PlatformCaseAdmin(admin.ModelAdmin):
    """The department handler's desk: read the case, answer it, return it, ask for more time or
    post progress; what is said is sent back signed."""

    form = DepartmentForm
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
        "co_departments",
        "round",
        "status",
        "assigned_at",
        "received_at",
        "auto_reply_at",
    ]
    fields = [*readonly_fields, "act", "answer", "deadline", "public", "as_department"]
    inlines = [PlatformReplyInline]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def has_module_permission(self, request):
        return request.user.is_superuser

    def save_model(self, request, obj, form, change):
        data, handler = form.cleaned_data, request.user.get_username()
        act, text = data.get("act"), data.get("answer", "")
        if act == "answer":
            services.case_answer(case=obj, text=text, handler=handler)
        elif act == "return":
            services.case_return(case=obj, reason=text, handler=handler)
        elif act == "extension":
            services.case_request_extension(case=obj, deadline=data["deadline"], reason=text, handler=handler)
        elif act == "progress":
            services.case_post_progress(
                case=obj,
                text=text,
                public=data.get("public", False),
                department=data.get("as_department", ""),
                handler=handler,
            )


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
