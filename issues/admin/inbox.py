"""The in-portal inbox (站内提醒): each deputy and staff member sees only their own reminders."""

from django.contrib import admin, messages
from django.http import Http404
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from issues import clock
from issues.models import Notification


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = ["created_at", "kind", "message", "case_link", "read_at"]
    list_filter = ["kind", ("read_at", admin.EmptyFieldListFilter)]
    list_select_related = ["issue"]
    ordering = ["read_at", "-created_at"]
    actions = ["mark_read"]

    def get_queryset(self, request):
        return super().get_queryset(request).filter(user=request.user)

    def has_module_permission(self, request):
        return request.user.is_active and request.user.is_staff

    def has_view_permission(self, request, obj=None):
        return request.user.is_active and request.user.is_staff and (obj is None or obj.user_id == request.user.pk)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description=_("case"))
    def case_link(self, obj):
        if obj.issue_id is None:
            return ""
        return format_html('<a href="{}">{}</a>', reverse("admin:issues_issue_change", args=[obj.issue_id]), obj.issue)

    @admin.action(description=_("Mark as read"))
    def mark_read(self, request, queryset):
        count = queryset.filter(read_at__isnull=True).update(read_at=clock.now())
        messages.success(request, _("%(n)d reminders marked as read.") % {"n": count})

    def _get_obj_does_not_exist_redirect(self, request, opts, object_id):
        raise Http404(_("Not found."))  # somebody else's reminder looks like none at all

    def change_view(self, request, object_id, form_url="", extra_context=None):
        """Opening a reminder marks it read and goes to its case."""
        notification = self.get_queryset(request).filter(pk=object_id).first()
        if notification is not None:
            Notification.objects.filter(pk=notification.pk, read_at__isnull=True).update(read_at=clock.now())
            if notification.issue_id:
                return redirect("admin:issues_issue_change", notification.issue_id)
        return super().change_view(request, object_id, form_url, extra_context)

    def idor_outside(self, world, role):
        """For the generated IDOR test: a reminder of somebody else, which nobody else may open."""
        user = getattr(world, {"deputy_a": "deputy_a_user", "deputy_b": "deputy_b_user"}.get(role, role))
        other = world.deputy_b_user if user != world.deputy_b_user else world.deputy_a_user
        marker = f"仅限{other.username}的提醒"
        notification = Notification.objects.create(
            user=other, kind=Notification.Kind.OVERDUE, message=marker, dedupe_key=f"idor:{other.pk}:{role}"
        )
        return notification, marker
