"""CSV and XLSX exports of the figures and of the filtered case list, written by liaison.exports
(which neutralises formula-like cells). Names and phones are masked: an export is a bulk copy,
and the villager was told that only those handling their case would see them."""

from django.db.models import Count, Max, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from dashboard.figures import ACTIVITY_CARDS, CARDS, cards
from dashboard.templatetags.dashboard_tags import human_duration
from issues.deadlines import deadline_label
from issues.models import OPEN_STATES, Channel, Rating, State
from issues.validators import mask_name, mask_phone
from liaison.exports import csv_response, safe_cell, xlsx_response

__all__ = ["case_rows", "csv_response", "figure_rows", "pinned", "safe_cell", "xlsx_response"]


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


# What a row of the case list reads, straight from the database (no model instances): at a
# million rows building instances and translating each choice label per row was half the time.
_CASE_FIELDS = (
    "short_code",
    "created_at",
    "station__name",
    "deputy__name",
    "category__name",
    "channel",
    "state",
    "round",
    "deadline",
    "first_replied_at",
    "last_reply_on_time",
    "rating",
    "submitter_name",
    "submitter_phone",
    "content",
    "voice_note__transcript",  # a case's text is its content and, once typed, its voice note's
)
CHUNK = 5000


def case_rows(cases, now):
    """The header, then one list per case (oldest first). The choice labels are translated once."""
    yield [label() for _key, label in CASE_COLUMNS]
    channels = {value: str(label) for value, label in Channel.choices}
    states = {value: str(label) for value, label in State.choices}
    ratings = {value: str(label) for value, label in Rating.choices}
    kinds = {state: deadline_label(state) for state in State.values}
    yes, no = _("yes"), _("no")
    on_time = {None: "", True: yes, False: no}
    tz = timezone.get_current_timezone()

    def local(dt) -> str:
        return dt.astimezone(tz).strftime("%Y-%m-%d %H:%M") if dt else ""

    rows = cases.order_by("created_at", "pk").values_list(*_CASE_FIELDS)
    for (
        code,
        created,
        station,
        deputy,
        category,
        channel,
        state,
        handling_round,
        deadline,
        first_replied,
        reply_on_time,
        rating,
        name,
        phone,
        content,
        transcript,
    ) in rows.iterator(chunk_size=CHUNK):
        yield [
            code,
            local(created),
            station,
            deputy or "",
            category or "",
            channels.get(channel, channel),
            states.get(state, state),
            handling_round,
            local(deadline),
            kinds.get(state, "") if deadline else "",
            yes if deadline and state in OPEN_STATES and deadline < now else "",
            local(first_replied),
            on_time[reply_on_time],
            ratings.get(rating, rating) if rating else "",
            mask_name(name),
            mask_phone(phone),
            "\n".join(part for part in (content, transcript) if part),
        ]
