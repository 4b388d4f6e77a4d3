"""A township's bad day: 5,000 cases answered in a burst, every villager texted.

One Celery worker (threads) on Redis and PostgreSQL sends the texts; the script answers the
cases as fast as four clerks can (each answer writes its text in the answer's transaction) and
prints the time from the answer's commit to the provider's acceptance (p50/p99/max) and the
texts per second, once with the `file` backend and once with the local fake of the Aliyun
endpoint (signed requests over HTTP, checked by the fake). Target: all 5,000 out within two
minutes, none twice.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/liaison_bench_sms \\
    REDIS_URL=redis://127.0.0.1:6379/7 .venv/bin/python bench/sms_bench.py [--cases 5000] [--concurrency 8]

The database named in DATABASE_URL is dropped and created again: point it at a scratch one.
The cases are written straight into the `reviewed` state (setting them up through every step
would take longer than the burst itself); the burst goes through `issue_reply` like a clerk.
"""

import argparse
import json
import os
import sys
import tempfile
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "liaison.settings")
os.environ.setdefault("DJANGO_SECRET_KEY", "bench-only-secret-key")
os.environ.setdefault("DJANGO_HTTPS", "0")
os.environ["CELERY_TASK_ALWAYS_EAGER"] = "0"
os.environ["SMS_QUIET_START_HOUR"] = os.environ["SMS_QUIET_END_HOUR"] = "0"  # any hour of the day
os.environ["SMS_DAILY_CAP_PER_PHONE"] = "100"

from forwarding_bench import percentile, recreate_database  # noqa: E402

WORKER_APP = "sms-bench-worker"  # the worker's PostgreSQL sessions carry this application_name


def cpu_seconds(pids) -> float:
    """User + system CPU time of these processes so far (Linux /proc)."""
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except (FileNotFoundError, ProcessLookupError):
            continue
        total += int(fields[11]) + int(fields[12])  # utime, stime
    return total / ticks


def worker_cpu(worker_pid: int) -> tuple[float, float]:
    """(the worker process, the worker's PostgreSQL backends): the CPU the sending cost, whatever
    else loads the machine."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT pid FROM pg_stat_activity WHERE application_name = %s", [WORKER_APP])
        backends = [row[0] for row in cursor.fetchall()]
    return cpu_seconds([worker_pid]), cpu_seconds(backends)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--cases", type=int, default=5000)
    parser.add_argument("--concurrency", type=int, default=8, help="the worker's threads")
    parser.add_argument(
        "--backlog", action="store_true", help="answer everything first, then start the worker: the sender's own pace"
    )
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

    from issues import clock
    from issues.models import Issue, State
    from issues.permissions import Actor
    from issues.services import issue_reply
    from issues.sms import outbox
    from issues.sms.models import SmsMessage
    from liaison.celery import app
    from testsupport.processes import make_stack
    from testsupport.sms_fake import FakeAliyun
    from testsupport.world import build_world

    call_command("migrate", verbosity=0)
    redis.Redis.from_url(settings.REDIS_URL).flushdb()
    app.conf.task_always_eager = False
    world = build_world()
    staff = Actor.of(world.station_staff)

    def reviewed_cases(count: int, offset: int) -> list[int]:
        now = clock.now()
        rows = [
            Issue(
                channel="deputy_qr",
                station=world.railway_point,
                region_path=world.railway_point.region.path,
                deputy=world.deputy_a,
                content=f"基准测试第{n}号：渡口候船亭屋顶漏雨。",
                submitter_phone=f"13{offset + n:09d}",
                sms_consent=True,
                state=State.REVIEWED,
                accepted_at=now,
                deadline=now,
                created_at=now,
                updated_at=now,
            )
            for n in range(count)
        ]
        return [issue.pk for issue in Issue.objects.bulk_create(rows, batch_size=1000)]

    print(f"preparing {2 * args.cases} reviewed cases …", flush=True)
    batches = {"file": reviewed_cases(args.cases, 0), "aliyun (local fake)": reviewed_cases(args.cases, args.cases)}

    with tempfile.TemporaryDirectory() as logs, FakeAliyun(key_id="LTAI-bench", secret="bench-secret") as fake:  # noqa: S106
        sms_file = Path(logs) / "sms.jsonl"
        for label, ids in batches.items():
            env = {"SMS_BACKEND": "file", "SMS_FILE_PATH": str(sms_file)}
            if label.startswith("aliyun"):
                env = {
                    "SMS_BACKEND": "aliyun",
                    "SMS_ALIYUN_ENDPOINT": fake.url,
                    "SMS_ALIYUN_ACCESS_KEY_ID": "LTAI-bench",
                    "SMS_ALIYUN_ACCESS_KEY_SECRET": "bench-secret",
                    "SMS_ALIYUN_TEMPLATE_CODES": "replied=SMS_4",
                }
            stack = make_stack(
                Path(logs),
                DATABASE_CONN_MAX_AGE="600",
                SMS_CLAIM_SECONDS="60",
                SMS_SWEEP_GRACE_SECONDS="60",
                SMS_SWEEP_SECONDS="15",
                SMS_QUIET_START_HOUR="0",
                SMS_QUIET_END_HOUR="0",
                SMS_DAILY_CAP_PER_PHONE="100",
                PGAPPNAME=WORKER_APP,
                **env,
            )
            if not args.backlog:
                stack.start_worker(pool="threads", concurrency=args.concurrency)
            try:
                started = time.monotonic()
                with ThreadPoolExecutor(max_workers=4) as clerks:
                    answer = lambda pk: issue_reply(actor=staff, issue_id=pk, text="已派人修好屋顶。")  # noqa: E731
                    list(clerks.map(answer, ids))
                answered_in = time.monotonic() - started
                if args.backlog:  # every text due at once, each asked for once (as after commit)
                    redis.Redis.from_url(settings.REDIS_URL).flushdb()
                    stack.start_worker(pool="threads", concurrency=args.concurrency)
                    started = time.monotonic()
                    for message_id in SmsMessage.objects.filter(issue_id__in=ids).values_list("pk", flat=True):
                        outbox.enqueue(message_id)
                rows = SmsMessage.objects.filter(issue_id__in=ids)
                deadline = time.monotonic() + 600
                while rows.filter(status=SmsMessage.Status.SENT).count() < len(ids):
                    if time.monotonic() > deadline:
                        sys.exit(f"{label}: not all sent after 600 s")
                    time.sleep(0.2)
                done_in = time.monotonic() - started
                worker_seconds, backend_seconds = worker_cpu(stack.worker.pid)
            finally:
                stack.stop()
            times = list(rows.values_list("created_at", "sent_at"))
            latencies = [(sent - created).total_seconds() for created, sent in times]
            first = min(created for created, _ in times)
            if args.backlog:  # the pace of sending alone: from the first text accepted to the last
                first = min(sent for _, sent in times)
            last = max(sent for _, sent in times)
            if label == "file":
                keys = Counter(json.loads(line)["key"] for line in sms_file.read_text(encoding="utf-8").splitlines())
            else:
                keys = fake.counts()
            twice = sum(1 for n in keys.values() if n > 1)
            print(
                f"{label:>20}: {len(ids)} answered in {answered_in:.1f} s, all texts accepted {done_in:.1f} s "
                f"after the first answer = {len(ids) / (last - first).total_seconds():.0f} texts/s; "
                f"commit → accepted p50 {percentile(latencies, 0.5):.2f} s, p99 {percentile(latencies, 0.99):.2f} s, "
                f"max {max(latencies):.2f} s; accepted {sum(keys.values())}, twice {twice}; CPU per 1,000 texts: "
                f"worker {1000 * worker_seconds / len(ids):.1f} s, its PostgreSQL sessions "
                f"{1000 * backend_seconds / len(ids):.1f} s",
                flush=True,
            )


if __name__ == "__main__":
    main()
