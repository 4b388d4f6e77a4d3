from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AuditConfig(AppConfig):
    """Who changed the reference data and the permissions, and how (变更记录)."""

    name = "audit"
    verbose_name = _("change history")
