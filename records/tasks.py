from celery import shared_task

from records.services import report_build


@shared_task(ignore_result=True, acks_late=True)
def build_report(report_id: int) -> None:
    report_build(report_id=report_id)
