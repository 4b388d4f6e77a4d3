from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class IssuesConfig(AppConfig):
    name = "issues"
    verbose_name = _("Cases")

    def ready(self) -> None:
        from issues.roles import sync_role_groups

        post_migrate.connect(sync_role_groups, sender=self, dispatch_uid="issues.sync_role_groups")
