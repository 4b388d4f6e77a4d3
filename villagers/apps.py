from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class VillagersConfig(AppConfig):
    """The villager's pages: the deputy's and the station's QR pages, the form, the receipt, the
    tracking page and the progress lookup. No models of their own: they call the domain apps'
    services and selectors."""

    name = "villagers"
    verbose_name = _("Villagers' pages")
