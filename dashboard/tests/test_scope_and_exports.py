"""白泉镇's township staff never see 秀山乡's figures or cases: page, API, CSV, XLSX."""

import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from dashboard.exports import safe_cell
from dashboard.tests.conftest import PERIOD

pytestmark = pytest.mark.usefixtures("plain_static")
XIUSHAN_TEXT = "秀山乡码头的灯坏了"


def _csv(response) -> str:
    return b"".join(response.streaming_content).decode("utf-8-sig")


def _xlsx(response) -> list[list]:
    sheet = load_workbook(io.BytesIO(response.content)).active
    return [list(row) for row in sheet.iter_rows(values_only=True)]


def test_the_page_shows_no_case_or_station_of_xiushan(world, cases, login, frozen_now):
    response = login("township_staff").get(reverse("dashboard:index"), PERIOD)
    body = response.content.decode()
    assert world.xiushan_station.name not in body and world.xiushan.name not in body
    assert response.context["figures"]["received"]["value"] == 8


def test_asking_for_xiushan_by_id_is_refused_not_obeyed(world, cases, login, frozen_now):
    client = login("township_staff")
    for params in ({"station": world.xiushan_station.pk}, {"region": world.xiushan.pk}):
        response = client.get(reverse("dashboard:index"), {**PERIOD, **params})
        assert response.status_code == 200
        assert response.context["form"].errors  # not a valid choice
        assert response.context["figures"]["received"]["value"] == 8
        assert world.xiushan_station.name not in response.content.decode()


def test_the_api_gives_the_same_figures_and_no_xiushan(world, cases, frozen_now):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=world.township_staff).key}")
    body = client.get("/api/stats/", {"start": "2025-09-01", "end": "2025-10-31"}).json()
    assert body["received"]["value"] == 8 and body["voter_contacts"]["value"] == 9
    assert body["deputies_active"]["numerator"] == 1
    assert client.get("/api/stats/", {"station": world.xiushan_station.pk}).json()["received"]["value"] == 0
    assert client.get("/api/stats/", {"region": world.xiushan.pk}).json()["received"]["value"] == 0


def test_the_admin_may_narrow_the_api_to_a_region(world, cases, frozen_now):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=world.admin).key}")
    assert client.get("/api/stats/", {"region": world.xiushan.pk}).json()["received"]["value"] == 1
    assert client.get("/api/stats/", {"region": world.city.pk}).json()["received"]["value"] == 9


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_the_case_exports_hold_only_baiquan_cases_with_masked_phones(world, cases, login, frozen_now, fmt):
    response = login("township_staff").get(reverse("dashboard:export", args=["cases", fmt]), PERIOD)
    assert response.status_code == 200
    text = _csv(response) if fmt == "csv" else "\n".join(str(c) for row in _xlsx(response) for c in row)
    assert XIUSHAN_TEXT not in text and world.xiushan_station.name not in text
    assert "13812345678" not in text and "138****5678" in text
    assert text.count(cases["waiting"].short_code) == 1
    assert "'=HYPERLINK" in text  # a villager's formula stays text


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_the_figure_exports_hold_the_scoped_figures(world, cases, login, frozen_now, fmt):
    response = login("township_staff").get(reverse("dashboard:export", args=["figures", fmt]), PERIOD)
    rows = _xlsx(response) if fmt == "xlsx" else [line.split(",") for line in _csv(response).splitlines()]
    flat = [str(c) for row in rows for c in row]
    assert "白泉镇" in flat[0] and "秀山乡" not in "".join(flat)
    assert any(str(row[2]) == "5" and str(row[3]) == "6" for row in rows[2:])  # reply rate 5 / 6


def test_formula_like_cells_are_quoted():
    assert [safe_cell(v) for v in ("=1+1", "+86", "-3", "@SUM(A1)", "正常", 7)] == [
        "'=1+1",
        "'+86",
        "'-3",
        "'@SUM(A1)",
        "正常",
        7,
    ]


def test_an_unknown_export_is_not_found(world, login):
    assert login("township_staff").get("/dashboard/export/secrets.csv").status_code == 404
