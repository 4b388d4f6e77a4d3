"""Superusers see every account's second factor: who has set it up, when it was last used, how
many wrong codes in a row. They can lift a throttle, or delete a lost phone's authenticator and
codes, after which the person sets it up again at the next login (if required) or may do so.
Nobody adds a device here: the secret is for its owner's eyes only (the setup page)."""

from django.contrib import admin, messages
from django.db.models import Count
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts import services
from accounts.models import Authenticator, RecoveryCodeSet
from stations.admin_scope import SuperuserOnlyAdmin

# django-otp's own pages show the secret and English names; ours replace them.
for model in (TOTPDevice, StaticDevice):
    if admin.site.is_registered(model):
        admin.site.unregister(model)


class DeviceAdmin(SuperuserOnlyAdmin):
    # django-otp's field names have no translations: every column is a display with a Chinese name.
    list_select_related = ["user"]
    search_fields = ["user__username"]
    actions = ["unlock"]
    ordering = ["user__username"]

    def has_add_permission(self, request, *args):
        return False

    def has_change_permission(self, request, obj=None):
        return False  # read-only: the owner changes it on their own page

    def get_fields(self, request, obj=None):
        return self.list_display

    def get_readonly_fields(self, request, obj=None):
        return self.list_display

    @admin.display(description=_("account"), ordering="user__username")
    def owner(self, obj) -> str:
        return obj.user.get_username()

    @admin.display(description=_("last used"), ordering="last_used_at")
    def last_used(self, obj):
        return obj.last_used_at

    @admin.display(description=_("wrong codes in a row"), ordering="throttling_failure_count")
    def wrong_codes(self, obj) -> int:
        return obj.throttling_failure_count

    @admin.action(description=_("Lift the lock after wrong codes"), permissions=["delete"])
    def unlock(self, request, queryset):
        devices = list(queryset)
        for device in devices:
            services.device_unlock(device=device)
        count = len(devices)
        self.message_user(
            request,
            ngettext("%(count)d device unlocked.", "%(count)d devices unlocked.", count) % {"count": count},
            messages.SUCCESS,
        )


@admin.register(Authenticator)
class AuthenticatorAdmin(DeviceAdmin):
    list_display = ["owner", "is_confirmed", "added", "last_used", "wrong_codes"]

    @admin.display(description=_("set up"), boolean=True, ordering="confirmed")
    def is_confirmed(self, obj) -> bool:
        return obj.confirmed

    @admin.display(description=_("added"), ordering="created_at")
    def added(self, obj):
        return obj.created_at


@admin.register(RecoveryCodeSet)
class RecoveryCodeSetAdmin(DeviceAdmin):
    list_display = ["owner", "codes_left", "last_used", "wrong_codes"]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(codes_left=Count("token_set"))

    @admin.display(description=_("unused codes"), ordering="codes_left")
    def codes_left(self, obj) -> int:
        return obj.codes_left


from accounts.admin_users import StaffAccountAdmin  # noqa: E402,F401 (registers the staff accounts' page)
