from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    """Staff accounts' second factor (两步验证): who needs it, enrolling, verifying a session."""

    name = "accounts"
    verbose_name = _("Two-step verification")
    default_auto_field = "django.db.models.BigAutoField"
