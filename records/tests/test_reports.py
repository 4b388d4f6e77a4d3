"""The reports as PDF: built by the task after the request commits, kept, downloadable again by
those in scope; drawn offline; checked by rendering the pages (pdftoppm) and reading the text
back (pdftotext) against the duty record's figures."""

import shutil
import subprocess
from datetime import timedelta
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse

from issues.stats import issue_stats
from issues.tests.admin_support import client_for
from liaison.errors import InvalidInput
from records.models import Report
from records.pdf import OfflineFetcher, render_pdf
from records.reports import quarter_days
from records.selectors import day_start
from records.services import RecordNotFound, report_request

pytestmark = [pytest.mark.django_db, pytest.mark.postgres]

PAGES = Path(settings.BASE_DIR) / "var" / "test" / "report-pages"


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def _poppler(tool: str) -> str:
    path = shutil.which(tool)
    if path is None:  # never a skip: poppler-utils is in .ci/run's list
        pytest.fail(f"{tool} is required: apt-get install poppler-utils")
    return path


def _text(pdf: bytes, tmp_path) -> str:
    path = tmp_path / "report.pdf"
    path.write_bytes(pdf)
    command = [_poppler("pdftotext"), "-layout", str(path), "-"]
    return subprocess.run(command, capture_output=True, check=True, text=True).stdout  # noqa: S603 - our own PDF


def _pages(pdf: bytes, tmp_path, name: str) -> list[Path]:
    """Every page as a PNG (kept under var/test/report-pages to be looked at)."""
    PAGES.mkdir(parents=True, exist_ok=True)
    path = tmp_path / f"{name}.pdf"
    path.write_bytes(pdf)
    command = [_poppler("pdftoppm"), "-png", "-r", "60", str(path), str(PAGES / name)]
    subprocess.run(command, check=True)  # noqa: S603 - our own PDF
    return sorted(PAGES.glob(f"{name}*.png"))


def _build(django_capture_on_commit_callbacks, **kwargs) -> Report:
    with django_capture_on_commit_callbacks(execute=True):
        report = report_request(**kwargs)
    report.refresh_from_db()
    return report


def test_the_deputys_annual_report_is_built_kept_and_says_the_figures(
    october, frozen_now, django_capture_on_commit_callbacks, tmp_path
):
    report = _build(
        django_capture_on_commit_callbacks,
        user=october.station_staff,
        kind=Report.Kind.DEPUTY_ANNUAL,
        year=2025,
        deputy_id=october.deputy_a.pk,
    )
    assert (report.status, report.progress, report.error) == (Report.Status.DONE, 100, "")
    pdf = report.file.read()
    assert pdf.startswith(b"%PDF")
    text = _text(pdf, tmp_path)
    assert "陈海涛" in text and "述职" in text
    # The whole year holds October's figures only (the September case is the only other one).
    assert "4 / 5 (80.0%)" in text  # answered on time
    assert "1 / 2 (50.0%)" in text  # satisfaction, and promises kept
    assert "基础设施" in text and "大会问政" in text
    pages = _pages(pdf, tmp_path, "deputy-annual")
    assert pages and all(p.stat().st_size > 5000 for p in pages)


def test_the_stations_quarterly_report_has_the_dashboards_figures_and_its_deputies(
    october, frozen_now, django_capture_on_commit_callbacks, tmp_path
):
    report = _build(
        django_capture_on_commit_callbacks,
        user=october.station_staff,
        kind=Report.Kind.STATION_QUARTERLY,
        year=2025,
        quarter=4,
        station_id=october.railway_point.pk,
    )
    assert report.status == Report.Status.DONE, report.error
    text = _text(report.file.read(), tmp_path)
    first, last = quarter_days(2025, 4)
    figures = issue_stats(
        october.station_staff,
        start=day_start(first),
        end=day_start(last + timedelta(days=1)),
        station_id=october.railway_point.pk,
        extra_figures=True,
    )
    assert october.railway_point.name in text and "工作报告" in text
    assert f"{figures['received']['value']}" in text
    s = figures["satisfaction_rate"]
    assert f"{s['numerator']} / {s['denominator']} ({s['rate'] * 100:.1f}%)" in text
    assert "铁路施工期间的出行安全" in text and "陈海涛" in text
    assert _pages(Path(report.file.path).read_bytes(), tmp_path, "station-quarterly")


def test_a_report_for_an_empty_period_says_so(october, frozen_now, django_capture_on_commit_callbacks, tmp_path):
    report = _build(
        django_capture_on_commit_callbacks,
        user=october.station_staff,
        kind=Report.Kind.DEPUTY_ANNUAL,
        year=2024,
        deputy_id=october.deputy_a.pk,
    )
    text = _text(report.file.read(), tmp_path)
    assert report.status == Report.Status.DONE
    assert "该代表在本期没有任何记录" in text
    assert "（无可计算）" in text and "%)" not in text


def test_rendering_fetches_nothing_from_the_network_or_the_disk():
    fetcher = OfflineFetcher()
    html = (
        '<html><head><link rel="stylesheet" href="http://127.0.0.1:9/style.css"></head><body>'
        '<img src="https://example.invalid/logo.png"><img src="file:///etc/hostname">'
        '<img src="data:image/gif;base64,R0lGODlhAQABAAAAACw=">代表</body></html>'
    )
    pdf = render_pdf(html, fetcher)
    assert pdf.startswith(b"%PDF")
    assert fetcher.refused == [
        "http://127.0.0.1:9/style.css",
        "https://example.invalid/logo.png",
        "file:///etc/hostname",
    ]


def test_a_report_on_someone_outside_the_scope_is_refused_as_not_found(october):
    with pytest.raises(RecordNotFound):
        report_request(user=october.station_staff, kind="deputy_annual", year=2025, deputy_id=october.deputy_b.pk)
    with pytest.raises(RecordNotFound):
        report_request(
            user=october.deputy_a_user,
            kind="station_quarterly",
            year=2025,
            quarter=4,
            station_id=october.railway_point.pk,
        )
    assert not Report.objects.exists()


@pytest.mark.parametrize(
    "kwargs, field",
    [
        ({"kind": "station_quarterly", "year": 2025, "quarter": 5}, "quarter"),
        ({"kind": "deputy_annual", "year": 1999}, "year"),
        ({"kind": "monthly", "year": 2025}, "kind"),
    ],
)
def test_a_bad_request_for_a_report_says_what_to_fix_and_writes_nothing(october, kwargs, field):
    with pytest.raises(InvalidInput) as error:
        report_request(
            user=october.station_staff, deputy_id=october.deputy_a.pk, station_id=october.railway_point.pk, **kwargs
        )
    assert error.value.field == field
    assert not Report.objects.exists()


def test_the_report_pages_show_progress_and_the_file_downloads_again_in_scope_only(
    october, frozen_now, django_capture_on_commit_callbacks
):
    staff = client_for(october, "station_staff")
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = staff.post(
            reverse("records:request-report"),
            {"kind": "deputy_annual", "year": "2025", "deputy": october.deputy_a.pk},
        )
    report = Report.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("records:report", args=[report.pk])
    waiting = staff.get(reverse("records:report", args=[report.pk])).content.decode()
    assert 'data-status="pending"' in waiting and 'http-equiv="refresh"' in waiting
    for callback in callbacks:
        callback()
    done = staff.get(reverse("records:report", args=[report.pk])).content.decode()
    assert 'data-status="done"' in done and "refresh" not in done
    for _attempt in range(2):  # kept: the same file, downloaded again
        download = staff.get(reverse("records:report-download", args=[report.pk]))
        assert download.status_code == 200 and download["Content-Type"] == "application/pdf"
        assert b"".join(download.streaming_content).startswith(b"%PDF")
    for role, status in [("deputy_a", 200), ("township_staff", 200), ("deputy_b", 404)]:
        client = client_for(october, role)
        assert client.get(reverse("records:report", args=[report.pk])).status_code == status, role
        assert client.get(reverse("records:report-download", args=[report.pk])).status_code == status, role


def test_asking_for_a_report_on_a_deputy_outside_the_scope_is_a_404(october):
    response = client_for(october, "deputy_b").post(
        reverse("records:request-report"), {"kind": "deputy_annual", "year": "2025", "deputy": october.deputy_a.pk}
    )
    assert response.status_code == 404
    assert not Report.objects.exists()
