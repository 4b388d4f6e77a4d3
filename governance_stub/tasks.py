from celery import shared_task

from governance_stub import services


@shared_task(ignore_result=True)
def auto_reply(case_id: int) -> None:
    """Answer the cases whose automatic reply is due (this one among them)."""
    services.auto_answer_due()


@shared_task(ignore_result=True)
def deliver(reply_id: int) -> None:
    """First delivery of an answer; retries are picked up by `deliver_due` on its schedule."""
    services.reply_deliver(reply_id)


@shared_task(ignore_result=True)
def deliver_due() -> int:
    return services.deliver_due()
