"""Long case lists are written in the background (issue 18): the export is asked for, written by a
task on the reports queue through the storage, followed on a page that refreshes itself, kept and
downloaded again, by its requester only; a failure shows as failed, never as a shorter file."""

import csv
import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from dashboard import services, views
from dashboard.models import ExportJob, ExportLog
from dashboard.services import export_job_build, export_job_request
from dashboard.tests.conftest import PERIOD
from issues.models import Issue
from liaison.errors import InvalidInput
from liaison.queues import REPORTS, TASK_ROUTES

pytestmark = pytest.mark.usefixtures("plain_static")


@pytest.fixture(autouse=True)
def _files_in_tmp(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def small_sync(monkeypatch):
    monkeypatch.setattr(views, "SYNC_EXPORT_MAX", 2)


def _ask(client, fmt, capture, params=PERIOD):
    with capture(execute=True):
        return client.get(reverse("dashboard:export", args=["cases", fmt]), params)


def _file_rows(content: bytes, fmt: str) -> list[list[str]]:
    if fmt == "csv":
        return list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))
    sheet = load_workbook(io.BytesIO(content)).active
    return [["" if c is None else str(c) for c in row] for row in sheet.iter_rows(values_only=True)]


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_a_long_case_list_is_written_in_the_background_and_downloaded_from_its_page(
    world, cases, login, frozen_now, small_sync, django_capture_on_commit_callbacks, fmt
):
    client = login("admin")
    response = _ask(client, fmt, django_capture_on_commit_callbacks)
    job = ExportJob.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("dashboard:export-status", args=[job.pk])
    assert job.status == ExportJob.Status.DONE and job.user == world.admin and job.format == fmt
    page = client.get(response["Location"]).content.decode()
    assert 'http-equiv="refresh"' not in page and reverse("dashboard:export-download", args=[job.pk]) in page
    download = client.get(reverse("dashboard:export-download", args=[job.pk]))
    rows = _file_rows(b"".join(download.streaming_content), fmt)
    in_period = Issue.objects.filter(created_at__date__gte="2025-09-01", created_at__date__lte="2025-10-31")
    assert len(rows) - 1 == job.rows_total == in_period.count() > 2
    assert {r[0] for r in rows[1:]} == set(in_period.values_list("short_code", flat=True))
    # Kept: the list of exports has it, and it downloads again.
    assert (
        reverse("dashboard:export-download", args=[job.pk]) in client.get(reverse("dashboard:exports")).content.decode()
    )
    assert client.get(reverse("dashboard:export-download", args=[job.pk])).status_code == 200
    log = ExportLog.objects.get()
    assert log.user == world.admin and log.row_count == job.rows_total and log.format == fmt


def test_a_short_case_list_is_still_sent_at_once(world, cases, login, frozen_now, django_capture_on_commit_callbacks):
    response = _ask(login("admin"), "csv", django_capture_on_commit_callbacks)
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    assert not ExportJob.objects.exists()


def test_the_page_refreshes_itself_while_the_export_is_written(world, cases, login, frozen_now):
    client = login("station_staff")
    job = ExportJob.objects.create(user=world.station_staff, format="csv", query_string="period=year")
    ExportJob.objects.filter(pk=job.pk).update(status=ExportJob.Status.RUNNING, rows_total=200, rows_done=50)
    page = client.get(reverse("dashboard:export-status", args=[job.pk])).content.decode()
    assert 'http-equiv="refresh"' in page and 'value="25"' in page
    assert reverse("dashboard:export-download", args=[job.pk]) not in page
    assert client.get(reverse("dashboard:export-download", args=[job.pk])).status_code == 404


def test_the_background_export_holds_only_the_requesters_scope(
    world, cases, login, frozen_now, small_sync, django_capture_on_commit_callbacks
):
    client = login("station_staff")
    _ask(client, "csv", django_capture_on_commit_callbacks)
    job = ExportJob.objects.get()
    rows = _file_rows(
        b"".join(client.get(reverse("dashboard:export-download", args=[job.pk])).streaming_content), "csv"
    )
    stations = {r[2] for r in rows[1:]}
    assert stations == {world.railway_point.name}


@pytest.mark.parametrize("other", ["admin", "township_staff", "deputy_a_user", "deputy_b_user", "station_staff"])
def test_nobody_but_the_requester_sees_or_downloads_an_export(
    world, cases, login, frozen_now, small_sync, django_capture_on_commit_callbacks, other
):
    requester = "station_staff" if other != "station_staff" else "admin"
    _ask(login(requester), "csv", django_capture_on_commit_callbacks)
    job = ExportJob.objects.get()
    assert job.status == ExportJob.Status.DONE
    client = login(other)
    assert client.get(reverse("dashboard:export-status", args=[job.pk])).status_code == 404
    assert client.get(reverse("dashboard:export-download", args=[job.pk])).status_code == 404
    assert (
        reverse("dashboard:export-status", args=[job.pk])
        not in client.get(reverse("dashboard:exports")).content.decode()
    )


def test_an_export_that_fails_midway_is_shown_as_failed_and_keeps_no_file(
    world, cases, login, frozen_now, small_sync, django_capture_on_commit_callbacks, monkeypatch
):
    def broken(rows, now):
        yield ["header"]
        yield ["first row"]
        raise ConnectionError("the replica went away")

    monkeypatch.setattr(services.exports, "case_rows", broken)
    client = login("admin")
    response = _ask(client, "csv", django_capture_on_commit_callbacks)
    job = ExportJob.objects.get()
    assert job.status == ExportJob.Status.FAILED and not job.file and "replica" in job.error
    page = client.get(response["Location"]).content.decode()
    assert "errornote" in page and 'http-equiv="refresh"' not in page
    assert client.get(reverse("dashboard:export-download", args=[job.pk])).status_code == 404


def test_a_second_worker_finds_the_export_already_taken(world, cases, frozen_now, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False):
        job = export_job_request(user=world.admin, fmt="xlsx", query_string="period=year")
    assert export_job_build(job_id=job.pk).status == ExportJob.Status.DONE
    assert export_job_build(job_id=job.pk) is None
    assert ExportLog.objects.count() == 1


def test_progress_is_written_while_the_rows_go_out(world, cases, frozen_now, monkeypatch):
    monkeypatch.setattr(services, "PROGRESS_EVERY", 2)
    job = ExportJob.objects.create(user=world.admin, format="csv", query_string="period=year")
    seen = []

    def watched(rows, now):
        yield ["header"]
        for i in range(7):
            yield [f"row {i}"]
            seen.append(ExportJob.objects.get(pk=job.pk).rows_done)

    monkeypatch.setattr(services.exports, "case_rows", watched)
    export_job_build(job_id=job.pk)
    assert seen == sorted(seen) and seen[-1] >= 6  # noted every two rows, as they went out
    job.refresh_from_db()
    assert job.status == ExportJob.Status.DONE and job.percent == 100


def test_an_unknown_format_is_refused_and_nothing_is_written(world):
    with pytest.raises(InvalidInput):
        export_job_request(user=world.admin, fmt="pdf", query_string="")
    assert not ExportJob.objects.exists()


def test_an_unknown_export_or_format_in_the_address_is_a_404(world, login):
    client = login("admin")
    assert client.get(reverse("dashboard:export", args=["cases", "pdf"])).status_code == 404
    assert client.get(reverse("dashboard:export-status", args=[999999])).status_code == 404


def test_the_export_task_runs_on_the_reports_queue():
    assert TASK_ROUTES["dashboard.tasks.build_export"] == {"queue": REPORTS}
