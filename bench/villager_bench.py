#!/usr/bin/env python
"""The villager's path under load (issue 3): gunicorn with 2 workers on PostgreSQL, persistent
connections, real CSRF, rate limits off; wrk with 32 connections.

Measures the deputy page GET and the submission POST (req/s, rows created/s counted in the
database, p50/p99) against two baselines served by the same server in the same run — a trivial
view and a bare form that inserts one row — and prints the ratios. Targets: submission rows/s ≥
0.5 × the bare insert's, deputy page GET ≥ 0.5 × the bare form page's. The five measurements
are repeated in alternating rounds (--rounds, 5 by default) and the medians reported, with each
round's ratio, because a shared machine's speed drifts during a run.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/liaison_h_bench \
        .venv/bin/python bench/villager_bench.py [--port 8150] [--duration 10] [--connections 32] [--rounds 5]

The database is migrated and gets a small fixture (one station, one deputy); every submission
carries its own server-signed form token, so none is a replay.
"""

import argparse
import http.cookiejar
import os
import re
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VENV_BIN = Path(sys.executable).parent
SECRET = "bench-only-secret-key-0123456789-not-for-production"  # noqa: S105

LUA_POST = r"""
local tokens, n, i = {}, 0, 0
local boundary = "----liaisonbench7MA4YWxkTrZu0gW"
function setup(thread)
  thread:set("id", __COUNTER)
  __COUNTER = __COUNTER + 1
end
__COUNTER = 0
function init(args)
  local nthreads = tonumber(args[2])
  local k = 0
  for line in io.lines(args[1]) do
    if k % nthreads == id then n = n + 1; tokens[n] = line end
    k = k + 1
  end
end
local function field(name, value)
  return "--" .. boundary .. "\r\nContent-Disposition: form-data; name=\"" .. name .. "\"\r\n\r\n" .. value .. "\r\n"
end
request = function()
  i = i + 1
  local token = tokens[((i - 1) % n) + 1]
  local body = field("csrfmiddlewaretoken", CSRF) .. field("token", token)
    .. field("content", "村口路灯坏了三天，晚上看不见路。第" .. id .. "-" .. i .. "次")
    .. field("category", "") .. field("name", "") .. field("phone", "") .. field("website", "")
    .. "--" .. boundary .. "--\r\n"
  return wrk.format("POST", nil, {["Content-Type"] = "multipart/form-data; boundary=" .. boundary,
                                  ["Cookie"] = "csrftoken=" .. COOKIE}, body)
end
"""

LUA_BARE_POST = r"""
local i = 0
request = function()
  i = i + 1
  local body = "csrfmiddlewaretoken=" .. CSRF .. "&content=row" .. i
  return wrk.format("POST", nil, {["Content-Type"] = "application/x-www-form-urlencoded",
                                  ["Cookie"] = "csrftoken=" .. COOKIE}, body)
end
"""


def server_env(port: int) -> dict:
    env = dict(os.environ)
    env.update(
        DJANGO_SETTINGS_MODULE="liaison.settings",
        DJANGO_DEBUG="0",
        DJANGO_SECRET_KEY=SECRET,
        DJANGO_HTTPS="0",
        DJANGO_ALLOWED_HOSTS="127.0.0.1,localhost",
        PUBLIC_BASE_URL=f"http://127.0.0.1:{port}",
        RATE_LIMITS_ENABLED="0",
        LIAISON_BENCH_BASELINES="1",
        DATABASE_CONN_MAX_AGE="600",
        LOG_LEVEL="WARNING",
        CELERY_TASK_ALWAYS_EAGER="1",
    )
    return env


def prepare(port: int, tokens_file: Path, rounds: int = 1) -> str:
    """Migrate, create the fixture and the baseline's table, sign the form tokens; return the
    deputy page's path."""
    os.environ.update(server_env(port))
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from deputies.models import Deputy, Stationing
    from issues.models import Category
    from stations.models import Region, Station
    from villagers.bench_baselines import TABLE
    from villagers.forms import new_submission_token

    call_command("migrate", verbosity=0)
    # DEBUG is off: pages name their static files (the form's script) through the manifest.
    call_command("collectstatic", interactive=False, verbosity=0)
    with connection.cursor() as cursor:
        cursor.execute(
            f"CREATE TABLE IF NOT EXISTS {TABLE} (id bigserial PRIMARY KEY, content text, created_at timestamptz)"
        )
    region, _ = Region.objects.get_or_create(code="bench-330902104", defaults={"name": "白泉镇", "level": "township"})
    station, _ = Station.objects.get_or_create(region=region, name="基准测试联络站")
    deputy = Deputy.objects.filter(name="基准代表").first() or Deputy.objects.create(name="基准代表", level="county")
    Stationing.objects.get_or_create(deputy=deputy, station=station, defaults={"kind": "resident"})
    for name in ("基础设施", "环境卫生", "交通出行", "社会保障"):
        Category.objects.get_or_create(name=name)
    # Every request its own token, every run its own file (a warm-up too), or a run would replay.
    for n in range(rounds):
        for name, count in ((f"tokens-{n}.txt", 40_000), (f"tokens-warm-up-{n}.txt", 10_000)):
            tokens_file.with_name(name).write_text("\n".join(new_submission_token() for _ in range(count)) + "\n")
    return f"/d/{deputy.qr_token}/"


def count_rows(table: str) -> int:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(f"SELECT count(*) FROM {table}")  # noqa: S608
        return cursor.fetchone()[0]


def csrf_pair(base: str, path: str) -> tuple[str, str]:
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    html = opener.open(base + path, timeout=10).read().decode()
    form_token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html).group(1)
    cookie = next(c.value for c in jar if c.name == "csrftoken")
    return cookie, form_token


def wrk(url: str, *, seconds: int, connections: int, script: str | None = None, args=()) -> dict:
    cmd = ["wrk", "-t2", f"-c{connections}", f"-d{seconds}s", "--latency", "--timeout", "10s"]
    if script:
        cmd += ["-s", script]
    cmd.append(url)
    if args:
        cmd += ["--", *args]
    out = subprocess.run(cmd, capture_output=True, text=True, check=True).stdout
    result = {"rps": float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))}
    for label, key in (("50%", "p50"), ("99%", "p99")):
        value, unit = re.search(rf"^\s+{re.escape(label)}\s+([\d.]+)(us|ms|s)\s*$", out, re.M).groups()
        result[key] = float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]
    bad = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", out)
    errors = re.search(r"Socket errors:.*", out)
    result["bad"] = int(bad.group(1)) if bad else 0
    result["socket_errors"] = errors.group(0) if errors else ""
    return result


def wait_for(url: str, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(url, timeout=2).read()  # noqa: S310
            return
        except OSError:
            time.sleep(0.3)
    raise SystemExit(f"the server did not answer at {url}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--port", type=int, default=8150)
    parser.add_argument("--duration", type=int, default=10, help="seconds per measurement")
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--threads", type=int, default=1, help="gunicorn threads per worker (1: sync workers)")
    parser.add_argument(
        "--rounds",
        type=int,
        default=5,
        help="alternating runs of each pair (baseline, then ours); medians are reported",
    )
    options = parser.parse_args()
    if not os.environ.get("DATABASE_URL", "").startswith("postgres"):
        raise SystemExit("set DATABASE_URL=postgres://… (the benchmark runs on PostgreSQL)")

    work = Path(tempfile.mkdtemp(prefix="villager-bench-"))
    tokens = work / "tokens.txt"
    deputy_path = prepare(options.port, tokens, options.rounds)
    base = f"http://127.0.0.1:{options.port}"
    for name, code in (("post.lua", LUA_POST), ("bare_post.lua", LUA_BARE_POST)):
        (work / name).write_text(code)

    server = subprocess.Popen(
        [
            str(VENV_BIN / "gunicorn"),
            "liaison.wsgi",
            "--workers",
            "2",
            "--bind",
            f"127.0.0.1:{options.port}",
            "--backlog",
            "2048",
            "--threads",
            str(options.threads),
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env=server_env(options.port),
    )
    try:
        wait_for(base + "/bench/trivial/")
        cookie, form_csrf = csrf_pair(base, deputy_path)
        lua_globals = f'CSRF = "{form_csrf}"\nCOOKIE = "{cookie}"\n'
        for name in ("post.lua", "bare_post.lua"):
            path = work / name
            path.write_text(lua_globals + path.read_text())

        def run(label, url, script=None, args=(), table=None, warm_args=None):
            warm_args = args if warm_args is None else warm_args
            wrk(url, seconds=2, connections=options.connections, script=script, args=warm_args)
            before = count_rows(table) if table else 0
            result = wrk(url, seconds=options.duration, connections=options.connections, script=script, args=args)
            if table:
                result["rows_per_s"] = (count_rows(table) - before) / options.duration
            print(f"  measured {label}", file=sys.stderr)
            return label, result

        # The pairs alternate, baseline then ours, for several rounds: a machine that slows down
        # or speeds up during the run (a shared VM does) then weighs on both sides alike.
        rounds: list[dict] = []
        for n in range(options.rounds):
            submission_args = (str(work / f"tokens-{n}.txt"), "2")
            warm_args = (str(work / f"tokens-warm-up-{n}.txt"), "2")
            rounds.append(
                dict(
                    [
                        run("trivial view GET", base + "/bench/trivial/"),
                        run("bare form page GET", base + "/bench/form/"),
                        run("deputy page GET", base + deputy_path),
                        run(
                            "bare insert POST",
                            base + "/bench/form/",
                            str(work / "bare_post.lua"),
                            (),
                            "liaison_bench_row",
                        ),
                        run(
                            "submission POST",
                            base + deputy_path,
                            str(work / "post.lua"),
                            submission_args,
                            "issues_issue",
                            warm_args,
                        ),
                    ]
                )
            )
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=30)

    results = {
        label: {
            key: statistics.median(r[label][key] for r in rounds) for key in rounds[0][label] if key != "socket_errors"
        }
        for label in rounds[0]
    }
    get_ratios = [r["deputy page GET"]["rps"] / r["bare form page GET"]["rps"] for r in rounds]
    post_ratios = [r["submission POST"]["rows_per_s"] / max(r["bare insert POST"]["rows_per_s"], 1e-9) for r in rounds]
    print(
        f"\nvillager bench: gunicorn 2 workers × {options.threads} thread(s), PostgreSQL, "
        f"{options.connections} connections, {options.duration}s each, medians of {options.rounds} alternating rounds"
    )
    print(f"{'':22} {'req/s':>9} {'rows/s':>9} {'p50 ms':>8} {'p99 ms':>8} {'non-2xx/3xx':>12}")
    for label, r in results.items():
        rows = f"{r['rows_per_s']:.0f}" if "rows_per_s" in r else "-"
        print(f"{label:22} {r['rps']:9.0f} {rows:>9} {r['p50']:8.1f} {r['p99']:8.1f} {r['bad']:12.0f}")
    errors = {r[label]["socket_errors"] for r in rounds for label in r} - {""}
    if errors:
        print("socket errors:", "; ".join(sorted(errors)))
    print()
    for label, ratios in (
        ("deputy page GET / bare form page GET", get_ratios),
        ("submission rows/s / bare insert rows/s", post_ratios),
    ):
        ratio = statistics.median(ratios)
        rounds_text = ", ".join(f"{x:.2f}" for x in ratios)
        print(f"{label:40} = {ratio:.2f}  (target >= 0.50) {'OK' if ratio >= 0.5 else 'BELOW'}  rounds: {rounds_text}")
    trivial_ratio = results["deputy page GET"]["rps"] / results["trivial view GET"]["rps"]
    print(f"{'deputy page GET / trivial view GET':40} = {trivial_ratio:.2f}")


if __name__ == "__main__":
    main()
