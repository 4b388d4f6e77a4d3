"""The headline figures in the order the dashboard, the print view and the exports show them,
each with the short line that says, under the figure, what it counts."""

from django.utils.translation import gettext_lazy as _

# (key in issue_stats' output, label, kind)
CARDS = [
    ("received", _("Cases received"), "count"),
    ("reports", _("Reports behind them"), "count"),
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

# One visible line under each figure: what it counts, in the words of the figure's full
# definition (the 口径 beside it), short enough for a phone. A reader who sees "7.7%" next to a
# table of busy deputies must learn here, not in a tooltip, that it counts the deputies' own use.
EXPLANATIONS = {
    "received": _("Cases submitted in the period, every channel; duplicates merged into one case count once."),
    "reports": _("Every villager's report: the cases received and the duplicates merged into them."),
    "voter_contacts": _("Cases received + reception days held at the stations."),
    "reply_rate": _("Cases replied to ÷ cases accepted (rejected ones left out)."),
    "on_time_reply_rate": _("Latest reply within the reply deadline ÷ cases replied to."),
    "solved_rate": _(
        "Finished (rated satisfied or basically satisfied, or the rating window passed) ÷ cases not rejected."
    ),
    "satisfaction_rate": _("Satisfied + basically satisfied ÷ cases rated; unrated cases left out."),
    "rehandled": _("Cases reopened after an unsatisfied rating."),
    "overdue_now": _("Still being handled and past their accept, review or reply deadline."),
    "median_seconds_to_department": _("From submission to the department, acceptance and review included."),
    "median_seconds_transmission": _("From the station's hand-over to the department: the platform alone."),
    "median_seconds_to_first_reply": _("From submission to the first reply, calendar time (holidays included)."),
    "deputies_active": _(
        "Deputies who used their own account on a case or held a reception day ÷ deputies stationed; "
        "what staff record for them does not count."
    ),
    "activities_held": _("Activities held in the period."),
    "promise_kept_rate": _("Promises kept by their deadline ÷ promises due."),
    "deputy_participation_rate": _("Deputies who attended an activity or a duty day ÷ deputies stationed."),
    "item_satisfaction": _("Deputies' ratings of activity items: satisfied + basically satisfied ÷ all."),
}

# What the source document reports of one township's practice, shown as a benchmark beside the
# figure it speaks of (no place name: a township's staff would read it as another's data). Its 5
# seconds are the platform's hand-over alone, not the whole way from submission.
TARGETS = {
    "median_seconds_transmission": _("Benchmark: delivered within 5 seconds (reported practice)."),
    "median_seconds_to_department": _("The 5-second benchmark is for the hand-over alone (next figure)."),
    "median_seconds_to_first_reply": _("Benchmark: a reply after about 2 days (reported practice)."),
}


def cards(figures: dict, spec=CARDS) -> list[dict]:
    out = []
    for key, label, kind in spec:
        if key not in figures:
            continue
        out.append(
            {
                "key": key,
                "label": label,
                "kind": kind,
                "explanation": EXPLANATIONS.get(key, ""),
                "target": TARGETS.get(key, ""),
                **figures[key],
            }
        )
    return out
