"""CSV and XLSX exports of the figures and of the filtered case list. Phones are masked and every
text cell that a spreadsheet would read as a formula (= + - @, tab, carriage return) is prefixed
with a quote, so that a villager's text can never run in a staff member's spreadsheet."""

import csv
import io

from django.http import HttpResponse, StreamingHttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook

from dashboard.figures import ACTIVITY_CARDS, CARDS, cards
from dashboard.templatetags.dashboard_tags import human_duration
from issues.validators import mask_phone

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def safe_cell(value):
    """The value as a spreadsheet should show it: text starting like a formula gets a quote."""
    if value is None:
        return ""
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


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


CASE_COLUMNS = [
    ("short_code", lambda: _("Short code")),
    ("created_at", lambda: _("Submitted at")),
    ("station", lambda: _("Station")),
    ("deputy", lambda: _("Deputy")),
    ("category", lambda: _("Category")),
    ("channel", lambda: _("Channel")),
    ("state", lambda: _("State")),
    ("round", lambda: _("Round")),
    ("deadline", lambda: _("Deadline")),
    ("overdue", lambda: _("Overdue")),
    ("first_replied_at", lambda: _("First replied at")),
    ("rating", lambda: _("Latest rating")),
    ("submitter_name", lambda: _("Submitter")),
    ("submitter_phone", lambda: _("Phone (masked)")),
    ("content", lambda: _("Content")),
]


def case_rows(cases, now):
    yield [label() for _key, label in CASE_COLUMNS]
    rows = cases.select_related("station", "deputy", "category").order_by("created_at", "pk")
    for issue in rows.iterator(chunk_size=2000):
        overdue = issue.state in ("submitted", "accepted", "reviewed", "assigned") and bool(
            issue.deadline and issue.deadline < now
        )
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
            _("yes") if overdue else "",
            _local(issue.first_replied_at),
            issue.get_rating_display() if issue.rating else "",
            issue.submitter_name,
            mask_phone(issue.submitter_phone),
            issue.content,
        ]


class _Echo:
    def write(self, value):
        return value


def csv_response(rows, filename: str) -> StreamingHttpResponse:
    writer = csv.writer(_Echo())

    def stream():
        yield "\ufeff"  # so that Excel opens the UTF-8 file with its Chinese intact
        for row in rows:
            yield writer.writerow([safe_cell(v) for v in row])

    response = StreamingHttpResponse(stream(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def xlsx_response(rows, filename: str, title: str) -> HttpResponse:
    book = Workbook(write_only=True)
    sheet = book.create_sheet(title=title[:31])
    for row in rows:
        sheet.append([safe_cell(v) for v in row])
    buffer = io.BytesIO()
    book.save(buffer)
    response = HttpResponse(buffer.getvalue(), content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
