from django.apps import AppConfig
from django.conf import settings
from django.db.models.signals import pre_save
from django.utils.translation import gettext_lazy as _


class ApiConfig(AppConfig):
    """The REST API under /api/: a caller on top of the domain apps, as the villager's pages are."""

    name = "api"
    verbose_name = _("REST API")

    def ready(self) -> None:
        from api.auth import revoke_tokens_when_the_password_changes

        # API tokens die with the password.
        pre_save.connect(
            revoke_tokens_when_the_password_changes, sender=settings.AUTH_USER_MODEL, dispatch_uid="api.tokens"
        )
