"""The case export: names masked like phones for every role, every download logged (who, when,
which export, which filters, how many rows), and each column holding what its header says."""

import csv
import io
from datetime import timedelta

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from dashboard.exports import pinned
from dashboard.models import ExportLog
from dashboard.tests.conftest import PERIOD, T0
from issues import clock
from issues.models import Issue

pytestmark = pytest.mark.usefixtures("plain_static")
NAME = "赵大爷"


def _rows(response, fmt: str) -> list[list[str]]:
    if fmt == "csv":
        text = b"".join(response.streaming_content).decode("utf-8-sig")
        return list(csv.reader(io.StringIO(text)))
    sheet = load_workbook(io.BytesIO(response.content)).active
    return [["" if c is None else str(c) for c in row] for row in sheet.iter_rows(values_only=True)]


def _by_code(rows: list[list[str]]) -> dict[str, dict[str, str]]:
    header = rows[0]
    return {row[0]: dict(zip(header, row, strict=True)) for row in rows[1:]}


@pytest.fixture
def named(world, cases):
    with clock.frozen_at(T0):
        return world.submit(submitter_name=NAME, submitter_phone="13900001111")


@pytest.mark.parametrize("role", ["township_staff", "station_staff", "deputy_a_user", "admin"])
@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_the_case_export_masks_the_villagers_name_for_every_role(world, named, login, frozen_now, role, fmt):
    response = login(role).get(reverse("dashboard:export", args=["cases", fmt]), PERIOD)
    rows = _by_code(_rows(response, fmt))
    row = rows[named.short_code]
    assert row["反映人（已脱敏）"] == "赵**"
    assert row["电话（已脱敏）"] == "139****1111"
    assert not any(NAME in cell or "13900001111" in cell for r in rows.values() for cell in r.values())


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_each_case_export_is_logged_with_who_which_filters_and_how_many_rows(world, cases, login, frozen_now, fmt):
    response = login("township_staff").get(
        reverse("dashboard:export", args=["cases", fmt]), {**PERIOD, "category": world.category.pk}
    )
    rows = _rows(response, fmt)
    entry = ExportLog.objects.get()
    assert (entry.user, entry.username) == (world.township_staff, "township_staff")
    assert (entry.export, entry.format) == (ExportLog.Export.CASES, fmt)
    assert entry.row_count == len(rows) - 1 == 8
    assert entry.created_at == frozen_now
    assert entry.filters["first_day"] == "2025-09-01" and entry.filters["last_day"] == "2025-10-31"
    assert entry.filters["category_id"] == world.category.pk
    assert f"category={world.category.pk}" in entry.query_string and "period=custom" in entry.query_string


def test_a_filter_outside_the_scope_is_logged_as_sent_but_not_as_applied(world, cases, login, frozen_now):
    params = {**PERIOD, "station": world.xiushan_station.pk}
    login("township_staff").get(reverse("dashboard:export", args=["cases", "csv"]), params)
    entry = ExportLog.objects.get()
    assert f"station={world.xiushan_station.pk}" in entry.query_string
    assert entry.filters["station_id"] is None
    assert entry.row_count == 8  # 白泉镇's cases only, as in the file


def test_the_figures_export_carries_no_personal_data_and_is_not_logged(world, cases, login, frozen_now):
    response = login("township_staff").get(reverse("dashboard:export", args=["figures", "csv"]), PERIOD)
    assert response.status_code == 200
    assert not ExportLog.objects.exists()


def test_an_export_refused_before_it_starts_is_not_logged(world, login):
    assert login("township_staff").get("/dashboard/export/cases.pdf").status_code == 404
    assert not ExportLog.objects.exists()


def test_cases_sent_while_the_file_is_written_stay_out_of_it_and_out_of_the_count(world):
    first = world.submit()
    cases, count = pinned(Issue.objects.all())
    late = world.submit()
    assert count == 1
    assert list(cases) == [first] and late not in cases


def test_the_export_log_is_read_only_and_shown_to_superusers_only(world, cases, login, frozen_now):
    login("station_staff").get(reverse("dashboard:export", args=["cases", "xlsx"]), PERIOD)
    entry = ExportLog.objects.get()
    admin = login("admin")
    listing = admin.get(reverse("admin:dashboard_exportlog_changelist"))
    assert listing.status_code == 200 and "station_staff" in listing.content.decode()
    change = reverse("admin:dashboard_exportlog_change", args=[entry.pk])
    assert admin.get(change).status_code == 200
    assert admin.post(change, {"row_count": 0, "username": "x"}).status_code == 403
    assert admin.get(reverse("admin:dashboard_exportlog_add")).status_code == 403
    assert admin.post(reverse("admin:dashboard_exportlog_delete", args=[entry.pk]), {"post": "yes"}).status_code == 403
    entry.refresh_from_db()
    assert (entry.row_count, entry.username) == (8, "station_staff")
    for role in ("station_staff", "township_staff", "deputy_a_user"):
        client = login(role)
        assert client.get(reverse("admin:dashboard_exportlog_changelist")).status_code == 403
        assert client.get(change).status_code in (403, 404)
        assert "exportlog" not in client.get(reverse("admin:index")).content.decode()


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_each_deadline_column_holds_what_its_header_says(world, cases, login, frozen_now, fmt):
    rows = _rows(login("township_staff").get(reverse("dashboard:export", args=["cases", fmt]), PERIOD), fmt)
    header = rows[0]
    assert "当前时限" in header and "时限类型" in header and "最近一次答复是否按时" in header
    assert "办结时限" not in header  # the current deadline is of several kinds: never under one's name
    by_code = _by_code(rows)

    def row(name):
        return by_code[cases[name].short_code]

    def local(dt):
        return timezone.localtime(dt).strftime("%Y-%m-%d %H:%M")

    waiting, accepted, holiday = (Issue.objects.get(pk=cases[n].pk) for n in ("waiting", "accepted", "holiday"))
    assert (row("waiting")["当前时限"], row("waiting")["时限类型"]) == (local(waiting.deadline), "受理时限")
    assert (row("accepted")["当前时限"], row("accepted")["时限类型"]) == (local(accepted.deadline), "审核时限")
    # Replied across the holiday, on time; what is left to run is the villager's rating window.
    assert holiday.state == "replied"
    window = holiday.replied_at + timedelta(days=settings.ISSUE_EVALUATION_WINDOW_DAYS)
    assert (row("holiday")["当前时限"], row("holiday")["时限类型"]) == (local(window), "评价期限")
    assert row("holiday")["最近一次答复是否按时"] == "是"
    assert (row("rejected")["当前时限"], row("rejected")["时限类型"], row("rejected")["最近一次答复是否按时"]) == (
        "",
        "",
        "",
    )
    reopened = row("unsatisfied")
    assert reopened["时限类型"] == "办结时限" and reopened["办理轮次"] == "2"
