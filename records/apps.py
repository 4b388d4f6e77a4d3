from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RecordsConfig(AppConfig):
    """Deputies' duty records (代表履职档案) and the reports built from them."""

    name = "records"
    verbose_name = _("Duty records")
