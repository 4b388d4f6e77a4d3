"""Celery tasks: ids in, one service call, nothing else."""

from celery import shared_task

from issues import alerts, escalation, forwarding, notices, notifications, services
from issues.services.submission import kept_photos_expire
from issues.services.voice import kept_voices_expire
from issues.sms import outbox as sms_outbox
from issues.sms import service as sms_service
from issues.worknotice import service as work_notices


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


@shared_task(ignore_result=True, acks_late=True)
def send_platform_notice(notice_id: int) -> None:
    """Tell the platform one thing about a case it holds; schedule the retry if it failed."""
    delay = notices.notice_send(notice_id)
    if delay is not None:
        notices.enqueue(notice_id, countdown=delay)


@shared_task(ignore_result=True)
def sweep_forwardings() -> int:
    """Re-enqueue outbox rows that are due (lost messages, killed workers, emptied Redis): the
    cases to forward and the notices to the platform."""
    return forwarding.sweep() + notices.sweep()


@shared_task(ignore_result=True)
def send_deadline_reminders() -> int:
    return notifications.send_deadline_reminders()


@shared_task(ignore_result=True, acks_late=True)
def send_sms(message_id: int) -> None:
    """Send this text to a villager and a batch of others due; ask again for those that did
    not go (a retry, the morning, a claim that ran short)."""
    for other_id, delay in sms_outbox.sms_send_batch(message_id).items():
        sms_outbox.enqueue(other_id, countdown=delay)


@shared_task(ignore_result=True)
def sweep_sms() -> int:
    """Re-enqueue texts that are due (lost messages, killed workers, emptied Redis)."""
    return sms_outbox.sweep()


@shared_task(ignore_result=True)
def send_rating_reminders() -> int:
    """回访: remind villagers who have not rated an answer."""
    return sms_service.send_rating_reminders()


@shared_task(ignore_result=True)
def send_new_case_alerts() -> int:
    """Tell deputies and station staff of the cases that just arrived."""
    return alerts.send_new_case_alerts()


@shared_task(ignore_result=True, acks_late=True)
def send_work_notice(notice_id: int) -> None:
    """Send one 浙政钉 work notification; schedule its retry if it failed."""
    delay = work_notices.work_notice_send(notice_id)
    if delay is not None:
        work_notices.enqueue(notice_id, countdown=delay)


@shared_task(ignore_result=True)
def sweep_work_notices() -> int:
    return work_notices.sweep()


@shared_task(ignore_result=True)
def send_alert_digests() -> int:
    """The day's digest of alerts that did not go out at once."""
    return work_notices.send_digests()


@shared_task(ignore_result=True)
def escalate_cases() -> int:
    """The escalation chain: 催办, 通报, and the proposal of cases reopened twice."""
    return escalation.escalate_cases()
