from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ResultsConfig(AppConfig):
    """The results wall (办理结果公示): answered cases that staff chose to publish, de-identified."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "results"
    verbose_name = _("Results wall")
