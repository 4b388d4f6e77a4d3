"""The change history in the admin: read-only, for superusers, one list per kind of record with
who changed it, when, and which fields changed from what to what."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from audit.models import tracked_models
from stations.admin_scope import SuperuserOnlyAdmin


class HistoryAdmin(SuperuserOnlyAdmin):
    # Method names unlike any tracked field: a model field of the same name would win the column.
    list_display = ["changed_at", "change_kind", "record", "changed_by", "changes"]
    list_select_related = ["history_user"]
    date_hierarchy = "history_date"
    list_per_page = 50  # each row reads the version before it for its changes

    def has_add_permission(self, request, *args):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description=_("time"), ordering="history_date")
    def changed_at(self, version):
        return version.history_date

    @admin.display(description=_("kind of change"))
    def change_kind(self, version) -> str:
        return version.get_history_type_display()

    @admin.display(description=_("record"))
    def record(self, version) -> str:
        return str(version.instance)

    @admin.display(description=_("changed by"))
    def changed_by(self, version):
        return version.history_user or "—"

    @admin.display(description=_("changes"))
    def changes(self, version) -> str:
        previous = version.prev_record
        if previous is None:
            return ""
        opts = version.instance_type._meta
        return "; ".join(
            f"{opts.get_field(change.field).verbose_name}: {_shown(change.old)} → {_shown(change.new)}"
            for change in version.diff_against(previous).changes
        )


def _shown(value) -> str:
    return "—" if value in ("", None) else str(value)


for tracked in tracked_models():
    admin.site.register(tracked.history.model, HistoryAdmin)
