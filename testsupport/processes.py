"""Real processes for the tests that need them: gunicorn serving the portal (with the platform
stub mounted) and a Celery worker with beat, both on the test's PostgreSQL database and Redis.

Tests using these need `transactional_db` (the processes only see committed rows)."""

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import requests
from django.conf import settings
from django.db import connection

from liaison.queues import queue_option

ROOT = Path(__file__).resolve().parents[1]
VENV_BIN = Path(sys.executable).parent
TOKEN = "test-platform-token"
SECRET = "test-callback-secret"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def database_url() -> str:
    db = connection.settings_dict
    return f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


@dataclass
class Stack:
    """gunicorn + Celery worker sharing one environment; restartable for chaos tests."""

    port: int
    env: dict
    logs: Path
    stub_port: int = 0
    web: subprocess.Popen | None = None
    stub: subprocess.Popen | None = None
    worker: subprocess.Popen | None = None
    more_workers: list = field(default_factory=list)
    _log_files: list = field(default_factory=list)

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def stub_url(self) -> str:
        return f"http://127.0.0.1:{self.stub_port}/governance-stub/"

    def _spawn(self, name: str, argv: list[str]) -> subprocess.Popen:
        log = open(self.logs / f"{name}.log", "ab")  # noqa: SIM115 - closed in stop()
        self._log_files.append(log)
        # A session of its own, so that stopping or killing it reaches its children too (the
        # worker's embedded beat, gunicorn's workers) and none outlives the test as an orphan.
        return subprocess.Popen(  # noqa: S603
            argv, cwd=ROOT, env=self.env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
        )

    def start_web(self) -> None:
        self.web = self._gunicorn("web", self.port)

    def start_stub(self) -> None:
        """The platform stub as its own gunicorn process, as a real platform would be: the
        portal then reaches it only at stub_url (set GOVERNANCE_PLATFORM_URL to it)."""
        self.stub = self._gunicorn("stub", self.stub_port)

    def _gunicorn(self, name: str, port: int) -> subprocess.Popen:
        process = self._spawn(
            name,
            [
                str(VENV_BIN / "gunicorn"),
                "liaison.wsgi",
                "--bind",
                f"127.0.0.1:{port}",
                "--worker-class",
                "gthread",
                "--workers",
                "2",
                "--threads",
                "8",
                "--timeout",
                "60",
            ],
        )
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                requests.get(f"http://127.0.0.1:{port}/governance-stub/api/faults/", timeout=1, headers=self.auth)
                return process
            except requests.RequestException:
                time.sleep(0.2)
        raise RuntimeError(f"gunicorn did not start; see {self.logs / (name + '.log')}")

    def start_worker(
        self, *, pool: str = "threads", concurrency: int = 8, queues: str | None = None, name: str = "worker"
    ) -> subprocess.Popen:
        """A worker with beat embedded consuming every queue; with `queues` (a -Q argument), a
        worker without beat that consumes only those (liaison.queues), kept in `more_workers`."""
        argv = [str(VENV_BIN / "celery"), "-A", "liaison", "worker"]
        if queues is None:
            argv += ["--beat", "--schedule", str(self.logs / "beat-schedule"), "--queues", queue_option()]
        else:
            argv += ["--queues", queues, "--hostname", f"{name}@%h"]
        argv += ["--concurrency", str(concurrency), "--pool", pool, "--loglevel", "INFO"]
        process = self._spawn(name, [*argv, "--without-gossip", "--without-mingle"])
        if queues is None:
            self.worker = process
        else:
            self.more_workers.append(process)
        time.sleep(1.0)
        return process

    def kill_worker(self) -> None:
        """SIGKILL to the worker and its beat, as a pulled plug would."""
        if self.worker:
            _signal_group(self.worker, signal.SIGKILL)
            self.worker.wait(10)

    @property
    def auth(self) -> dict:
        return {"Authorization": f"Bearer {TOKEN}"}

    def set_faults(self, **values) -> None:
        response = requests.put(
            f"{self.base_url}/governance-stub/api/faults/", json=values, headers=self.auth, timeout=5
        )
        response.raise_for_status()

    def stop(self) -> None:
        for process in (self.worker, *self.more_workers, self.web, self.stub):
            if process is None:
                continue
            _signal_group(process, signal.SIGTERM)
            with contextlib.suppress(subprocess.TimeoutExpired):
                process.wait(10)
            _signal_group(process, signal.SIGKILL)  # whatever of the group is still there
            process.wait(5)
        _wait_for_their_sessions_to_end()
        for log in self._log_files:
            log.close()


def _wait_for_their_sessions_to_end(timeout: float = 5) -> None:
    """PostgreSQL ends a dead process's backends a moment later; wait, so that the test database
    can be dropped at the end of the run without "being accessed by other users"."""
    if connection.vendor != "postgresql":
        return
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()"
            )
            if cursor.fetchone()[0] == 0:
                return
        time.sleep(0.1)


def _signal_group(process: subprocess.Popen, signum: int) -> None:
    with contextlib.suppress(ProcessLookupError):  # the whole group is gone already
        os.killpg(process.pid, signum)


def make_stack(tmp_path: Path, *, separate_stub: bool = False, **extra_env) -> Stack:
    """With `separate_stub`, the portal reaches the platform stub in its own process (start it
    with start_stub); otherwise at the stub mounted in the portal."""
    port, stub_port = free_port(), free_port()
    base = f"http://127.0.0.1:{port}"
    platform = f"http://127.0.0.1:{stub_port if separate_stub else port}/governance-stub/"
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "liaison.settings",
        "DATABASE_URL": database_url(),
        "DATABASE_CONN_MAX_AGE": "0",
        "REDIS_URL": settings.REDIS_URL,
        "DJANGO_DEBUG": "0",
        "DJANGO_HTTPS": "0",
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1,localhost",
        "PUBLIC_BASE_URL": base,
        "GOVERNANCE_PLATFORM_URL": platform,
        "GOVERNANCE_PLATFORM_TOKEN": TOKEN,
        "GOVERNANCE_CALLBACK_SECRET": SECRET,
        "GOVERNANCE_PLATFORM_TIMEOUT": "1.5",
        "GOVERNANCE_STUB_HANG_SECONDS": "2",
        "GOVERNANCE_RETRY_BASE_SECONDS": "0.2",
        "GOVERNANCE_RETRY_MAX_SECONDS": "2",
        "GOVERNANCE_MAX_ATTEMPTS": "50",
        "GOVERNANCE_CLAIM_SECONDS": "8",
        "GOVERNANCE_SWEEP_GRACE_SECONDS": "3",
        "FORWARDING_SWEEP_SECONDS": "1",
        "GOVERNANCE_STUB_DELIVERY_SECONDS": "0.5",
        "CELERY_TASK_ALWAYS_EAGER": "0",
        "LOG_LEVEL": "WARNING",
        **{k: str(v) for k, v in extra_env.items()},
    }
    return Stack(port=port, env=env, logs=tmp_path, stub_port=stub_port)
