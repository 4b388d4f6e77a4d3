"""CSV and XLSX exports of the figures and of the filtered case list, written by liaison.exports
(which neutralises formula-like cells). Names and phones are masked: an export is a bulk copy,
and the villager was told that only those handling their case would see them."""

from django.db.models import Count, Max, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from dashboard.figures import ACTIVITY_CARDS, CARDS, cards
from dashboard.templatetags.dashboard_tags import human_duration
from issues.deadlines import deadline_label
from issues.models import OPEN_STATES
from issues.validators import mask_name, mask_phone
from liaison.exports import csv_response, safe_cell, xlsx_response

__all__ = ["case_rows", "csv_response", "figure_rows", "pinned", "safe_cell", "xlsx_response"]


def _local(dt) -> str:
    return timezone.localtime(dt).strftime("%Y-%m-%d %H:%M") if dt else ""


def figure_rows(figures: dict, activities: dict | None, heading: list[str]) -> list[list]:
    rows = [[_("Figure"), _("Value"), _("Numerator"), _("Denominator"), _("Definition")]]
    specs = [cards(figures, CARDS)]
    if activities:
        specs.append(cards(activities, ACTIVITY_CARDS))
    for group in specs:
        for c in group:
            if c["kind"] == "rate":
                value = f"{c['rate'] * 100:.1f}%" if c["rate"] is not None else ""
                rows.append([str(c["label"]), value, c["numerator"], c["denominator"], c["definition"]])
            elif c["kind"] == "duration":
                value = human_duration(c["seconds"]) if c["seconds"] is not None else ""
                rows.append([str(c["label"]), value, "", c["sample"], c["definition"]])
            else:
                rows.append([str(c["label"]), c["value"], "", "", c["definition"]])
    return [heading, *rows]


# Issue.deadline is the current state's deadline (issues.deadlines): in one column with its
# kind next to it, never under the name of one kind. The earlier steps' deadlines are not kept;
# whether the latest reply met its deadline is (last_reply_on_time), and has its own column.
CASE_COLUMNS = [
    ("short_code", lambda: _("Short code")),
    ("created_at", lambda: _("Submitted at")),
    ("station", lambda: _("Station")),
    ("deputy", lambda: _("Deputy")),
    ("category", lambda: _("Category")),
    ("channel", lambda: _("Channel")),
    ("state", lambda: _("State")),
    ("round", lambda: _("Round")),
    ("deadline", lambda: _("Current deadline")),
    ("deadline_kind", lambda: _("Kind of deadline")),
    ("overdue", lambda: _("Overdue")),
    ("first_replied_at", lambda: _("First replied at")),
    ("last_reply_on_time", lambda: _("Latest reply on time")),
    ("rating", lambda: _("Latest rating")),
    ("submitter_name", lambda: _("Submitter (masked)")),
    ("submitter_phone", lambda: _("Phone (masked)")),
    ("content", lambda: _("Content")),
]


def pinned(cases: QuerySet) -> tuple[QuerySet, int]:
    """The cases as of now and how many they are, in one query: cases sent while the file is
    being written stay out of it, so that the export log's row count is the file's."""
    found = cases.aggregate(n=Count("pk"), last=Max("pk"))
    return cases.filter(pk__lte=found["last"] or 0), found["n"]


def _yes_no(value: bool | None) -> str:
    if value is None:
        return ""
    return _("yes") if value else _("no")


def case_rows(cases, now):
    yield [label() for _key, label in CASE_COLUMNS]
    # voice_note: a case's text is its content and, once typed, its voice note's transcript.
    rows = cases.select_related("station", "deputy", "category", "voice_note").order_by("created_at", "pk")
    for issue in rows.iterator(chunk_size=2000):
        is_open = issue.state in OPEN_STATES
        yield [
            issue.short_code,
            _local(issue.created_at),
            issue.station.name,
            issue.deputy.name if issue.deputy else "",
            issue.category.name if issue.category else "",
            issue.get_channel_display(),
            issue.get_state_display(),
            issue.round,
            _local(issue.deadline),
            deadline_label(issue.state) if issue.deadline else "",
            _("yes") if is_open and issue.deadline and issue.deadline < now else "",
            _local(issue.first_replied_at),
            _yes_no(issue.last_reply_on_time),
            issue.get_rating_display() if issue.rating else "",
            mask_name(issue.submitter_name),
            mask_phone(issue.submitter_phone),
            issue.text_for_matching,
        ]
