"""Keep the dashboard snapshots fresh (beat, every 10 minutes: dashboard.page.snapshots_refresh),
compute one a reader asked for, and write a case list export asked for in the background
(dashboard.services). Each task is one call."""

import logging

from celery import shared_task

from dashboard.services import export_job_build

logger = logging.getLogger(__name__)


@shared_task
def refresh_snapshots() -> int:
    from dashboard.page import snapshots_refresh

    count = snapshots_refresh()
    logger.info("Refreshed %d dashboard snapshots.", count)
    return count


@shared_task(ignore_result=True, acks_late=True)
def compute_snapshot(key: str) -> None:
    from dashboard.page import snapshot_compute_requested

    snapshot_compute_requested(key=key)


@shared_task(ignore_result=True, acks_late=True)
def build_export(job_id: int) -> None:
    export_job_build(job_id=job_id)
