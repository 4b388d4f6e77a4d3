"""Keep the common dashboard snapshots fresh: every region watched by township staff or run by an
administrator, and the whole network (a superuser's view), for this month, quarter and year.
Scheduled by Celery beat. And write a case list export asked for in the background (dashboard.services)."""

import logging

from celery import shared_task
from django.contrib.auth import get_user_model

from dashboard.services import export_job_build
from stations.models import StaffMembership

logger = logging.getLogger(__name__)


@shared_task
def refresh_snapshots() -> int:
    from dashboard.forms import Period
    from dashboard.views import page_figures

    users = []
    seen_regions = set()
    for m in StaffMembership.objects.exclude(role=StaffMembership.Role.STATION_STAFF).select_related("user"):
        if m.region_id not in seen_regions and m.user.is_active:
            seen_regions.add(m.region_id)
            users.append(m.user)
    admin = get_user_model().objects.filter(is_superuser=True, is_active=True).order_by("pk").first()
    if admin is not None:
        users.append(admin)
    count = 0
    for user in users:
        for period in (Period.MONTH, Period.QUARTER, Period.YEAR):
            page_figures(user, {"period": period}, refresh=True)
            count += 1
    logger.info("Refreshed %d dashboard snapshots.", count)
    return count


@shared_task(ignore_result=True, acks_late=True)
def build_export(job_id: int) -> None:
    export_job_build(job_id=job_id)
