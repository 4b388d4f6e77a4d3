"""Each user's choice of how every kind of alert reaches them (at once over 浙政钉, in the daily
digest, or in the inbox only), and the superuser's list of 浙政钉 account ids."""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _

from issues.models import Notification
from issues.worknotice.models import AlertMode, AlertPreference, WorkAccount
from issues.worknotice.service import preferences_set
from liaison.errors import InvalidInput


class PreferencesForm(forms.Form):
    def __init__(self, *args, current: dict[str, str], **kwargs):
        super().__init__(*args, **kwargs)
        for kind, label in Notification.Kind.choices:
            self.fields[kind] = forms.ChoiceField(
                label=label, choices=AlertMode.choices, initial=current.get(kind, AlertMode.IMMEDIATE)
            )


@admin.register(AlertPreference)
class AlertPreferenceAdmin(admin.ModelAdmin):
    """Its list is the signed-in user's own settings form: one choice per kind of alert."""

    def get_queryset(self, request):
        return super().get_queryset(request).filter(user=request.user)

    def has_module_permission(self, request):
        return request.user.is_active and request.user.is_staff

    def has_view_permission(self, request, obj=None):
        staff = request.user.is_active and request.user.is_staff
        return staff and (obj is None or obj.user_id == request.user.pk)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def _get_obj_does_not_exist_redirect(self, request, opts, object_id):
        raise Http404(_("Not found."))

    def change_view(self, request, object_id, form_url="", extra_context=None):
        if not self.get_queryset(request).filter(pk=object_id).exists():
            raise Http404(_("Not found."))
        return redirect("admin:issues_alertpreference_changelist")

    def changelist_view(self, request, extra_context=None):
        if not self.has_view_permission(request):
            raise PermissionDenied
        current = dict(AlertPreference.objects.filter(user=request.user).values_list("kind", "mode"))
        form = PreferencesForm(request.POST or None, current=current)
        if request.method == "POST" and form.is_valid():
            try:
                preferences_set(user=request.user, modes=form.cleaned_data)
            except InvalidInput as error:
                form.add_error(None, str(error.message))
            else:
                messages.success(request, _("Your alert settings are saved."))
                return redirect("admin:issues_alertpreference_changelist")
        context = {
            **self.admin_site.each_context(request),
            "title": _("How alerts reach me"),
            "opts": self.opts,
            "form": form,
            "has_account": WorkAccount.objects.filter(user=request.user).exists(),
        }
        return TemplateResponse(request, "admin/issues/notification/settings.html", context)

    def idor_outside(self, world, role):
        """For the generated IDOR test: another user's setting."""
        other = world.deputy_b_user if role != "deputy_b" else world.deputy_a_user
        row, _created = AlertPreference.objects.get_or_create(user=other, kind="overdue", defaults={"mode": "digest"})
        return row, f"/{row.pk}/change/"


@admin.register(WorkAccount)
class WorkAccountAdmin(admin.ModelAdmin):
    """Which 浙政钉 account each user's work notifications go to: set by superusers."""

    list_display = ["user", "account_id"]
    search_fields = ["user__username", "account_id"]
    autocomplete_fields = ["user"]

    def has_module_permission(self, request):
        return request.user.is_active and request.user.is_superuser

    has_view_permission = has_add_permission = has_change_permission = has_delete_permission = (
        lambda self, request, obj=None: request.user.is_active and request.user.is_superuser
    )
