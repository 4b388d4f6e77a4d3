from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RostersConfig(AppConfig):
    """Roster import and export (花名册导入导出): deputies, stations, stationings, duty slots."""

    name = "rosters"
    verbose_name = _("Rosters")
