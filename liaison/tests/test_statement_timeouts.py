"""Web connections carry a PostgreSQL statement_timeout a little under gunicorn's timeout, so a
query whose worker gunicorn killed does not run on; Celery workers and management commands have
none unless told (liaison.database)."""

import time

import pytest
import requests
from django.db import OperationalError, connection, transaction
from django.db.backends.postgresql.base import DatabaseWrapper
from gunicorn.config import Timeout

from liaison.database import WEB_STATEMENT_TIMEOUT_DEFAULT, database, statement_timeout_seconds
from testsupport.processes import database_url, make_stack
from testsupport.services import require_postgres, require_redis

pytestmark = pytest.mark.postgres


def probe(*, web: bool) -> DatabaseWrapper:
    """A new connection to the test database with the settings this kind of process gets."""
    built = database(database_url(), web=web)
    return DatabaseWrapper({**connection.settings_dict, "OPTIONS": built["OPTIONS"]}, alias=f"probe_{web}")


def show_statement_timeout(wrapper: DatabaseWrapper) -> str:
    with wrapper.cursor() as cursor:
        cursor.execute("SHOW statement_timeout")
        return cursor.fetchone()[0]


def test_the_web_timeout_defaults_to_a_little_under_gunicorns_own(monkeypatch):
    monkeypatch.delenv("DATABASE_WEB_STATEMENT_TIMEOUT", raising=False)
    monkeypatch.delenv("DATABASE_TASK_STATEMENT_TIMEOUT", raising=False)
    assert statement_timeout_seconds(web=True) == WEB_STATEMENT_TIMEOUT_DEFAULT
    assert Timeout.default - 10 < WEB_STATEMENT_TIMEOUT_DEFAULT < Timeout.default
    assert statement_timeout_seconds(web=False) == 0


@pytest.mark.django_db
def test_a_web_connection_cancels_a_query_longer_than_its_timeout(monkeypatch):
    require_postgres()
    monkeypatch.setenv("DATABASE_WEB_STATEMENT_TIMEOUT", "0.5")
    wrapper = probe(web=True)
    try:
        assert show_statement_timeout(wrapper) == "500ms"
        started = time.monotonic()
        with pytest.raises(OperationalError, match="statement timeout"), wrapper.cursor() as cursor:
            cursor.execute("SELECT pg_sleep(5)")
        assert time.monotonic() - started < 3
    finally:
        wrapper.close()


@pytest.mark.django_db
def test_workers_and_commands_have_no_timeout_unless_they_are_given_one(monkeypatch):
    require_postgres()
    monkeypatch.setenv("DATABASE_WEB_STATEMENT_TIMEOUT", "0.5")
    monkeypatch.delenv("DATABASE_TASK_STATEMENT_TIMEOUT", raising=False)
    wrapper = probe(web=False)
    try:
        assert show_statement_timeout(wrapper) == "0"
        with wrapper.cursor() as cursor:
            cursor.execute("SELECT pg_sleep(1), 'done'")  # longer than the web's limit
            assert cursor.fetchone()[1] == "done"
    finally:
        wrapper.close()
    monkeypatch.setenv("DATABASE_TASK_STATEMENT_TIMEOUT", "600")
    wrapper = probe(web=False)
    try:
        assert show_statement_timeout(wrapper) == "10min"
    finally:
        wrapper.close()


@pytest.mark.redis
def test_under_gunicorn_a_page_whose_query_outlives_the_timeout_answers_an_error_page_and_the_query_ends(
    transactional_db, tmp_path, world
):
    """gunicorn (liaison.wsgi marks its process as web) with a 1-second limit: the tracking
    page's query waits on a lock this test holds; PostgreSQL cancels it, the villager gets the
    "busy, try again" page at once, and nothing of that request is left running."""
    require_postgres()
    require_redis()
    issue = world.submit()
    stack = make_stack(tmp_path, DATABASE_WEB_STATEMENT_TIMEOUT="1", DATABASE_CONN_MAX_AGE="60")
    stack.start_web()
    try:
        url = f"{stack.base_url}/t/{issue.tracking_code}/"
        assert requests.get(url, timeout=10).status_code == 200
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("LOCK TABLE issues_issue IN ACCESS EXCLUSIVE MODE")
            started = time.monotonic()
            response = requests.get(url, timeout=20)
            elapsed = time.monotonic() - started
            cursor.execute(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                "AND pid <> pg_backend_pid() AND state = 'active'"
            )
            still_running = cursor.fetchone()[0]
        assert response.status_code == 503, response.text[:500]
        assert response.headers["Retry-After"]
        assert "<html" in response.text and 'lang="zh-Hans"' in response.text
        assert 0.9 < elapsed < 8
        assert still_running == 0
        assert requests.get(url, timeout=10).status_code == 200  # the same worker serves again
    finally:
        stack.stop()


@pytest.mark.django_db
def test_connections_run_without_jit_compilation_unless_it_is_asked_for(monkeypatch):
    """PostgreSQL compiled the province's dashboard aggregates before running them, which cost more
    than it saved: our connections turn JIT off; DATABASE_JIT=1 leaves the server's setting."""
    require_postgres()
    monkeypatch.delenv("DATABASE_JIT", raising=False)
    for web in (True, False):
        wrapper = probe(web=web)
        try:
            with wrapper.cursor() as cursor:
                cursor.execute("SHOW jit")
                assert cursor.fetchone()[0] == "off"
        finally:
            wrapper.close()
    monkeypatch.setenv("DATABASE_JIT", "1")
    wrapper = probe(web=False)
    try:
        with wrapper.cursor() as cursor:
            cursor.execute("SHOW jit")
            assert cursor.fetchone()[0] == "on"  # the server's default (PostgreSQL 12 and later)
    finally:
        wrapper.close()
