"""Texts to villagers in the admin: every case's messages on its page, the list of all of them
(scoped like cases; the number masked), and the fixed templates they are written from."""

from django.contrib import admin
from django.http import Http404
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from issues.models import Issue
from issues.permissions import scope_of
from issues.sms.models import SmsMessage
from issues.sms.policy import mask
from issues.sms.templates import TEMPLATES, registered_text, render


def sms_rows(issue: Issue) -> list[dict]:
    """The case's texts, newest first, as its page shows them."""
    rows = []
    for message in SmsMessage.objects.filter(issue=issue).order_by("-created_at", "-pk")[:30]:
        try:
            text = render(message.template, message.params)
        except KeyError:
            text = ""
        rows.append({"message": message, "phone": mask(message.phone), "text": text})
    return rows


@admin.register(SmsMessage)
class SmsMessageAdmin(admin.ModelAdmin):
    list_display = ["created_at", "case_link", "template", "masked_phone", "status", "attempts", "sent_at"]
    # The number stays in the outbox: the admin shows it masked, never in full.
    fields = ["case_link", "template", "masked_phone", "status", "attempts", "next_attempt_at", "sent_at", "last_error"]
    readonly_fields = fields
    list_filter = ["status", "template"]
    search_fields = ["issue__short_code"]
    list_select_related = ["issue"]
    change_list_template = "admin/issues/smsmessage/change_list.html"

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        scope = scope_of(request.user)
        if scope.is_superuser:
            return queryset
        return queryset.filter(issue__in=Issue.objects.filter(scope.issue_filter()).values("pk"))

    def has_module_permission(self, request):
        return request.user.is_active and request.user.is_staff

    def has_view_permission(self, request, obj=None):
        if not (request.user.is_active and request.user.is_staff):
            return False
        return obj is None or scope_of(request.user).can_see(obj.issue)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description=_("case"))
    def case_link(self, obj):
        # The case's texts (its own page lists them too); a search, not the case's id in the link.
        return format_html('<a href="?q={}">{}</a>', obj.issue.short_code, obj.issue)

    @admin.display(description=_("phone"))
    def masked_phone(self, obj):
        return mask(obj.phone)

    def _get_obj_does_not_exist_redirect(self, request, opts, object_id):
        raise Http404(_("Not found."))  # a text of another station looks like none at all

    def changelist_view(self, request, extra_context=None):
        templates = [
            {"key": t.key, "purpose": t.purpose, "text": registered_text(t), "variables": ", ".join(t.variables)}
            for t in TEMPLATES.values()
        ]
        return super().changelist_view(request, {**(extra_context or {}), "sms_templates": templates})

    def idor_outside(self, world, role):
        """For the generated IDOR test: a text of a case on the other side of the world."""
        near = {"deputy_a", "station_staff", "township_staff", "county_admin"}
        station = world.xiushan_station if role in near else world.railway_point
        issue = Issue.objects.filter(station=station).first()
        message = SmsMessage.objects.create(
            issue=issue,
            template="accepted",
            params={"code": issue.short_code, "track": issue.tracking_code},
            phone=issue.submitter_phone or "13900000000",
            key=f"idor:{role}:{issue.pk}",
        )
        return message, issue.short_code
