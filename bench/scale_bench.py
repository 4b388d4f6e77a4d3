"""The staff pages at millions of cases (issue 18), on a database filled by `manage.py fill_bench_data`.

For each role (a province administrator, a county administrator, township staff, station staff,
a deputy, and a superuser) and each page: the case list (default view, a status filter, a search by a case
code, page 500), the case page, the queue (the list's "my queue" view), /api/issues/ and
/dashboard/. Each request runs --runs times after one warm-up through Django's test client in
this process (no web server: what is timed is the view, its queries and its template); prints
the median, the p95 and the number of SQL queries, after the database's size. With
DATABASE_TASK_STATEMENT_TIMEOUT=25 (seconds) a page whose query runs longer shows as failed, as
behind gunicorn (whose web processes get that timeout by default).

The dashboard is served from its snapshot (dashboard.snapshots): the row "dashboard compute" is
one computation of the role's snapshot for this year, stored as its background task stores it
(its cost, run once); the "/dashboard/" row after it is a reader served from that snapshot.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/liaison_scale \
        .venv/bin/python bench/scale_bench.py [--runs 7] [--only list,page500] [--roles admin,township]
"""

import argparse
import os
import statistics
import sys
import time
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
from rest_framework.authtoken.models import Token  # noqa: E402

from issues.selectors import issues_visible_to  # noqa: E402
from testsupport.twofactor import verified_login  # noqa: E402

LIST = "/admin/issues/issue/"


def roles() -> dict:
    users = get_user_model().objects
    deputy = users.filter(username__startswith="bench_deputy_").order_by("pk").first()
    station = users.filter(username__startswith="bench_station_").order_by("pk").first()
    return {
        "province": users.get(username="bench_province_admin"),
        "county": users.get(username="bench_county_admin"),
        "township": users.get(username="bench_township"),
        "station": station,
        "deputy": deputy,
        "superuser": users.get(username="bench_admin"),
    }


def pages(user) -> dict:
    """page name → (path, params): the same pages for every role, on cases of their own scope."""
    mine = issues_visible_to(user).order_by("-created_at", "-pk")
    one = mine.values_list("pk", "short_code").first()
    return {
        "list": (LIST, {}),
        "list ?state": (LIST, {"state": "assigned", "queue": "all"}),
        "list ?q=code": (LIST, {"q": one[1]}),
        "list page 500": (LIST, {"p": "500", "queue": "all"}),
        "case page": (f"{LIST}{one[0]}/change/", {}),
        "queue": (LIST, {"queue": "mine"}),
        "/api/issues/": ("/api/issues/", {}),
        "dashboard compute": ("", {}),
        "/dashboard/": ("/dashboard/", {}),
    }


def measure(client: Client, path: str, params: dict, runs: int, **headers) -> tuple[list[float], int, int]:
    response = client.get(path, params, secure=True, **headers)  # warm-up (and a check)
    status = response.status_code
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        client.get(path, params, secure=True, **headers)
        times.append((time.perf_counter() - started) * 1000)
    with CaptureQueriesContext(connection) as queries:
        client.get(path, params, secure=True, **headers)
    return times, len(queries.captured_queries), status


def compute_once(user) -> tuple[list[float], int, int]:
    """One computation of this user's dashboard snapshot for this year, stored as the task
    stores it (dashboard.page.page_store): what the background task costs, and what makes the
    /dashboard/ row below a reader served from a snapshot."""
    from dashboard.page import page_store

    with CaptureQueriesContext(connection) as queries:
        started = time.perf_counter()
        page_store(user, {})
        elapsed = (time.perf_counter() - started) * 1000
    return [elapsed], len(queries.captured_queries), 0


def p95(times: list[float]) -> float:
    ordered = sorted(times)
    return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--only", default="", help="comma-separated page names (default: all)")
    parser.add_argument("--roles", default="", help="comma-separated roles (default: all)")
    args = parser.parse_args()
    if connection.vendor != "postgresql":
        sys.exit("Run it on PostgreSQL (DATABASE_URL), filled by manage.py fill_bench_data.")
    settings.STORAGES = {  # no collectstatic needed
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    with connection.cursor() as cur:
        cases = cur.execute("SELECT reltuples::bigint FROM pg_class WHERE relname = 'issues_issue'").fetchone()[0]
        size = cur.execute("SELECT pg_size_pretty(pg_database_size(current_database()))").fetchone()[0]
    print(f"~{cases:,} cases, database {size}; {args.runs} runs each after a warm-up")
    print(f"load average before: {' '.join(f'{x:.2f}' for x in os.getloadavg())}  ({os.cpu_count()} CPUs)")
    print(f"| {'page':16} | {'role':10} | {'median':>8} | {'p95':>8} | {'queries':>7} | status |")
    print(f"|{'-' * 18}|{'-' * 12}|{'-' * 10}:|{'-' * 10}:|{'-' * 9}:|--------|")
    only = {name for name in args.only.split(",") if name}
    wanted = {name for name in args.roles.split(",") if name}
    for role, user in roles().items():
        if wanted and role not in wanted:
            continue
        client = Client()
        verified_login(client, user)
        token = Token.objects.get_or_create(user=user)[0].key
        for name, (path, params) in pages(user).items():
            if only and name not in only:
                continue
            headers = {"HTTP_AUTHORIZATION": f"Token {token}"} if path.startswith("/api/") else {}
            try:
                if path:
                    times, queries, status = measure(client, path, params, args.runs, **headers)
                else:
                    times, queries, status = compute_once(user)
            except Exception as error:  # a statement timeout (DATABASE_TASK_STATEMENT_TIMEOUT), for one
                print(f"| {name:16} | {role:10} | failed: {type(error).__name__}: {str(error)[:60]} |", flush=True)
                connection.close()  # a new connection for the next page
                continue
            print(
                f"| {name:16} | {role:10} | {statistics.median(times):6.0f}ms | {p95(times):6.0f}ms "
                f"| {queries:>7} | {status:>6} |",
                flush=True,
            )
    print(f"load average after: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")


if __name__ == "__main__":
    main()
