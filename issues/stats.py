"""The network's figures (答复率, 办结率, 满意率, …) for whoever asks, computed in SQL.

`issue_stats` is the one computation behind `/api/stats/` and the dashboard: at most two queries
whatever the number of cases (one conditional aggregate, one for the median), both limited to
`issues_visible_to(user)`. Every figure carries its definition, and every rate its numerator
and denominator, so that a reader can check it and nobody has to guess what was divided by what.
"""

from datetime import datetime

from django.db.models import Count, DurationField, ExpressionWrapper, F, Q
from django.utils.translation import gettext as _

from issues import clock
from issues.models import OPEN_STATES, Rating, State
from issues.selectors import issues_visible_to

_REJECTED = Q(state=State.REJECTED)
_ACCEPTED_NOT_REJECTED = Q(accepted_at__isnull=False) & ~_REJECTED
_SATISFIED = Q(rating__in=[Rating.SATISFIED, Rating.BASICALLY_SATISFIED])


def _rate(numerator: int, denominator: int, definition: str) -> dict:
    return {
        "numerator": numerator,
        "denominator": denominator,
        "rate": numerator / denominator if denominator else None,
        "definition": definition,
    }


def _count(value: int, definition: str) -> dict:
    return {"value": value, "definition": definition}


def issue_stats(
    user,
    *,
    start: datetime | None = None,
    end: datetime | None = None,
    station_id: int | None = None,
    category_id: int | None = None,
    channel: str | None = None,
) -> dict:
    """The figures over the cases this user may see that were submitted in [start, end) (either
    bound may be open), optionally of one station, category or channel."""
    now = clock.now()
    cases = issues_visible_to(user)
    if start is not None:
        cases = cases.filter(created_at__gte=start)
    if end is not None:
        cases = cases.filter(created_at__lt=end)
    if station_id is not None:
        cases = cases.filter(station_id=station_id)
    if category_id is not None:
        cases = cases.filter(category_id=category_id)
    if channel:
        cases = cases.filter(channel=channel)

    c = cases.aggregate(
        received=Count("pk"),
        rejected=Count("pk", filter=_REJECTED),
        accepted=Count("pk", filter=_ACCEPTED_NOT_REJECTED),
        replied=Count("pk", filter=_ACCEPTED_NOT_REJECTED & Q(first_replied_at__isnull=False)),
        first_replied=Count("pk", filter=Q(first_replied_at__isnull=False)),
        reply_timed=Count("pk", filter=Q(last_reply_on_time__isnull=False)),
        reply_on_time=Count("pk", filter=Q(last_reply_on_time=True)),
        solved=Count("pk", filter=Q(state__in=[State.EVALUATED, State.CLOSED])),
        evaluated=Count("pk", filter=~Q(rating="")),
        satisfied=Count("pk", filter=_SATISFIED),
        rehandled=Count("pk", filter=Q(round__gt=1)),
        overdue=Count("pk", filter=Q(state__in=OPEN_STATES, deadline__lt=now)),
    )
    median = _median_seconds_to_first_reply(cases, c["first_replied"])
    return {
        "start": start,
        "end": end,
        "computed_at": now,
        "received": _count(c["received"], _("Cases submitted in the period.")),
        "rejected": _count(c["rejected"], _("Cases of the period that were not accepted (不予受理).")),
        "rehandled": _count(
            c["rehandled"], _("Cases of the period handled more than once (reopened after an unsatisfied rating).")
        ),
        "overdue_now": _count(
            c["overdue"], _("Cases of the period still being handled whose current deadline has passed, now.")
        ),
        "reply_rate": _rate(
            c["replied"],
            c["accepted"],
            _("Cases replied to at least once ÷ cases accepted and not rejected afterwards."),
        ),
        "on_time_reply_rate": _rate(
            c["reply_on_time"],
            c["reply_timed"],
            _("Cases whose latest reply came before its deadline ÷ cases replied to at least once."),
        ),
        "solved_rate": _rate(
            c["solved"],
            c["received"] - c["rejected"],
            _(
                "Cases finished (rated satisfied or basically satisfied, or closed without a rating) ÷ cases received "
                "minus rejected ones."
            ),
        ),
        "satisfaction_rate": _rate(
            c["satisfied"],
            c["evaluated"],
            _(
                "Cases whose latest rating is satisfied or basically satisfied ÷ cases rated at least once. Cases "
                "closed without a rating are not in it and never count as satisfied."
            ),
        ),
        "median_seconds_to_first_reply": {
            "seconds": median,
            "sample": c["first_replied"],
            "definition": _("Median time from submission to the first reply, over the cases replied to."),
        },
    }


def _median_seconds_to_first_reply(cases, n: int) -> float | None:
    """The middle one or two of the `n` durations in SQL order: one query, portable to SQLite and
    PostgreSQL, and no list of every duration in Python."""
    if n == 0:
        return None
    to_reply = ExpressionWrapper(F("first_replied_at") - F("created_at"), output_field=DurationField())
    replied = cases.filter(first_replied_at__isnull=False).annotate(to_reply=to_reply)
    lo = (n - 1) // 2
    middle = list(replied.order_by("to_reply", "pk").values_list("to_reply", flat=True)[lo : lo + 2 - n % 2])
    return sum(d.total_seconds() for d in middle) / len(middle)
