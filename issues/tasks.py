"""Celery tasks: ids in, one service call, nothing else."""

from celery import shared_task

from issues import forwarding, notifications, services
from issues.services.submission import kept_photos_expire
from issues.services.voice import kept_voices_expire


@shared_task(ignore_result=True)
def close_unevaluated_issues() -> int:
    """Close replied cases whose evaluation window has passed (never counted as satisfied). On the
    same beat, what else waited too long goes: photos and voice notes kept for villagers' forms never sent."""
    kept_photos_expire()
    kept_voices_expire()
    return services.close_expired_evaluations()


@shared_task(ignore_result=True, acks_late=True)
def forward_case(forwarding_id: int) -> None:
    """Send one outbox row to the governance platform; schedule its retry if it failed."""
    delay = forwarding.forwarding_send(forwarding_id)
    if delay is not None:
        forwarding.enqueue(forwarding_id, countdown=delay)


@shared_task(ignore_result=True)
def sweep_forwardings() -> int:
    """Re-enqueue outbox rows that are due (lost messages, killed workers, emptied Redis)."""
    return forwarding.sweep()


@shared_task(ignore_result=True)
def send_deadline_reminders() -> int:
    return notifications.send_deadline_reminders()
