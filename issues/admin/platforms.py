"""The county platforms (one per region), for superusers: address, and the names of the
environment variables holding tokens and callback secrets (never the values), with an action
that rotates the next ones into place."""

from django.contrib import admin, messages
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from issues.models import GovernancePlatform
from issues.platform_routing import rotate
from stations.admin_scope import SuperuserOnlyAdmin


@admin.register(GovernancePlatform)
class GovernancePlatformAdmin(SuperuserOnlyAdmin):
    list_display = ["code", "region", "url", "is_active", "configured", "rotating", "rotated_at"]
    list_filter = ["is_active"]
    search_fields = ["code", "region__name"]
    readonly_fields = ["rotated_at"]
    actions = ["rotate_selected"]

    @admin.display(description=gettext_lazy("secrets and token set in the environment"), boolean=True)
    def configured(self, obj):
        return bool(obj.token and obj.callback_secrets())

    @admin.display(description=gettext_lazy("rotation under way"), boolean=True)
    def rotating(self, obj):
        return bool(obj.next_callback_secret_env or obj.next_token_env)

    @admin.action(description=gettext_lazy("Rotate: make the next secret and token the current ones"))
    def rotate_selected(self, request, queryset):
        for platform in queryset:
            if not (platform.next_callback_secret_env or platform.next_token_env):
                messages.warning(request, _("%(code)s names no next secret or token.") % {"code": platform.code})
                continue
            rotate(code=platform.code)
            messages.success(request, _("%(code)s rotated.") % {"code": platform.code})
