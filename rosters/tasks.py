"""Roster imports in the background: a task checks the file, another imports it once confirmed.
A 10,000-row file may take minutes on a busy machine: they have a longer time limit."""

from celery import shared_task

from rosters.job_services import roster_job_check, roster_job_import, roster_jobs_resume


@shared_task(ignore_result=True, acks_late=True, soft_time_limit=840, time_limit=900)
def check_import(job_id: int) -> None:
    roster_job_check(job_id=job_id)


@shared_task(ignore_result=True, acks_late=True, soft_time_limit=840, time_limit=900)
def run_import(job_id: int) -> None:
    roster_job_import(job_id=job_id)


@shared_task(ignore_result=True)
def resume_imports() -> None:
    roster_jobs_resume()
