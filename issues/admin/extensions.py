"""Departments' requests for more time (延期申请): station staff read the reason and approve
(the case's deadline moves) or refuse (with a reason); the platform is told either way by our
API call (issues.notices). Rows are limited to the user's stations; the decision goes through
issues.services.extension_decide, which checks who may take it."""

from datetime import timedelta

from django import forms
from django.contrib import admin, messages
from django.http import Http404, HttpResponseRedirect
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from issues import clock
from issues.models import Action, ExtensionRequest, Forwarding, Issue
from issues.permissions import Actor, allowed_roles, scope_of
from issues.services import extension_decide
from liaison.errors import IssueError, IssueNotFound
from stations.admin_scope import ScopedAdmin


class DecisionForm(forms.ModelForm):
    decision = forms.ChoiceField(
        label=gettext_lazy("Decision"),
        choices=[("approve", gettext_lazy("Approve the new deadline")), ("refuse", gettext_lazy("Refuse"))],
        widget=forms.RadioSelect,
    )
    note = forms.CharField(
        label=gettext_lazy("Note to the department (required when refusing)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    class Meta:
        model = ExtensionRequest
        fields = []

    def clean(self):
        data = super().clean()
        if data.get("decision") == "refuse" and not (data.get("note") or "").strip():
            self.add_error("note", _("Say why the request is refused."))
        return data


@admin.register(ExtensionRequest)
class ExtensionRequestAdmin(ScopedAdmin):
    form = DecisionForm
    station_lookup = "issue__station_id"
    list_display = ["created_at", "case_link", "requested_deadline", "current_deadline", "status", "reason"]
    list_filter = ["status"]
    list_select_related = ["issue"]
    search_fields = ["issue__short_code"]
    readonly_fields = ["case_link", "round", "requested_deadline", "current_deadline", "reason", "status"]
    fields = [*readonly_fields, "decision", "note"]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        current = scope_of(request.user)
        if obj is None:
            return current.is_superuser or bool(current.staff_station_ids)
        if obj.status != ExtensionRequest.Status.PENDING:
            return False
        return bool(current.roles_for(obj.issue) & allowed_roles(Action.DECIDE_EXTENSION, obj.issue.state))

    def get_fields(self, request, obj=None):
        if obj is not None and self.has_change_permission(request, obj):
            return self.fields
        return [*self.readonly_fields, "decided_at", "decision_note"]

    @admin.display(description=gettext_lazy("case"))
    def case_link(self, obj):
        url = reverse("admin:issues_issue_change", args=[obj.issue_id], current_app=self.admin_site.name)
        return format_html('<a href="{}">{}</a>', url, obj.issue)

    @admin.display(description=gettext_lazy("current deadline"))
    def current_deadline(self, obj):
        return obj.issue.deadline

    def save_model(self, request, obj, form, change):
        try:
            extension_decide(
                actor=Actor.of(request.user),
                extension_id=obj.pk,
                approve=form.cleaned_data["decision"] == "approve",
                note=form.cleaned_data.get("note", ""),
            )
        except IssueNotFound:
            raise Http404(_("Not found.")) from None
        except IssueError as error:
            request._extension_error = error.message

    def log_change(self, request, obj, message):
        if getattr(request, "_extension_error", None) is None:
            super().log_change(request, obj, message)

    def response_change(self, request, obj):
        error = getattr(request, "_extension_error", None)
        if error is not None:
            messages.error(request, error)
            return HttpResponseRedirect(request.path)
        obj.refresh_from_db()
        messages.success(
            request,
            _("%(code)s: the extension request was %(status)s; the platform is told.")
            % {"code": obj.issue.short_code, "status": obj.get_status_display()},
        )
        return HttpResponseRedirect(reverse("admin:issues_extensionrequest_changelist"))

    def idor_outside(self, world, role):
        """For the generated IDOR test: a request on the other side's case."""
        station = (
            world.xiushan_station
            if role in {"deputy_a", "station_staff", "township_staff", "county_admin"}
            else world.railway_point
        )
        issue = Issue.objects.filter(station=station).first()
        forwarding, _created = Forwarding.objects.get_or_create(
            issue=issue, round=issue.round, sequence=1, defaults={"key": f"idor-{issue.pk}"}
        )
        marker = f"延期理由仅限{station.name}"
        # A high id: the test looks for "/<id>/change/" in pages, which a case link must not match.
        request, _created = ExtensionRequest.objects.get_or_create(
            request_id=f"idor-{issue.pk}",
            defaults={
                "pk": 900_000 + issue.pk,
                "issue": issue,
                "forwarding": forwarding,
                "round": issue.round,
                "requested_deadline": clock.now() + timedelta(days=10),
                "reason": marker,
            },
        )
        return request, marker
