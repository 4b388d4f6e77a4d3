"""The county platforms (one per region), for superusers and for the administrator of the
platform's region (who changes its settings, not its region or code): address, and the names
of the environment variables holding tokens and callback secrets (never the values), with an
action that rotates the next ones into place."""

from django.contrib import admin, messages
from django.http import Http404
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from issues.models import GovernancePlatform
from issues.platform_routing import rotate
from stations.admin_scope import administered, administers
from stations.scope import scope_of


@admin.register(GovernancePlatform)
class GovernancePlatformAdmin(admin.ModelAdmin):
    list_display = ["code", "region", "url", "is_active", "configured", "rotating", "rotated_at"]
    list_filter = ["is_active"]
    search_fields = ["code", "region__name"]
    actions = ["rotate_selected"]

    def _runs(self, request, obj=None) -> bool:
        if request.user.is_superuser:
            return True
        if not scope_of(request.user).admin_region_paths:
            return False
        return obj is None or administers(request, obj.region.path)

    def get_queryset(self, request):
        return administered(request, super().get_queryset(request), "region__path")

    def get_readonly_fields(self, request, obj=None):
        return ["rotated_at"] if request.user.is_superuser else ["region", "code", "rotated_at"]

    def has_module_permission(self, request):
        return self._runs(request) and super().has_module_permission(request)

    def has_view_permission(self, request, obj=None):
        return self._runs(request, obj) and super().has_view_permission(request, obj)

    def has_change_permission(self, request, obj=None):
        return self._runs(request, obj) and super().has_change_permission(request, obj)

    def has_add_permission(self, request):
        return request.user.is_superuser

    def has_delete_permission(self, request, obj=None):
        return request.user.is_superuser

    def _get_obj_does_not_exist_redirect(self, request, opts, object_id):
        raise Http404(_("Not found."))

    @staticmethod
    def idor_outside(world, role):
        """The 岱山县 platform, outside the 定海区 administrator's region."""
        daishan = world.xiushan.parent
        platform, _created = GovernancePlatform.objects.get_or_create(
            region=daishan,
            defaults={
                "code": "daishan-idor",
                "url": "https://daishan.example.cn/",
                "token_env": "DAISHAN_TOKEN",
                "callback_secret_env": "DAISHAN_SECRET",
            },
        )
        return platform, "daishan-idor"

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
