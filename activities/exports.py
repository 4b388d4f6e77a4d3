"""The follow-up supervision list (跟踪督办清单) as an XLSX workbook, from the same selector as
the print page, written through liaison.exports like every export: an item's title is typed by
staff or deputies and must never become a live formula in the file."""

from django.utils.text import capfirst
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font

from activities.models import Activity, ActivityItem
from activities.selectors import supervision_list
from liaison.exports import append_row, workbook_bytes


def _item_label(field: str) -> str:
    return str(capfirst(ActivityItem._meta.get_field(field).verbose_name))


def supervision_headers() -> list[str]:
    return [
        _("No."),
        _("Item"),
        _("Case"),
        _("Responsible department"),
        _("Promised measure"),
        # The promise's deadlines, by the model's own names (承诺时限), not the case's 办结时限.
        _item_label("deadline"),
        _item_label("first_deadline"),
        _("Kept on"),
        _("Status"),
        _("Case state"),
        _("Deputies' rating"),
        _("Return visits"),
    ]


def supervision_xlsx(activity: Activity) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.title = _("Supervision list")[:31]
    append_row(sheet, [f"{activity.station.name} · {activity}"])
    sheet["A1"].font = Font(bold=True, size=13)
    append_row(sheet, supervision_headers())
    for cell in sheet[2]:
        cell.font = Font(bold=True)
    for row in supervision_list(activity):
        append_row(
            sheet,
            [
                row.number,
                row.title,
                row.case_code,
                row.department,
                row.measure,
                row.deadline,
                row.first_deadline if row.first_deadline != row.deadline else None,
                row.kept_at,
                row.status_label,
                row.case_state,
                row.rating,
                row.return_visits,
            ],
        )
    for letter, width in zip("ABCDEFGHIJKL", [6, 30, 12, 20, 40, 12, 12, 12, 12, 12, 24, 8], strict=True):
        sheet.column_dimensions[letter].width = width
    for cells in sheet.iter_rows(min_row=3):
        for cell in cells:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
            if cell.is_date:
                cell.number_format = "yyyy-mm-dd"
    return workbook_bytes(book)
