import os
from pathlib import Path

from celery import Celery
from celery.signals import task_postrun, task_prerun

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "liaison.settings")

app = Celery("liaison")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@app.on_after_configure.connect
def _create_filesystem_broker_folders(sender, **kwargs) -> None:
    """The embedded broker keeps messages in folders; they must exist before the first send."""
    options = sender.conf.broker_transport_options or {}
    if str(sender.conf.broker_url).startswith("filesystem://"):
        for key in ("data_folder_in", "data_folder_out", "processed_folder", "control_folder"):
            if options.get(key):
                Path(options[key]).mkdir(parents=True, exist_ok=True)


@task_prerun.connect
@task_postrun.connect
def _close_old_connections(task=None, **kwargs) -> None:
    """Around each task what Django does around each request: keep the database connection up to
    CONN_MAX_AGE, drop it if broken or too old. (Celery's own Django fixup would close it after
    every task, so that each task paid for a new PostgreSQL backend; CELERY_DB_REUSE_MAX turns
    that off.) Eager tasks run inside the caller's transaction and are left alone."""
    if task is not None and getattr(task.request, "is_eager", False):
        return
    from django.db import close_old_connections

    close_old_connections()


@app.task(name="liaison.heartbeat", ignore_result=True)
def heartbeat() -> None:
    """Run by the worker on beat's schedule: /readyz reads it (liaison.health)."""
    from liaison.health import record_heartbeat

    record_heartbeat()
