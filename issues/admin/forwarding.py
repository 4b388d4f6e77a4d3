"""The forwarding status of a case on its admin page (pending / delivered / failed with its
error) and "retry now" for station staff.

Forwarding lives in issues.models.Forwarding and issues.forwarding; both are looked up lazily
so that this page keeps working (showing nothing) in a tree without them."""

from django.apps import apps

from issues.models import Action, Issue
from issues.permissions import allowed_roles, scope_of


def forwarding_model():
    try:
        return apps.get_model("issues", "Forwarding")
    except LookupError:
        return None


def retry_service():
    try:
        from issues.forwarding import forwarding_retry_now
    except ImportError:
        return None
    return forwarding_retry_now


def forwarding_rows(issue: Issue) -> list | None:
    """The case's outbox rows, newest first; None when forwarding does not exist."""
    model = forwarding_model()
    if model is None:
        return None
    return list(model._default_manager.filter(issue=issue).order_by("-created_at", "-pk")[:10])


def may_retry(user, issue: Issue) -> bool:
    action = getattr(Action, "RETRY_FORWARDING", None)
    if action is None or retry_service() is None:
        return False
    return bool(scope_of(user).roles_for(issue) & allowed_roles(action, issue.state))
