"""Time a deputy's duty record and a station's quarterly PDF on a database filled by
`manage.py fill_bench_data` (issue 21; targets: the record page under 300 ms, the PDF under 10 s).

Through Django's test client in this process (no web server: what is timed is the view, its
queries and its template), as the bench's township staff (`bench_township`, who sees the first
township's ten stations):
  1. the record page /admin/records/<id>/ of the busiest deputy of that township, this year,
  2. GET /api/deputies/<id>/record/ for the same deputy and period (token),
  3. the station's quarterly report (工作报告) for the last full quarter: the figures, the HTML
     and the PDF drawn by WeasyPrint, as the Celery task builds it (records.services).
Prints the median, min and max of --runs runs after a warm-up, the queries of each request,
and the load average.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/liaison_record_bench \
        .venv/bin/python bench/record_bench.py [--runs 7] [--pdf-runs 3]
"""

import argparse
import os
import statistics
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "liaison.settings")
os.environ.setdefault("DJANGO_DEBUG", "0")
os.environ.setdefault("DJANGO_SECRET_KEY", "bench-only-not-a-secret")
os.environ.setdefault("DJANGO_ALLOWED_HOSTS", "testserver")
os.environ.setdefault("RATE_LIMITS_ENABLED", "0")
os.environ.setdefault("DJANGO_MEDIA_ROOT", tempfile.mkdtemp(prefix="record-bench-"))

import django

django.setup()

from django.conf import settings  # noqa: E402
from django.contrib.auth import get_user_model  # noqa: E402
from django.db import connection  # noqa: E402
from django.db.models import Count  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.utils import timezone  # noqa: E402
from rest_framework.authtoken.models import Token  # noqa: E402

from issues.models import Issue  # noqa: E402
from issues.permissions import scope_of  # noqa: E402
from records.models import Report  # noqa: E402
from records.services import report_build  # noqa: E402


def timed(run, runs: int) -> list[float]:
    run()  # warm-up (and a check)
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        run()
        times.append((time.perf_counter() - started) * 1000)
    return times


def queries_of(run) -> int:
    with CaptureQueriesContext(connection) as queries:
        run()
    return len(queries.captured_queries)


def last_full_quarter(today: date) -> tuple[int, int]:
    quarter = (today.month - 1) // 3 + 1
    return (today.year, quarter - 1) if quarter > 1 else (today.year - 1, 4)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--pdf-runs", type=int, default=3)
    args = parser.parse_args()
    if connection.vendor != "postgresql":
        sys.exit("Run it on PostgreSQL (DATABASE_URL), filled by manage.py fill_bench_data.")
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    township = get_user_model().objects.get(username="bench_township")
    busiest = (
        Issue.objects.filter(scope_of(township).issue_filter(), deputy__isnull=False)
        .values("deputy_id", "station_id")
        .annotate(n=Count("pk"))
        .order_by("-n")
        .first()
    )
    deputy_id, station_id = busiest["deputy_id"], busiest["station_id"]
    today = timezone.localdate()
    year, quarter = last_full_quarter(today)
    page = Client()
    page.force_login(township)
    token = Token.objects.get_or_create(user=township)[0].key
    api = Client(HTTP_AUTHORIZATION=f"Token {token}")
    period = {"start": today.replace(month=1, day=1).isoformat(), "end": today.isoformat()}

    def record_page():
        response = page.get(f"/admin/records/{deputy_id}/", period, secure=True)
        assert response.status_code == 200, response.status_code

    def record_api():
        response = api.get(f"/api/deputies/{deputy_id}/record/", period, secure=True)
        assert response.status_code == 200, response.status_code

    def quarterly_pdf():
        report = Report.objects.create(
            kind=Report.Kind.STATION_QUARTERLY, station_id=station_id, year=year, quarter=quarter, requested_by=township
        )
        built = report_build(report_id=report.pk)
        assert built.status == Report.Status.DONE, built.error
        built.file.delete(save=False)
        report.delete()

    print(f"{Issue.objects.count():,} cases; deputy {deputy_id} ({busiest['n']:,} cases), station {station_id}")
    print(f"load average before: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    print(f"{'request':48} {'median':>9} {'min':>8} {'max':>8} {'queries':>8}")
    for label, run, runs in [
        ("record page, one deputy, this year", record_page, args.runs),
        ("/api/deputies/{id}/record/, this year", record_api, args.runs),
        (f"station's quarterly PDF, {year} Q{quarter}", quarterly_pdf, args.pdf_runs),
    ]:
        times = timed(run, runs)
        count = queries_of(run)
        print(f"{label:48} {statistics.median(times):7.0f}ms {min(times):6.0f}ms {max(times):6.0f}ms {count:>8}")
    print(f"load average after: {' '.join(f'{x:.2f}' for x in os.getloadavg())}  ({os.cpu_count()} CPUs)")


if __name__ == "__main__":
    main()
