"""The one way Liaison writes spreadsheets (CSV and XLSX), used by every export: the dashboard's
figures and cases, and the activities' supervision list.

Villagers' and staff members' text ends up in these files, and a spreadsheet runs a cell that
starts like a formula (=HYPERLINK("http://…") sends whoever clicks it elsewhere; DDE formulas can
do worse). Every cell goes through `safe_cell`, which makes such text plain text."""

import csv
import io

from django.http import HttpResponse, StreamingHttpResponse
from django.utils.functional import Promise
from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

# What Excel, LibreOffice and Google Sheets read as the start of a formula (OWASP "CSV
# injection"): = + - @, and tab or carriage return, which some of them skip before looking.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def safe_cell(value):
    """The value as a spreadsheet should show it: text that starts like a formula gets a leading
    quote, which keeps it text; numbers and dates stay what they are; None becomes empty."""
    if value is None:
        return ""
    if isinstance(value, Promise):  # a lazy translation
        value = str(value)
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


def safe_row(values) -> list:
    return [safe_cell(v) for v in values]


def _xlsx_cell(value):
    # XML cannot hold most control characters: openpyxl refuses them, and one pasted into a
    # villager's text would otherwise break the whole file. Removed before the formula check,
    # so that "\x01=..." cannot turn into a formula once the \x01 is gone.
    if isinstance(value, Promise):
        value = str(value)
    if isinstance(value, str):
        value = ILLEGAL_CHARACTERS_RE.sub("", value)
    return None if value is None else safe_cell(value)  # an empty cell, not an empty text


def xlsx_row(values) -> list:
    return [_xlsx_cell(v) for v in values]


def _attachment(response, filename: str):
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


class _Echo:
    def write(self, value):
        return value


def csv_response(rows, filename: str) -> StreamingHttpResponse:
    """Stream `rows` (an iterable of lists) as UTF-8 CSV, without holding them in memory."""
    writer = csv.writer(_Echo())

    def stream():
        yield "\ufeff"  # so that Excel opens the UTF-8 file with its Chinese intact
        for row in rows:
            yield writer.writerow(safe_row(row))

    return _attachment(StreamingHttpResponse(stream(), content_type="text/csv; charset=utf-8"), filename)


def xlsx_response(rows, filename: str, title: str) -> HttpResponse:
    """`rows` as a plain one-sheet workbook (write-only: memory stays flat for large exports)."""
    book = Workbook(write_only=True)
    sheet = book.create_sheet(title=title[:31])
    for row in rows:
        sheet.append(xlsx_row(row))
    return workbook_response(book, filename)


def append_row(sheet, values) -> None:
    """Append one row to a sheet built cell by cell (with styles), made safe like any other."""
    sheet.append(xlsx_row(values))


def workbook_bytes(book: Workbook) -> bytes:
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def workbook_response(book: Workbook, filename: str) -> HttpResponse:
    return _attachment(HttpResponse(workbook_bytes(book), content_type=XLSX), filename)
