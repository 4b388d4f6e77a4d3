"""/healthz and /readyz for load balancers, JSON logs, and errors to a self-hosted Sentry."""

import gzip
import json
import logging
import sys
import threading
import time
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.db import OperationalError, connection
from django.test import Client

from issues import clock
from issues.models import Forwarding
from issues.permissions import Actor
from issues.services import issue_accept, issue_assign, issue_review
from liaison.celery import heartbeat
from liaison.health import record_heartbeat
from liaison.observability import JsonFormatter, init_sentry
from testsupport.redis_server import OwnRedis

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _own_var_dir(settings, tmp_path):
    settings.VAR_DIR = tmp_path  # the heartbeat file of this test alone


def ready():
    response = Client().get("/readyz")
    return response.status_code, response.json()


def test_healthz_answers_even_when_the_database_does_not(monkeypatch):
    monkeypatch.setattr(connection, "ensure_connection", lambda: (_ for _ in ()).throw(OperationalError("down")))
    response = Client().get("/healthz")
    assert response.status_code == 200 and response.content == b"ok\n"


def test_ready_when_the_database_answers_and_a_worker_beat_recently(db):
    heartbeat.delay()  # what beat schedules and the worker runs
    status, body = ready()
    assert status == 200 and body["ready"] is True
    assert set(body["checks"]) >= {"database", "redis", "worker", "outbox"}
    assert all(text.startswith("ok") for text in body["checks"].values())


def test_not_ready_without_a_worker_heartbeat_or_with_an_old_one(db, settings):
    status, body = ready()
    assert status == 503 and body["checks"]["worker"].startswith("not ready")
    record_heartbeat(now=time.time() - settings.READYZ_HEARTBEAT_MAX_AGE - 5)
    status, body = ready()
    assert status == 503 and "heartbeat" in body["checks"]["worker"]


def test_not_ready_when_the_database_refuses(db, monkeypatch):
    record_heartbeat()
    monkeypatch.setattr(connection, "ensure_connection", lambda: (_ for _ in ()).throw(OperationalError("too many")))
    status, body = ready()
    assert status == 503 and "too many" in body["checks"]["database"]


def test_not_ready_when_a_due_forwarding_has_waited_too_long(world, settings):
    record_heartbeat()
    staff = Actor.of(world.station_staff)
    issue = world.submit()
    issue_accept(actor=staff, issue_id=issue.pk)
    issue_review(actor=staff, issue_id=issue.pk)
    issue_assign(actor=staff, issue_id=issue.pk, department_id=world.department.pk)
    waited = timedelta(seconds=settings.READYZ_OUTBOX_MAX_AGE + 60)
    Forwarding.objects.filter(issue=issue).update(
        status=Forwarding.Status.PENDING, next_attempt_at=clock.now() - waited
    )
    status, body = ready()
    assert status == 503 and "forwarding" in body["checks"]["outbox"]


def test_not_ready_when_redis_is_down(db, settings):
    server = OwnRedis()
    server.start()
    settings.REDIS_URL = server.url
    record_heartbeat()
    assert ready()[0] == 200
    server.stop()
    status, body = ready()
    assert status == 503 and body["checks"]["redis"].startswith("not ready")


def test_json_logs_are_one_parsable_object_per_line_with_extra_fields_and_the_traceback():
    formatter = JsonFormatter()
    try:
        raise ValueError("坏了")
    except ValueError:
        record = logging.getLogger("liaison.test").makeRecord(
            "liaison.test",
            logging.ERROR,
            __file__,
            1,
            "case %s failed",
            ("K7QM",),
            sys.exc_info(),
            extra={"case_id": 42},
        )
    line = formatter.format(record)
    assert "\n" not in line
    entry = json.loads(line)
    assert entry["message"] == "case K7QM failed" and entry["level"] == "ERROR" and entry["case_id"] == 42
    assert "ValueError: 坏了" in entry["exception"]


class FakeSentry(BaseHTTPRequestHandler):
    received: list[bytes] = []

    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
        encoding = self.headers.get("Content-Encoding")
        if encoding == "gzip":
            body = gzip.decompress(body)
        elif encoding == "br":  # sentry-sdk's choice whenever brotli is installed (WeasyPrint brings it)
            import brotli

            body = brotli.decompress(body)
        FakeSentry.received.append(body)
        self.send_response(200)
        self.end_headers()
        self.wfile.write(b"{}")

    def log_message(self, *args):
        pass


def test_an_error_in_a_request_reaches_a_self_hosted_sentry(db, settings):
    import sentry_sdk

    server = ThreadingHTTPServer(("127.0.0.1", 0), FakeSentry)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    FakeSentry.received = []
    try:
        init_sentry(f"http://publickey@127.0.0.1:{server.server_port}/7", environment="test", traces_sample_rate=0)
        try:
            raise RuntimeError("坏掉的部门接口")
        except RuntimeError as error:
            sentry_sdk.capture_exception(error)
        sentry_sdk.flush(timeout=5)
    finally:
        sentry_sdk.init(dsn=None)  # nothing more leaves this test process
        server.shutdown()
    items = [json.loads(line) for body in FakeSentry.received for line in body.splitlines() if line.strip()]
    events = [item for item in items if "exception" in item]
    assert len(events) == 1
    [error] = events[0]["exception"]["values"]
    assert (error["type"], error["value"]) == ("RuntimeError", "坏掉的部门接口")
    assert events[0]["environment"] == "test"
    frames = error["stacktrace"]["frames"]
    assert not any(frame.get("vars") for frame in frames)  # no local variables leave the process
