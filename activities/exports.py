"""The follow-up supervision list (跟踪督办清单) as an XLSX workbook, from the same selector as
the print page."""

import io

from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font

from activities.models import Activity
from activities.selectors import supervision_list


def supervision_headers() -> list[str]:
    return [
        _("No."),
        _("Item"),
        _("Case"),
        _("Responsible department"),
        _("Promised measure"),
        _("Deadline"),
        _("First deadline"),
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
    sheet.append([f"{activity.station.name} · {activity}"])
    sheet["A1"].font = Font(bold=True, size=13)
    sheet.append(supervision_headers())
    for cell in sheet[2]:
        cell.font = Font(bold=True)
    for row in supervision_list(activity):
        sheet.append(
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
            ]
        )
    for letter, width in zip("ABCDEFGHIJKL", [6, 30, 12, 20, 40, 12, 12, 12, 12, 12, 24, 8], strict=True):
        sheet.column_dimensions[letter].width = width
    for cells in sheet.iter_rows(min_row=3):
        for cell in cells:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
            if cell.is_date:
                cell.number_format = "yyyy-mm-dd"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
