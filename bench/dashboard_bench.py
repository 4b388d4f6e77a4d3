"""Time the dashboard on a database filled by `manage.py fill_bench_data` (issue 6).

Three requests, each run --runs times after one warm-up, through Django's test client in this
process (no web server: what is timed is the view, its queries and its template):
  1. /dashboard/ for the whole city over this year (a superuser),
  2. /dashboard/ for one township (township staff, this year),
  3. /api/stats/ for the whole city over the last 365 days (superuser token).
Each is timed twice: served from a recent snapshot (dashboard.FigureSnapshot, which a Celery
beat task refreshes), and computed live from the cases (snapshots off). Prints the median and
the spread, the number of SQL queries of each, and the load average.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/liaison_h_dash_bench \
        .venv/bin/python bench/dashboard_bench.py [--runs 7]
"""

import argparse
import os
import statistics
import sys
import time
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "liaison.settings")
os.environ.setdefault("DJANGO_DEBUG", "0")
os.environ.setdefault("DJANGO_SECRET_KEY", "bench-only-not-a-secret")
os.environ.setdefault("DJANGO_ALLOWED_HOSTS", "testserver")
os.environ.setdefault("RATE_LIMITS_ENABLED", "0")

import django

django.setup()

from django.conf import settings  # noqa: E402
from django.contrib.auth import get_user_model  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.utils import timezone  # noqa: E402
from rest_framework.authtoken.models import Token  # noqa: E402

from issues.models import Issue  # noqa: E402


def measure(client: Client, path: str, params: dict, runs: int, **headers) -> tuple[list[float], int]:
    response = client.get(path, params, secure=True, **headers)  # warm-up (and a check)
    assert response.status_code == 200, (path, response.status_code)
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        response = client.get(path, params, secure=True, **headers)
        times.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200
    with CaptureQueriesContext(connection) as queries:
        client.get(path, params, secure=True, **headers)
    return times, len(queries.captured_queries)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--cold-runs", type=int, default=3)
    args = parser.parse_args()
    if connection.vendor != "postgresql":
        sys.exit("Run it on PostgreSQL (DATABASE_URL), filled by manage.py fill_bench_data.")
    settings.STORAGES = {  # no collectstatic needed
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    users = get_user_model().objects
    admin, township = users.get(username="bench_admin"), users.get(username="bench_township")
    city, one = Client(), Client()
    city.force_login(admin)
    one.force_login(township)
    token = Token.objects.get_or_create(user=admin)[0].key
    today = timezone.localdate()
    year_ago = today - timedelta(days=364)
    cases = Issue.objects.count()
    print(f"{cases:,} cases in the database; {args.runs} runs each after a warm-up")
    print(f"load average before: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    rows = [
        ("dashboard, whole city, this year", city, "/dashboard/", {"period": "year"}, {}),
        ("dashboard, one township, this year", one, "/dashboard/", {"period": "year"}, {}),
        (
            "/api/stats/, whole city, 365 days",
            Client(),
            "/api/stats/",
            {"start": year_ago.isoformat(), "end": today.isoformat()},
            {"HTTP_AUTHORIZATION": f"Token {token}"},
        ),
    ]
    print(f"{'request':44} {'median':>9} {'min':>8} {'max':>8} {'queries':>8}")
    for label, client, path, params, headers in rows:
        # From the snapshot (what the page serves between two refreshes of the scheduled task).
        settings.DASHBOARD_SNAPSHOT_MAX_AGE = 600
        times, queries = measure(client, path, params, args.runs, **headers)
        print(f"{label:44} {statistics.median(times):7.0f}ms {min(times):6.0f}ms {max(times):6.0f}ms {queries:>8}")
        # Computed from the cases (what the scheduled task, or the first reader, pays).
        settings.DASHBOARD_SNAPSHOT_MAX_AGE = 0
        times, queries = measure(client, path, params, args.cold_runs, **headers)
        label = f"  computed live ({args.cold_runs} runs)"
        print(f"{label:44} {statistics.median(times):7.0f}ms {min(times):6.0f}ms {max(times):6.0f}ms {queries:>8}")
    print(f"load average after: {' '.join(f'{x:.2f}' for x in os.getloadavg())}  ({os.cpu_count()} CPUs)")


if __name__ == "__main__":
    main()
