"""Every write to a case. Each transition checks who may do it, locks the row, writes the new
state and one timeline event in one transaction, and computes the next deadline.

Callers (admin, pages, API, tasks) pass ids and plain values; they never set `Issue.state`.
"""

from issues.services.exchange import extension_decide
from issues.services.lifecycle import (
    Contact,
    close_expired_evaluations,
    issue_accept,
    issue_assign,
    issue_close_unevaluated,
    issue_evaluate,
    issue_extend_deadline,
    issue_reject,
    issue_reopen,
    issue_reply,
    issue_reveal_contact,
    issue_review,
    issue_transition,
)
from issues.services.submission import issue_submit

__all__ = [
    "Contact",
    "close_expired_evaluations",
    "extension_decide",
    "issue_accept",
    "issue_assign",
    "issue_close_unevaluated",
    "issue_evaluate",
    "issue_extend_deadline",
    "issue_reject",
    "issue_reopen",
    "issue_reply",
    "issue_reveal_contact",
    "issue_review",
    "issue_submit",
    "issue_transition",
]
