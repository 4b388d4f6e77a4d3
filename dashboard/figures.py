"""The headline figures in the order the dashboard, the print view and the exports show them."""

from django.utils.translation import gettext_lazy as _

# (key in issue_stats' output, label, kind)
CARDS = [
    ("received", _("Cases received"), "count"),
    ("voter_contacts", _("Voter contacts"), "contacts"),
    ("reply_rate", _("Reply rate"), "rate"),
    ("on_time_reply_rate", _("On-time reply rate"), "rate"),
    ("solved_rate", _("Solved rate"), "rate"),
    ("satisfaction_rate", _("Satisfaction rate"), "rate"),
    ("rehandled", _("Handled again"), "count"),
    ("overdue_now", _("Overdue now"), "count"),
    ("median_seconds_to_department", _("Submission → department (median)"), "duration"),
    ("median_seconds_transmission", _("Platform hand-over → department (median)"), "duration"),
    ("median_seconds_to_first_reply", _("Submission → reply (median)"), "duration"),
    ("deputies_active", _("Deputies active"), "rate"),
]

ACTIVITY_CARDS = [
    ("promise_kept_rate", _("Promise-kept rate"), "rate"),
    ("deputy_participation_rate", _("Deputy participation rate"), "rate"),
    ("item_satisfaction", _("Deputies' satisfaction with activity items"), "rate"),
]

# What the source document says, shown beside the figure it speaks of.
TARGETS = {
    "median_seconds_transmission": _("source: within 5 seconds"),
    "median_seconds_to_department": _("source: within 5 seconds of the hand-over"),
    "median_seconds_to_first_reply": _("source: about 2 days"),
}


def cards(figures: dict, spec=CARDS) -> list[dict]:
    out = []
    for key, label, kind in spec:
        if key not in figures:
            continue
        out.append({"key": key, "label": label, "kind": kind, "target": TARGETS.get(key, ""), **figures[key]})
    return out
