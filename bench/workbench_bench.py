"""Time the staff workbench for a station with 5,000 open cases (issue 15): the station staff's
queue (the case list, which opens on "my queue") and the similar-case panel of the case page.

The script migrates the PostgreSQL database named by `DATABASE_URL`, and the first time adds one
station (甬舟铁路项目基准联络点), its staff member and --cases open cases whose texts are drawn from
realistic Chinese reports (a fixed seed: the same texts every run). Then, after one warm-up,
each measurement runs --runs times through Django's test client in this process (no web server:
what is timed is the view, its queries and its template):
  1. the queue page, /admin/issues/issue/ as the station's staff member (25 rows of 5,000),
  2. the similar-case panel: issues.similar.similar_cases for one open case (over the station's
     5,000 open cases), both with the station's texts cached in the process (a worker that has
     served the station before) and with that cache emptied before each run (a fresh worker),
  3. the whole case page with that panel, /admin/issues/issue/<id>/change/.
Prints the median, min and max and the number of SQL queries, and the load average.

    createdb -h 127.0.0.1 -U postgres liaison_workbench_bench
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/liaison_workbench_bench \\
        .venv/bin/python bench/workbench_bench.py [--runs 15] [--cases 5000]
"""

import argparse
import os
import random
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
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from issues import clock  # noqa: E402
from issues.models import Category, Channel, Issue, State, new_short_code  # noqa: E402
from issues.similar import forget_cache, similar_cases, stored_grams  # noqa: E402
from liaison.tokens import new_public_token  # noqa: E402
from stations.models import Region, StaffMembership, Station  # noqa: E402
from stations.services import membership_grant  # noqa: E402

STATION = "甬舟铁路项目基准联络点"
STAFF = "bench_workbench_staff"
PLACES = ["村口", "村东头", "码头边", "学校门口", "菜场旁边", "活动室前", "铁路桥下", "渡口", "卫生院门口", "祠堂后面"]
THINGS = [
    "路灯",
    "垃圾桶",
    "公交站牌",
    "自来水管",
    "渡口栏杆",
    "路面",
    "下水道",
    "围墙",
    "健身器材",
    "排水沟",
    "电线杆",
    "护栏",
]
TROUBLES = [
    "坏了好几天没人修",
    "一直不亮，晚上走路很危险",
    "被大货车撞坏了",
    "堵住了，下雨天水漫到路上",
    "发出很大的臭味，苍蝇很多",
    "松动了，小孩子在旁边玩很危险",
    "晚上施工噪音太大，老人睡不着觉",
    "占了村民的菜地，补偿款还没发",
]
ASKS = ["希望尽快派人来看看。", "请代表帮忙反映一下。", "已经打过电话，还是没人管。", "麻烦相关部门处理。", ""]


def report(rng: random.Random) -> str:
    return f"{rng.choice(PLACES)}的{rng.choice(THINGS)}{rng.choice(TROUBLES)}，{rng.choice(ASKS)}"


def build(cases: int) -> tuple[Station, object]:
    """The bench station with `cases` open cases (added once; reused on later runs)."""
    station = Station.objects.filter(name=STATION).first()
    user_model = get_user_model()
    if station is not None:
        return station, user_model.objects.get(username=STAFF)
    city, _ = Region.objects.get_or_create(code="bench-330900", defaults={"name": "基准市", "level": "city"})
    township, _ = Region.objects.get_or_create(
        code="bench-330902104", defaults={"name": "基准镇", "level": "township", "parent": city}
    )
    station = Station.objects.create(name=STATION, kind=Station.Kind.POINT, region=township)
    staff = user_model.objects.create_user(STAFF, password="bench")  # noqa: S106 - a scratch database
    membership_grant(user=staff, role=StaffMembership.Role.STATION_STAFF, station=station)
    category, _ = Category.objects.get_or_create(name="基础设施", defaults={"reply_working_days": 5})
    rng = random.Random(15)
    now = clock.now()
    states = [State.SUBMITTED, State.ACCEPTED, State.REVIEWED, State.ASSIGNED]
    rows = []
    for i in range(cases):
        created = now - timedelta(days=rng.uniform(0, 60))
        rows.append(
            Issue(
                tracking_code=new_public_token(),
                short_code=new_short_code(),
                channel=Channel.STATION_QR,
                station=station,
                region_path=station.region.path,
                category=category,
                content=(text := report(rng)),
                match_grams=stored_grams(text),  # as issue_submit stores them
                state=states[i % len(states)],
                deadline=created + timedelta(days=rng.uniform(1, 20)),
                created_at=created,
                updated_at=created,
            )
        )
    # Bench data only, straight into the table: the cases' timelines are not what is timed.
    Issue.objects.bulk_create(rows, batch_size=1000)
    with connection.cursor() as cursor:  # the planner's statistics, as autovacuum would gather them
        cursor.execute("ANALYZE issues_issue")
    return station, staff


def measure(run, runs: int, before=None) -> list[float]:
    run()  # warm-up (and a check)
    times = []
    for _ in range(runs):
        if before is not None:
            before()
        started = time.perf_counter()
        run()
        times.append((time.perf_counter() - started) * 1000)
    return times


def queries_of(run) -> int:
    with CaptureQueriesContext(connection) as captured:
        run()
    return len(captured.captured_queries)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--cases", type=int, default=5000)
    args = parser.parse_args()
    if connection.vendor != "postgresql":
        sys.exit("Run it on PostgreSQL (DATABASE_URL).")
    settings.STORAGES = {  # no collectstatic needed
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    call_command("migrate", verbosity=0)
    station, staff = build(args.cases)
    open_cases = Issue.objects.filter(station=station, state__in=[State.SUBMITTED, State.ACCEPTED, State.REVIEWED])
    case = open_cases.order_by("pk").first()
    client = Client()
    client.force_login(staff)
    case_url = f"/admin/issues/issue/{case.pk}/change/"

    def queue_page():
        response = client.get("/admin/issues/issue/", secure=True)
        assert response.status_code == 200 and b"liaison-queue-tab--selected" in response.content, response

    def panel():
        staff_fresh = get_user_model().objects.get(pk=staff.pk)  # a new request: the scope worked out again
        assert similar_cases(staff_fresh, case)

    def case_page():
        response = client.get(case_url, secure=True)
        assert response.status_code == 200 and b"liaison-similar-score" in response.content, response

    total = Issue.objects.filter(station=station).count()
    print(f"{total:,} open cases at the bench station; {args.runs} runs each after a warm-up")
    print(f"load average before: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    print(f"{'request':52} {'median':>9} {'min':>8} {'max':>8} {'queries':>8}")
    rows = [
        ("queue page (my queue, 25 rows)", queue_page, None),
        ("similar-case panel, station cached in the worker", panel, None),
        ("similar-case panel, fresh worker (cache emptied)", panel, forget_cache),
        ("case page with the panel", case_page, None),
    ]
    for label, run, before in rows:
        times = measure(run, args.runs, before)
        print(
            f"{label:52} {statistics.median(times):7.0f}ms {min(times):6.0f}ms {max(times):6.0f}ms {queries_of(run):>8}"
        )
    print(f"load average after: {' '.join(f'{x:.2f}' for x in os.getloadavg())}  ({os.cpu_count()} CPUs)")


if __name__ == "__main__":
    main()
