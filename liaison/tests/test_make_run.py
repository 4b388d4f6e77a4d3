"""`make run` and bin/dev, as real processes on a scratch SQLite database and var folder: every
process they start is gone within 10 seconds of Ctrl-C or SIGTERM to the process group (the
Celery worker with its embedded beat once hung there for good), and every absolute link follows
PORT. No PostgreSQL or Redis: this is the embedded set-up a fresh clone runs."""

import contextlib
import csv
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import pytest
import requests

from testsupport.processes import free_port

ROOT = Path(__file__).resolve().parents[2]
PYTHON = str(Path(sys.executable))
STOP_LIMIT = 10.0
# Variables of the test run that would point the processes elsewhere (PostgreSQL, Redis, eager
# tasks, the test settings): the processes get the embedded defaults instead.
FOREIGN_PREFIXES = ("DJANGO_", "DATABASE_", "REDIS_", "CELERY_", "GOVERNANCE_", "LIAISON_", "PUBLIC_BASE_URL", "PORT")


def scratch_env(folder: Path, *, port: int | None = None) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith(FOREIGN_PREFIXES)}
    env.update(
        DJANGO_DEBUG="1",
        DATABASE_URL=f"sqlite:///{folder / 'db.sqlite3'}",
        LIAISON_VAR_DIR=str(folder / "var"),
        MAKEFLAGS="",
    )
    if port is not None:
        env["PORT"] = str(port)
    return env


def manage(folder: Path, *args: str, port: int | None = None, timeout: float = 300) -> str:
    result = subprocess.run(  # noqa: S603 - a fixed command line
        [PYTHON, "manage.py", *args],
        cwd=ROOT,
        env=scratch_env(folder, port=port),
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout


@pytest.fixture(scope="module")
def migrated(tmp_path_factory) -> Path:
    """A migrated scratch database, copied by each test (migrating takes seconds)."""
    folder = tmp_path_factory.mktemp("migrated")
    manage(folder, "migrate", "--noinput")
    return folder / "db.sqlite3"


@pytest.fixture
def scratch(tmp_path, migrated) -> Path:
    shutil.copy(migrated, tmp_path / "db.sqlite3")
    return tmp_path


# --- PORT -------------------------------------------------------------------------------------


def settings_of(**variables: str) -> subprocess.CompletedProcess:
    """The addresses the settings derive, in a fresh interpreter with only these variables."""
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "DJANGO_DEBUG": "1", **variables}
    code = (
        "from django.conf import settings as s; "
        "print(s.PUBLIC_BASE_URL, s.GOVERNANCE_PLATFORM_URL, ','.join(s.CSRF_TRUSTED_ORIGINS))"
    )
    return subprocess.run(  # noqa: S603 - a fixed command line
        [PYTHON, "-c", "import os; os.environ['DJANGO_SETTINGS_MODULE'] = 'liaison.settings'; " + code],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_the_public_and_platform_addresses_follow_port_when_no_public_base_url_is_set():
    result = settings_of(PORT="8100")
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == [
        "http://127.0.0.1:8100",
        "http://127.0.0.1:8100/governance-stub/",
        "http://127.0.0.1:8100",
    ]
    assert settings_of().stdout.split()[0] == "http://127.0.0.1:8000"


def test_a_public_base_url_that_is_set_wins_over_port():
    result = settings_of(PORT="8100", PUBLIC_BASE_URL="https://liaison.example.cn/")
    assert result.stdout.split()[:2] == ["https://liaison.example.cn", "https://liaison.example.cn/governance-stub/"]


def test_a_port_that_is_not_a_number_stops_the_start_with_a_clear_message():
    result = settings_of(PORT="eighty")
    assert result.returncode != 0
    assert "PORT must be a whole number" in result.stderr


# --- processes, read from /proc ---------------------------------------------------------------


def _stat(pid: int) -> tuple[str, int, int] | None:
    """(state, parent pid, process group) of a process, None once it is gone."""
    try:
        text = Path(f"/proc/{pid}/stat").read_text()
    except (FileNotFoundError, ProcessLookupError):
        return None
    fields = text[text.rindex(")") + 2 :].split()
    return fields[0], int(fields[1]), int(fields[2])


def _all_pids() -> list[int]:
    return [int(name) for name in os.listdir("/proc") if name.isdigit()]


def alive(pids) -> set[int]:
    """Those still running (a zombie has ended; only its parent has not read its status yet)."""
    return {pid for pid in pids if (stat := _stat(pid)) is not None and stat[0] != "Z"}


def group(pgid: int) -> set[int]:
    return alive(pid for pid in _all_pids() if (stat := _stat(pid)) is not None and stat[2] == pgid)


def descendants(root: int) -> set[int]:
    children: dict[int, list[int]] = {}
    for pid in _all_pids():
        if (stat := _stat(pid)) is not None:
            children.setdefault(stat[1], []).append(pid)
    found, todo = set(), [root]
    while todo:
        for child in children.get(todo.pop(), []):
            if child not in found:
                found.add(child)
                todo.append(child)
    return alive(found)


def command_line(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
    except (FileNotFoundError, ProcessLookupError):
        return ""


@dataclass
class Started:
    """A process started in a session of its own (its pid is its process group's id), as a
    terminal starts a foreground job."""

    process: subprocess.Popen
    folder: Path
    port: int
    output: Path

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def log(self, name: str) -> str:
        path = self.folder / "var" / "celery" / name
        return path.read_text(errors="replace") if path.exists() else ""

    def wait_until_serving(self, timeout: float) -> None:
        """The server answers, the worker is ready and beat ticks."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            assert self.process.poll() is None, self.output.read_text(errors="replace")[-3000:]
            try:
                served = requests.get(f"{self.base_url}/", timeout=2).status_code == 200
            except requests.RequestException:
                served = False
            if served and " ready." in self.log("worker.log") and "beat: Starting" in self.log("beat.log"):
                return
            time.sleep(0.5)
        raise AssertionError(f"not serving after {timeout} s:\n{self.output.read_text(errors='replace')[-3000:]}")

    def stop_within(self, signum: int, *, to_group: bool = True) -> float:
        """Send the signal; return how long until every process of the group and every
        descendant seen before the signal had ended (failing past STOP_LIMIT)."""
        pgid = self.process.pid
        watched = group(pgid) | descendants(pgid)
        assert len(watched) >= 4, f"expected the server and Celery processes, found {watched}"
        started = time.monotonic()
        if to_group:
            os.killpg(pgid, signum)
        else:
            os.kill(pgid, signum)
        while time.monotonic() - started < STOP_LIMIT:
            self.process.poll()  # read the exit status of the leader, so it is not a zombie
            if not alive(watched) and not group(pgid):
                return time.monotonic() - started
            time.sleep(0.1)
        left = alive(watched) | group(pgid)
        pytest.fail(f"still running {STOP_LIMIT} s after the signal: {[command_line(p) for p in left]}")

    def kill_everything(self) -> None:
        """Test clean-up: whatever this test started and is still there."""
        for pid in descendants(self.process.pid) | group(self.process.pid):
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
        self.process.wait(10)


def start(argv: list[str], folder: Path, *, port: int) -> Started:
    output = folder / "output.log"
    process = subprocess.Popen(  # noqa: S603 - a fixed command line
        argv,
        cwd=ROOT,
        env=scratch_env(folder, port=port),
        stdin=subprocess.DEVNULL,
        stdout=output.open("wb"),
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    return Started(process=process, folder=folder, port=port, output=output)


@pytest.fixture
def dev(scratch):
    """bin/dev serving on a free port, on the scratch database."""
    started = start([str(ROOT / "bin" / "dev")], scratch, port=free_port())
    try:
        started.wait_until_serving(timeout=120)
        yield started
    finally:
        started.kill_everything()


# --- bin/dev --------------------------------------------------------------------------------------


def test_ctrl_c_ends_every_process_bin_dev_started_within_10_seconds(dev):
    commands = [command_line(pid) for pid in descendants(dev.process.pid)]
    assert any(f"runserver 127.0.0.1:{dev.port}" in c for c in commands)
    assert any("celery" in c and " worker" in c and "--pool threads" in c for c in commands)
    assert any("celery" in c and " beat" in c for c in commands)
    assert not any("--beat" in c for c in commands), "beat runs as its own process, not inside the worker"

    dev.stop_within(signal.SIGINT)
    assert dev.process.returncode == 130
    assert "did not stop" not in dev.output.read_text()


def test_sigterm_to_the_process_group_ends_every_process_within_10_seconds(dev):
    dev.stop_within(signal.SIGTERM)
    assert dev.process.returncode == 143


def test_a_worker_that_does_not_stop_is_killed_and_everything_still_ends_within_10_seconds(dev):
    [worker] = [
        pid for pid in descendants(dev.process.pid) if "celery" in command_line(pid) and " worker" in command_line(pid)
    ]
    os.kill(worker, signal.SIGSTOP)  # stuck: it cannot act on SIGTERM any more
    dev.stop_within(signal.SIGTERM, to_group=False)  # to the script alone, as `kill PID` does
    assert f"worker (pid {worker}) did not stop" in dev.output.read_text()


# --- make run -------------------------------------------------------------------------------------


def test_make_run_on_another_port_links_everything_to_it_keeps_the_demo_backlog_and_stops_on_ctrl_c(scratch):
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    # -o: the virtual environment counts as installed (the test is about running, not pip).
    make = start(["make", "-o", ".venv/.installed", "run", f"PORT={port}"], scratch, port=port)
    try:
        make.wait_until_serving(timeout=240)  # migrate and seed_demo come first
        # The worker's sweeper forwards seed_demo's assigned cases to the stub on this port.
        database = sqlite3.connect(scratch / "db.sqlite3", timeout=30)
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            pending = database.execute("SELECT count(*) FROM issues_forwarding WHERE status != 'delivered'").fetchone()[
                0
            ]
            if pending == 0:
                break
            time.sleep(1)
        assert pending == 0, make.log("worker.log")[-3000:]
        cases = database.execute("SELECT callback_url, auto_reply_at FROM governance_stub_platformcase").fetchall()
        forwarded = database.execute(
            "SELECT count(*) FROM issues_forwarding f JOIN governance_stub_platformcase c ON c.reference = f.key"
        ).fetchone()[0]
        assert len(cases) == forwarded > 0
        assert {url for url, _ in cases} == {f"{base}/api/governance/callback/"}
        assert all(auto_reply_at is None for _, auto_reply_at in cases), "the seeded backlog is not auto-answered"
        assert database.execute("SELECT count(*) FROM issues_issue WHERE state = 'assigned'").fetchone()[0] > 0
        database.close()

        # The QR codes printed from another shell with the same PORT point at this server.
        manage(scratch, "qrcodes", "--out", str(scratch / "qr"), port=port)
        with open(scratch / "qr" / "index.csv", encoding="utf-8-sig") as index:
            urls = [row["url"] for row in csv.DictReader(index)]
        assert urls and all(url.startswith(f"{base}/") for url in urls)
        assert requests.get(urls[0], timeout=10).status_code == 200

        make.stop_within(signal.SIGINT)
    finally:
        make.kill_everything()
