"""The supervision list's XLSX goes through liaison.exports: an item titled like a formula (or a
department named like one) comes out as text, and its headers name the promise's deadlines."""

import datetime
import io

import pytest
from django.test import Client
from django.utils import timezone
from openpyxl import load_workbook

from activities.exports import supervision_xlsx
from activities.models import Kind
from activities.services import activity_create, activity_hold, item_raise, promise_record
from issues import clock
from issues.models import Department

TITLES = [
    '=HYPERLINK("http://evil.example/","督办详情")',
    "+1+cmd|' /C calc'!A0",
    "-2+3+cmd|' /C calc'!A0",
    "@SUM(1+1)*cmd|' /C calc'!A0",
]
DEPARTMENT = "\t=1+1 城建办"  # typed by a superuser in the admin; the model keeps the tab


@pytest.fixture
def activity(world):
    staff = world.actor("station_staff")
    department = Department.objects.create(name=DEPARTMENT, region=world.baiquan)
    with clock.frozen_at(timezone.make_aware(datetime.datetime(2025, 6, 20, 10))):
        activity = activity_create(
            actor=staff,
            station_id=world.railway_point.pk,
            kind=Kind.TOWNSHIP_HEAD_APPOINTMENT,
            theme="铁路征地补偿乡长有约",
            topic_source="deputy",
            date=datetime.date(2025, 6, 20),
            deputy_ids=[world.deputy_a.pk],
        )
        activity_hold(actor=staff, activity_id=activity.pk, minutes="纪要", attendance=12)
        for title in TITLES:
            item = item_raise(actor=staff, activity_id=activity.pk, content="征地补偿款发放进度慢。", title=title)
        promise_record(
            actor=staff,
            item_id=item.pk,
            measure="-月底前发放完毕",
            department_id=department.pk,
            deadline=datetime.date(2025, 6, 30),
        )
    return activity


def _cells(content: bytes) -> list:
    sheet = load_workbook(io.BytesIO(content)).active
    return [cell for row in sheet.iter_rows() for cell in row if cell.value is not None]


def test_formula_like_titles_departments_and_measures_are_text_in_the_supervision_xlsx(world, activity):
    cells = _cells(supervision_xlsx(activity))
    assert not [c for c in cells if c.data_type == "f"]
    values = {c.value: c.data_type for c in cells}
    for title in TITLES:
        assert values.get("'" + title) == "s", title
        assert title not in values
    assert values.get("'" + DEPARTMENT) == "s"
    assert values.get("'-月底前发放完毕") == "s"


def test_the_supervision_xlsx_names_the_promises_deadlines_and_keeps_dates_as_dates(world, activity):
    sheet = load_workbook(io.BytesIO(supervision_xlsx(activity))).active
    header = [c.value for c in sheet[2]]
    assert "承诺时限" in header and "原定承诺时限" in header
    assert "办结时限" not in header  # that is a case's reply deadline, not a promise's
    deadline = sheet.cell(row=6, column=header.index("承诺时限") + 1)
    assert deadline.is_date and deadline.value.date() == datetime.date(2025, 6, 30)


def test_the_supervision_xlsx_station_staff_download_has_no_formula_cells(world, activity):
    client = Client()
    client.force_login(world.station_staff, backend="django.contrib.auth.backends.ModelBackend")
    response = client.get(f"/admin/activities/activity/{activity.pk}/supervision.xlsx")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert not [c for c in _cells(response.content) if c.data_type == "f"]
