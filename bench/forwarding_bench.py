"""Forwarding benchmark: how fast an assigned case reaches the governance platform.

One Celery worker on Redis, the portal under gunicorn, and the platform stub as its own
gunicorn process, all real processes on PostgreSQL. The script assigns 1,000 cases at a steady
50 cases/s, then 1,000 as fast as it can, and prints, for each run, the time from the
assignment's commit to the platform's acknowledgement (p50/p95/p99/max) and the delivered cases
per second.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/liaison_bench_fwd \\
    REDIS_URL=redis://127.0.0.1:6379/7 .venv/bin/python bench/forwarding_bench.py [--cases 1000] [--rate 50] \\
        [--pool threads|prefork|solo] [--concurrency 8]

The database named in DATABASE_URL is dropped and created again: point it at a scratch one.
"""

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "liaison.settings")
os.environ.setdefault("DJANGO_SECRET_KEY", "bench-only-secret-key")
os.environ.setdefault("DJANGO_HTTPS", "0")
os.environ["CELERY_TASK_ALWAYS_EAGER"] = "0"


def recreate_database(url: str) -> None:
    name = url.rsplit("/", 1)[1]
    admin = url.rsplit("/", 1)[0] + "/postgres"
    for sql in (f"DROP DATABASE IF EXISTS {name}", f"CREATE DATABASE {name}"):
        subprocess.run(["psql", admin, "-qc", sql], check=True)


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--cases", type=int, default=1000)
    parser.add_argument("--rate", type=float, default=50.0, help="cases per second in the steady run")
    parser.add_argument("--pool", default="threads", choices=["threads", "prefork", "solo"], help="the worker's pool")
    parser.add_argument("--concurrency", type=int, default=8, help="the worker's threads or processes")
    args = parser.parse_args()
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith("postgres") or not os.environ.get("REDIS_URL"):
        sys.exit("set DATABASE_URL (PostgreSQL, a scratch database) and REDIS_URL")
    recreate_database(url)

    import django

    django.setup()
    import redis
    from django.conf import settings
    from django.core.management import call_command

    from issues.models import Forwarding
    from issues.permissions import Actor
    from issues.services import issue_accept, issue_assign, issue_review
    from liaison.celery import app
    from testsupport.processes import make_stack
    from testsupport.world import build_world

    call_command("migrate", verbosity=0)
    redis.Redis.from_url(settings.REDIS_URL).flushdb()
    app.conf.task_always_eager = False
    world = build_world()
    staff = Actor.of(world.station_staff)

    def reviewed_cases(count: int) -> list[int]:
        ids = []
        for n in range(count):
            issue = world.submit(content=f"基准测试第{n}号：渡口候船亭屋顶漏雨。")
            issue_accept(actor=staff, issue_id=issue.pk)
            issue_review(actor=staff, issue_id=issue.pk)
            ids.append(issue.pk)
        return ids

    print(f"preparing {2 * args.cases} reviewed cases …", flush=True)
    steady_ids, burst_ids = reviewed_cases(args.cases), reviewed_cases(args.cases)

    with tempfile.TemporaryDirectory() as logs:
        stack = make_stack(
            Path(logs),
            separate_stub=True,
            GOVERNANCE_STUB_AUTO_REPLY_SECONDS="0",
            GOVERNANCE_PLATFORM_TIMEOUT="5",
            DATABASE_CONN_MAX_AGE="600",
            GOVERNANCE_CLAIM_SECONDS="30",
            GOVERNANCE_SWEEP_GRACE_SECONDS="60",
            FORWARDING_SWEEP_SECONDS="15",
        )
        stack.start_web()
        stack.start_stub()
        stack.start_worker(pool=args.pool, concurrency=args.concurrency)
        try:
            for label, ids, rate in (
                (f"steady {args.rate:g} cases/s", steady_ids, args.rate),
                ("as fast as possible", burst_ids, None),
            ):
                started = time.monotonic()

                def assign(issue_id: int) -> None:
                    # Each clerk keeps its connection, as a gunicorn thread with CONN_MAX_AGE does.
                    issue_assign(actor=staff, issue_id=issue_id, department_id=world.department.pk)

                # Four clerks at once: one process alone cannot commit 50 assignments a second.
                with ThreadPoolExecutor(max_workers=4) as clerks:
                    futures = []
                    for n, issue_id in enumerate(ids):
                        if rate:
                            pause = started + n / rate - time.monotonic()
                            if pause > 0:
                                time.sleep(pause)
                        futures.append(clerks.submit(assign, issue_id))
                    for future in futures:
                        future.result()
                assigned_in = time.monotonic() - started
                rows = Forwarding.objects.filter(issue_id__in=ids)
                deadline = time.monotonic() + 300
                while rows.filter(status=Forwarding.Status.DELIVERED).count() < len(ids):
                    if time.monotonic() > deadline:
                        sys.exit(f"{label}: not all delivered after 300 s")
                    time.sleep(0.1)
                done_in = time.monotonic() - started
                latencies = [
                    (delivered - created).total_seconds()
                    for created, delivered in rows.values_list("created_at", "delivered_at")
                ]
                print(
                    f"{label:>24}: {len(ids)} cases assigned in {assigned_in:.1f} s, all acknowledged in "
                    f"{done_in:.1f} s = {len(ids) / done_in:.1f} cases/s; commit → platform ack "
                    f"p50 {percentile(latencies, 0.5) * 1000:.0f} ms, p95 {percentile(latencies, 0.95) * 1000:.0f} ms, "
                    f"p99 {percentile(latencies, 0.99) * 1000:.0f} ms, max {max(latencies) * 1000:.0f} ms, "
                    f"mean {statistics.mean(latencies) * 1000:.0f} ms",
                    flush=True,
                )
        finally:
            stack.stop()


if __name__ == "__main__":
    main()
