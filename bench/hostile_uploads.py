#!/usr/bin/env python
"""Hostile uploads against the villager's form, and whether the staff's pages stay responsive.

gunicorn with 2 sync workers on PostgreSQL (rate limits off: an attacker with many addresses),
and the admin login page (GET /admin/login/) timed one request after another while 4 hostile
clients post to a deputy's form in a loop:

- `tiny-png`: a 4 KB PNG declaring 6300 × 6300 pixels, three times in one form (the most photos
  a form takes), with a valid CSRF pair and form token, so that it reaches the photo check;
- `big-body`: a post declaring 200 MB, its body streamed as fast as the server takes it.

Each scenario runs for --duration seconds (15 by default), after an idle measurement; printed:
the admin page's p50/p99/max and count, and the hostile requests' answers and latency.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/liaison_hostile \
        .venv/bin/python bench/hostile_uploads.py [--port 8160] [--duration 15] [--clients 4]

Not a test: figures depend on the machine. The database is migrated and gets one station with
one deputy.
"""

import argparse
import collections
import contextlib
import http.client
import http.cookiejar
import io
import os
import re
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
import urllib.request
import uuid

from villager_bench import ROOT, VENV_BIN, server_env, wait_for

BIG_BODY = 200 * 1024 * 1024


def prepare(port: int) -> str:
    """Migrate and create the fixture; return the deputy page's path."""
    os.environ.update(server_env(port))
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.core.management import call_command

    from deputies.models import Deputy, Stationing
    from stations.models import Region, Station

    call_command("migrate", verbosity=0)
    call_command("collectstatic", interactive=False, verbosity=0)  # DEBUG is off: the manifest's names
    region, _ = Region.objects.get_or_create(code="bench-330902104", defaults={"name": "白泉镇", "level": "township"})
    station, _ = Station.objects.get_or_create(region=region, name="基准测试联络站")
    deputy = Deputy.objects.filter(name="基准代表").first() or Deputy.objects.create(name="基准代表", level="county")
    Stationing.objects.get_or_create(deputy=deputy, station=station, defaults={"kind": "resident"})
    return f"/d/{deputy.qr_token}/"


def tiny_png() -> bytes:
    from PIL import Image

    out = io.BytesIO()
    Image.new("1", (6300, 6300)).save(out, format="PNG", optimize=True)
    return out.getvalue()


def form_session(base: str, path: str) -> dict:
    """A CSRF cookie, the page's CSRF field and its form token, as a browser would hold them."""
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    html = opener.open(base + path, timeout=30).read().decode()
    return {
        "cookie": next(c.value for c in jar if c.name == "csrftoken"),
        "csrf": re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html).group(1),
        "token": re.search(r'name="token" value="([^"]+)"', html).group(1),
    }


def multipart(fields: dict, files: list[tuple[str, str, bytes]]) -> tuple[bytes, str]:
    boundary = uuid.uuid4().hex
    parts = []
    for name, value in fields.items():
        parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'.encode())
    for name, filename, content in files:
        head = (
            f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; filename="{filename}"\r\n'
            "Content-Type: image/png\r\n\r\n"
        )
        parts.append(head.encode() + content + b"\r\n")
    parts.append(f"--{boundary}--\r\n".encode())
    return b"".join(parts), f"multipart/form-data; boundary={boundary}"


class Hostile(threading.Thread):
    """One attacker posting in a loop until told to stop; records (status, seconds)."""

    def __init__(self, kind: str, port: int, path: str, session: dict, png: bytes, stop: threading.Event):
        super().__init__(daemon=True)
        self.kind, self.port, self.path, self.session, self.png, self.stop = kind, port, path, session, png, stop
        self.results: list[tuple[str, float]] = []

    def run(self) -> None:
        while not self.stop.is_set():
            started = time.monotonic()
            try:
                status = self.tiny_png() if self.kind == "tiny-png" else self.big_body()
            except OSError as error:
                status = type(error).__name__
            self.results.append((str(status), time.monotonic() - started))

    def headers(self, content_type: str, length: int) -> dict:
        return {
            "Content-Type": content_type,
            "Content-Length": str(length),
            "Cookie": f"csrftoken={self.session['cookie']}",
            "Referer": f"http://127.0.0.1:{self.port}{self.path}",
        }

    def tiny_png(self) -> int:
        fields = {
            "csrfmiddlewaretoken": self.session["csrf"],
            "token": self.session["token"],
            "content": "村口路灯坏了三天，晚上看不见路。",
        }
        body, content_type = multipart(fields, [("photos", f"p{n}.png", self.png) for n in range(3)])
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
        try:
            connection.request("POST", self.path, body=body, headers=self.headers(content_type, len(body)))
            response = connection.getresponse()
            response.read()
            return response.status
        finally:
            connection.close()

    def big_body(self) -> int | str:
        """Declare 200 MB and stream zeros until the server has answered or stops reading."""
        boundary = uuid.uuid4().hex
        headers = self.headers(f"multipart/form-data; boundary={boundary}", BIG_BODY)
        head = f"POST {self.path} HTTP/1.1\r\nHost: 127.0.0.1:{self.port}\r\n"
        head += "".join(f"{k}: {v}\r\n" for k, v in headers.items()) + "\r\n"
        chunk = b"\0" * (1024 * 1024)
        with socket.create_connection(("127.0.0.1", self.port), timeout=60) as sock:
            sock.sendall(head.encode())
            sent = 0
            sock.setblocking(False)
            answer = b""
            while sent < BIG_BODY and not self.stop.is_set():
                with contextlib.suppress(BlockingIOError):
                    answer += sock.recv(65536)
                if answer:
                    break
                try:
                    sent += sock.send(chunk)
                except BlockingIOError:
                    time.sleep(0.001)
                except (BrokenPipeError, ConnectionResetError):
                    break
            sock.setblocking(True)
            sock.settimeout(10)
            try:
                while b"\r\n" not in answer:
                    data = sock.recv(65536)
                    if not data:
                        break
                    answer += data
            except (ConnectionResetError, TimeoutError):
                pass
        match = re.match(rb"HTTP/1\.[01] (\d{3})", answer)
        return int(match.group(1)) if match else "no answer"


def time_admin_login(base: str, stop: threading.Event, seconds: float) -> list[float]:
    """GET /admin/login/ one after another (a staff member waiting for the page) for `seconds`."""
    timings = []
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline and not stop.is_set():
        started = time.monotonic()
        with urllib.request.urlopen(base + "/admin/login/", timeout=120) as response:  # noqa: S310
            response.read()
            assert response.status == 200
        timings.append(time.monotonic() - started)
        time.sleep(0.05)
    return timings


def summary(timings: list[float]) -> str:
    ms = sorted(t * 1000 for t in timings)
    p99 = ms[min(len(ms) - 1, int(len(ms) * 0.99))]
    return f"n={len(ms):4d}  p50 {statistics.median(ms):8.1f} ms  p99 {p99:8.1f} ms  max {ms[-1]:8.1f} ms"


def scenario(kind: str, options, base: str, path: str, png: bytes) -> None:
    stop = threading.Event()
    attackers = [Hostile(kind, options.port, path, form_session(base, path), png, stop) for _ in range(options.clients)]
    for attacker in attackers:
        attacker.start()
    time.sleep(0.5)  # let them get going
    timings = time_admin_login(base, stop, options.duration)
    stop.set()
    for attacker in attackers:
        attacker.join(timeout=90)
    results = [r for attacker in attackers for r in attacker.results]
    statuses = collections.Counter(status for status, _ in results)
    answered = [seconds for _, seconds in results]
    print(f"{'admin login, ' + kind:32} {summary(timings)}")
    answer_ms = statistics.median(answered) * 1000 if answered else float("nan")
    print(f"{'  hostile posts':32} n={len(results):4d}  median {answer_ms:8.1f} ms  answers {dict(statuses)}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--port", type=int, default=8160)
    parser.add_argument("--duration", type=float, default=15.0, help="seconds per scenario")
    parser.add_argument("--clients", type=int, default=4, help="hostile clients at once")
    options = parser.parse_args()
    if not os.environ.get("DATABASE_URL", "").startswith("postgres"):
        raise SystemExit("set DATABASE_URL=postgres://… (the benchmark runs on PostgreSQL)")

    path = prepare(options.port)
    png = tiny_png()
    base = f"http://127.0.0.1:{options.port}"
    server = subprocess.Popen(
        [
            str(VENV_BIN / "gunicorn"),
            "liaison.wsgi",
            "--workers",
            "2",
            "--worker-class",
            "sync",
            "--bind",
            f"127.0.0.1:{options.port}",
            "--timeout",
            "120",
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env=server_env(options.port),
        start_new_session=True,
    )
    try:
        wait_for(base + "/admin/login/")
        print(
            f"hostile uploads: gunicorn 2 sync workers, PostgreSQL, {options.clients} hostile clients, "
            f"{options.duration:.0f}s per scenario; the PNG is {len(png)} bytes declaring 6300 × 6300"
        )
        idle = time_admin_login(base, threading.Event(), options.duration)
        print(f"{'admin login, idle':32} {summary(idle)}")
        for kind in ("tiny-png", "big-body"):
            scenario(kind, options, base, path, png)
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)


if __name__ == "__main__":
    main()
