"""The errors services raise, shared by every app: each has a machine code and a message in the
user's language, so pages, the admin and the API can show it as it is; and the one JSON shape
the API and the middleware answer them in (`error_body`)."""

from django.utils.translation import gettext_lazy as _


class IssueError(Exception):
    code = "issue_error"
    default_message = _("The case could not be changed.")

    def __init__(self, message=None, *, field: str | None = None):
        self.message = message or self.default_message
        self.field = field
        super().__init__(str(self.message))


class IssueNotFound(IssueError):
    """The case does not exist or is outside what the actor may see (never say which)."""

    code = "not_found"
    default_message = _("No such case.")


class ActionForbidden(IssueError):
    code = "forbidden"
    default_message = _("You may not do this to this case.")


class IllegalTransition(IssueError):
    """The action is not allowed from the case's current state (or another user was first)."""

    code = "illegal_transition"
    default_message = _("The case is not in a state that allows this.")


class InvalidInput(IssueError):
    code = "invalid"
    default_message = _("The input is not valid.")


class IdempotencyConflict(IssueError):
    """The idempotency key was used before for a different request."""

    code = "idempotency_conflict"
    default_message = _("This submission key was already used for different content.")


class StaleRound(IssueError):
    """An answer meant for an earlier handling round of a case that has since been reopened."""

    code = "stale_round"
    default_message = _("This answer is for an earlier round of the case.")


def error_body(code: str, message, fields: dict | None = None) -> dict:
    """The one JSON error shape of the API: {"error": {"code", "message", "fields"}}."""
    return {"error": {"code": code, "message": str(message), "fields": fields or {}}}
