from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class GovernanceStubConfig(AppConfig):
    name = "governance_stub"
    verbose_name = _("Governance platform (stub)")
