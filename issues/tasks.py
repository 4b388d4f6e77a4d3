from celery import shared_task

from issues import services


@shared_task(ignore_result=True)
def close_unevaluated_issues() -> int:
    """Close replied cases whose evaluation window has passed (never counted as satisfied)."""
    return services.close_expired_evaluations()
