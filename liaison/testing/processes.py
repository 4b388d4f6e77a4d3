"""Real processes for the tests that need them: gunicorn serving the portal (with the platform
stub mounted) and a Celery worker with beat, both on the test's PostgreSQL database and Redis.

Tests using these need `transactional_db` (the processes only see committed rows)."""

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

ROOT = Path(__file__).resolve().parents[2]
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
    web: subprocess.Popen | None = None
    worker: subprocess.Popen | None = None
    _log_files: list = field(default_factory=list)

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def _spawn(self, name: str, argv: list[str]) -> subprocess.Popen:
        log = open(self.logs / f"{name}.log", "ab")  # noqa: SIM115 - closed in stop()
        self._log_files.append(log)
        return subprocess.Popen(argv, cwd=ROOT, env=self.env, stdout=log, stderr=subprocess.STDOUT)  # noqa: S603

    def start_web(self) -> None:
        self.web = self._spawn(
            "web",
            [
                str(VENV_BIN / "gunicorn"),
                "liaison.wsgi",
                "--bind",
                f"127.0.0.1:{self.port}",
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
                requests.get(f"{self.base_url}/governance-stub/api/faults/", timeout=1, headers=self.auth)
                return
            except requests.RequestException:
                time.sleep(0.2)
        raise RuntimeError(f"gunicorn did not start; see {self.logs / 'web.log'}")

    def start_worker(self) -> None:
        self.worker = self._spawn(
            "worker",
            [
                str(VENV_BIN / "celery"),
                "-A",
                "liaison",
                "worker",
                "--beat",
                "--schedule",
                str(self.logs / "beat-schedule"),
                "--concurrency",
                "8",
                "--pool",
                "threads",
                "--loglevel",
                "INFO",
                "--without-gossip",
                "--without-mingle",
            ],
        )
        time.sleep(1.0)

    def kill_worker(self) -> None:
        """SIGKILL, as an OOM killer or a pulled plug would."""
        if self.worker and self.worker.poll() is None:
            self.worker.send_signal(signal.SIGKILL)
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
        for process in (self.worker, self.web):
            if process and process.poll() is None:
                process.terminate()
                try:
                    process.wait(10)
                except subprocess.TimeoutExpired:
                    process.kill()
                    process.wait(5)
        for log in self._log_files:
            log.close()


def make_stack(tmp_path: Path, **extra_env) -> Stack:
    port = free_port()
    base = f"http://127.0.0.1:{port}"
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
        "GOVERNANCE_PLATFORM_URL": f"{base}/governance-stub/",
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
    return Stack(port=port, env=env, logs=tmp_path)
