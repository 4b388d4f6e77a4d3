"""Staff accounts in the admin. Superusers keep Django's page. A county, city or province
administrator sees and edits only the accounts they run (stations.selectors.users_run_by): name,
e-mail, password and whether the account is active, never staff or superuser flags, groups or
permissions; and creates an account together with its first membership inside their region."""

from django import forms
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import GroupAdmin, UserAdmin
from django.contrib.auth.forms import UserCreationForm
from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from liaison.errors import IssueError
from stations.admin_scope import administered
from stations.models import Region, StaffMembership, Station
from stations.scope import scope_of
from stations.selectors import grantable_roles, users_run_by
from stations.services import membership_save

User = get_user_model()


class StaffAccountCreationForm(UserCreationForm):
    """A new account and its first membership, for an administrator: the roles they may give, the
    regions and stations inside their region (set by the admin through `request`)."""

    request = None
    role = forms.ChoiceField(label=gettext_lazy("role"))
    region = forms.ModelChoiceField(label=gettext_lazy("region"), queryset=Region.objects.none(), required=False)
    station = forms.ModelChoiceField(label=gettext_lazy("station"), queryset=Station.objects.none(), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        allowed = grantable_roles(scope_of(self.request.user))
        self.fields["role"].choices = [(v, label) for v, label in StaffMembership.Role.choices if v in allowed]
        self.fields["region"].queryset = administered(self.request, Region.objects.all(), "path")
        self.fields["station"].queryset = administered(self.request, Station.objects.all(), "region__path")

    def clean(self):
        cleaned = super().clean()
        membership = StaffMembership(
            role=cleaned.get("role"), region=cleaned.get("region"), station=cleaned.get("station")
        )
        station_role = membership.role == StaffMembership.Role.STATION_STAFF
        if station_role != (membership.station is not None) or station_role == (membership.region is not None):
            raise forms.ValidationError(_("Station staff belong to a station; every other role to a region."))
        membership.clean()
        return cleaned


class StaffAccountAdmin(UserAdmin):
    def _runs(self, request) -> bool:
        current = scope_of(request.user)
        return current.is_superuser or bool(current.admin_region_paths)

    def get_queryset(self, request):
        return super().get_queryset(request).filter(pk__in=users_run_by(scope_of(request.user)).values("pk"))

    def _ours(self, request, obj) -> bool:
        return (
            obj is None or request.user.is_superuser or users_run_by(scope_of(request.user)).filter(pk=obj.pk).exists()
        )

    def has_module_permission(self, request):
        return self._runs(request) and super().has_module_permission(request)

    def has_view_permission(self, request, obj=None):
        return self._runs(request) and super().has_view_permission(request, obj) and self._ours(request, obj)

    def has_add_permission(self, request):
        return self._runs(request) and super().has_add_permission(request)

    def has_change_permission(self, request, obj=None):
        return self._runs(request) and super().has_change_permission(request, obj) and self._ours(request, obj)

    def has_delete_permission(self, request, obj=None):
        return request.user.is_superuser

    def get_fieldsets(self, request, obj=None):
        if request.user.is_superuser:
            return super().get_fieldsets(request, obj)
        if obj is None:
            return [(None, {"fields": ["username", "password1", "password2", "role", "region", "station"]})]
        return [
            (None, {"fields": ["username", "password"]}),
            (_("Personal info"), {"fields": ["first_name", "last_name", "email"]}),
            (_("Status"), {"fields": ["is_active"]}),
        ]

    def get_form(self, request, obj=None, **kwargs):
        if obj is None and not request.user.is_superuser:
            kwargs["form"] = type("StaffAccountCreationForm", (StaffAccountCreationForm,), {"request": request})
            kwargs["fields"] = ["username", "password1", "password2", "role", "region", "station"]
            return admin.ModelAdmin.get_form(self, request, obj, **kwargs)
        return super().get_form(request, obj, **kwargs)

    def save_model(self, request, obj, form, change):
        if not request.user.is_superuser:
            # Nothing but these may be set here, whatever was posted.
            obj.is_superuser = False
            if not change:
                obj.is_staff = False
        super().save_model(request, obj, form, change)
        if not change and isinstance(form, StaffAccountCreationForm):
            membership = StaffMembership(
                user=obj,
                role=form.cleaned_data["role"],
                region=form.cleaned_data.get("region"),
                station=form.cleaned_data.get("station"),
            )
            try:
                membership_save(by_user=request.user, membership=membership)
            except IssueError as error:
                raise PermissionDenied(str(error.message)) from error

    def _get_obj_does_not_exist_redirect(self, request, opts, object_id):
        raise Http404(_("Not found."))

    @staticmethod
    def idor_outside(world, role):
        """Staff of the 秀山乡 station (岱山县), outside the 定海区 administrator's region."""
        user, _ = User.objects.get_or_create(username="xiushan_idor_staff")
        StaffMembership.objects.get_or_create(
            user=user, role=StaffMembership.Role.STATION_STAFF, station=world.xiushan_station
        )
        return user, "xiushan_idor_staff"


class RoleGroupAdmin(GroupAdmin):
    """Groups stay with superusers (and whom they give a permission on them): an administrator
    opens the auth app for the accounts, which must not show the groups' page."""

    def has_module_permission(self, request):
        return self.has_view_or_change_permission(request)


for model, model_admin in ((User, StaffAccountAdmin), (Group, RoleGroupAdmin)):
    if admin.site.is_registered(model):
        admin.site.unregister(model)
    admin.site.register(model, model_admin)
