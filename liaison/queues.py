"""Celery's queues: forwarding, notifications, reports and default, so that a report that takes
minutes never delays a forwarding. Each task that is not on `default` is routed here by name
(settings CELERY_TASK_ROUTES); `WORKERS` are the worker processes production runs (README,
"Production"), which together consume every queue; `make run` runs one worker on all of them."""

FORWARDING = "forwarding"
NOTIFICATIONS = "notifications"
REPORTS = "reports"
DEFAULT = "default"
ALL = (FORWARDING, NOTIFICATIONS, REPORTS, DEFAULT)

TASK_ROUTES = {
    "issues.tasks.forward_case": {"queue": FORWARDING},
    "issues.tasks.sweep_forwardings": {"queue": FORWARDING},
    "issues.tasks.send_platform_notice": {"queue": FORWARDING},
    "issues.tasks.send_deadline_reminders": {"queue": NOTIFICATIONS},
    "issues.tasks.send_new_case_alerts": {"queue": NOTIFICATIONS},
    "issues.tasks.send_alert_digests": {"queue": NOTIFICATIONS},
    "issues.tasks.escalate_cases": {"queue": NOTIFICATIONS},
    "issues.tasks.send_work_notice": {"queue": NOTIFICATIONS},
    "issues.tasks.sweep_work_notices": {"queue": NOTIFICATIONS},
    "issues.tasks.send_sms": {"queue": NOTIFICATIONS},
    "issues.tasks.sweep_sms": {"queue": NOTIFICATIONS},
    "issues.tasks.send_rating_reminders": {"queue": NOTIFICATIONS},
    "dashboard.tasks.refresh_snapshots": {"queue": REPORTS},
    "dashboard.tasks.build_export": {"queue": REPORTS},
    "dashboard.tasks.compute_snapshot": {"queue": REPORTS},
    "records.tasks.build_report": {"queue": REPORTS},
    "rosters.tasks.check_import": {"queue": REPORTS},
    "rosters.tasks.run_import": {"queue": REPORTS},
    "rosters.tasks.resume_imports": {"queue": REPORTS},
}

# Worker name -> the queues it consumes (`celery -A liaison worker -Q …`). Reports have a worker
# of their own: however many wait, forwarding and notifications are served by the other one.
WORKERS = {
    "main": (FORWARDING, NOTIFICATIONS, DEFAULT),
    "reports": (REPORTS,),
}


def queue_option(worker: str | None = None) -> str:
    """The -Q argument of a worker (of every queue, for a single worker)."""
    return ",".join(WORKERS[worker] if worker else ALL)
