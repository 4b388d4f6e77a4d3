from django.apps import AppConfig
from django.db.models.signals import post_delete, post_migrate, post_save
from django.utils.translation import gettext_lazy as _


class IssuesConfig(AppConfig):
    name = "issues"
    verbose_name = _("Cases")

    def ready(self) -> None:
        from issues import workdays
        from issues.checks import register_checks
        from issues.roles import sync_role_groups

        post_migrate.connect(sync_role_groups, sender=self, dispatch_uid="issues.sync_role_groups")
        # Deadlines cache the holiday schedule table (issues.workdays explains how).
        post_save.connect(workdays.calendar_changed, sender="stations.CalendarDay", dispatch_uid="workdays.saved")
        post_delete.connect(workdays.calendar_changed, sender="stations.CalendarDay", dispatch_uid="workdays.deleted")
        register_checks()
        # A case's copy of its station's region path follows the station and the region.
        from issues.regions import follow_region_move
        from stations.models import region_path_moved

        region_path_moved.connect(follow_region_move, dispatch_uid="issues.regions.follow_region_move")
        # An address that keeps failing logins is throttled.
        from django.contrib.auth.signals import user_login_failed

        from liaison.logins import count_failure

        user_login_failed.connect(count_failure, dispatch_uid="liaison.logins.count_failure")

        from issues.forwarding import outbox_readiness
        from liaison import health

        health.register("outbox", outbox_readiness)
