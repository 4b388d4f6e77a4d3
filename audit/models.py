"""The history of the reference data cases depend on and of who may do what: stations and their
regions, deputies and where they are stationed, staff memberships, departments and categories,
and user accounts with their groups and permissions (django-simple-history).

Each save, delete or many-to-many change through the ORM writes a row here, with the user of the
request (simple_history's HistoryRequestMiddleware) or none for commands and tasks. Bulk
operations (QuerySet.update, bulk_create) and raw SQL are not recorded: the services and the
admin save rows one by one. The history tables live in this app so that no other app needs a
migration for them.
"""

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _
from simple_history import register, utils
from simple_history.models import HistoricalRecords

from deputies.models import Deputy, Stationing
from issues.models import Category, Department
from stations.models import Region, StaffMembership, Station


class Records(HistoricalRecords):
    """Keeps a version only when something changed: a save that changes nothing (the demo seeding
    run again, a login, which saves only the excluded `last_login`) adds no row."""

    def create_historical_record(self, instance, history_type, using=None):
        if history_type == "~" and self._unchanged(instance):
            return
        super().create_historical_record(instance, history_type, using=using)

    def _unchanged(self, instance) -> bool:
        latest = getattr(instance, self.manager_name).first()
        if latest is None:
            return False
        for field in self.fields_included(instance):
            if getattr(latest, field.attname) != getattr(instance, field.attname):
                return False
        for field in self.get_m2m_fields_from_model(type(instance)):
            through = getattr(instance, field.name).through
            target = f"{utils.get_m2m_reverse_field_name(field)}_id"
            now = through.objects.filter(**{utils.get_m2m_field_name(field): instance}).values_list(target, flat=True)
            if set(now) != set(getattr(latest, field.name).values_list(target, flat=True)):
                return False
        return True


def tracked_models() -> list[type]:
    """The models whose changes are kept, each with a `history` manager."""
    return [Region, Station, StaffMembership, Deputy, Stationing, Category, Department, Group, get_user_model()]


def _options(model) -> dict:
    # simple_history's own name ("historical station") is English, fixed when the app loads.
    name = format_lazy(_("change history of {}"), model._meta.verbose_name_plural)
    return {"app": "audit", "records_class": Records, "verbose_name": name, "verbose_name_plural": name}


for model in (Region, Station, StaffMembership, Deputy, Stationing, Category):
    register(model, **_options(model))
register(Department, m2m_fields=["categories"], **_options(Department))
register(Group, m2m_fields=["permissions"], **_options(Group))
register(
    get_user_model(),
    excluded_fields=["password", "last_login"],
    m2m_fields=["groups", "user_permissions"],
    **_options(get_user_model()),
)
