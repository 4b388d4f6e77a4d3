"""What Celery beat runs, and how often (CELERY_BEAT_SCHEDULE in the settings). The sweepers'
periods can be set by environment for the tests that need them fast."""

from liaison.env import env_float


def beat_schedule() -> dict:
    return {
        "close-unevaluated-issues": {"task": "issues.tasks.close_unevaluated_issues", "schedule": 15 * 60},
        "sweep-forwardings": {
            "task": "issues.tasks.sweep_forwardings",
            "schedule": env_float("FORWARDING_SWEEP_SECONDS", 15.0, minimum=0.1),
        },
        "send-deadline-reminders": {"task": "issues.tasks.send_deadline_reminders", "schedule": 5 * 60},
        "send-new-case-alerts": {
            "task": "issues.tasks.send_new_case_alerts",
            "schedule": env_float("ALERT_NEW_CASE_SECONDS", 30.0, minimum=1.0),
        },
        "send-alert-digests": {"task": "issues.tasks.send_alert_digests", "schedule": 15 * 60},
        "escalate-cases": {"task": "issues.tasks.escalate_cases", "schedule": 15 * 60},
        "sweep-work-notices": {"task": "issues.tasks.sweep_work_notices", "schedule": 30.0},
        "sweep-sms": {"task": "issues.tasks.sweep_sms", "schedule": env_float("SMS_SWEEP_SECONDS", 15.0, minimum=0.1)},
        "send-rating-reminders": {"task": "issues.tasks.send_rating_reminders", "schedule": 15 * 60},
        "refresh-dashboard-snapshots": {"task": "dashboard.tasks.refresh_snapshots", "schedule": 10 * 60},
        "resume-roster-imports": {"task": "rosters.tasks.resume_imports", "schedule": 60.0},
        "worker-heartbeat": {"task": "liaison.heartbeat", "schedule": 30.0},
        "stub-deliver-replies": {
            "task": "governance_stub.tasks.deliver_due",
            "schedule": env_float("GOVERNANCE_STUB_DELIVERY_SECONDS", 5.0, minimum=0.1),
        },
    }
