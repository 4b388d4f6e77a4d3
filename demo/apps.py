from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DemoConfig(AppConfig):
    """The demo city (`seed_demo`): towns, stations, deputies, cases and activities replayed
    through the services. Nothing else imports it; a production install may leave it out of
    INSTALLED_APPS (LIAISON_DEMO_APP=0)."""

    name = "demo"
    verbose_name = _("Demo data")
