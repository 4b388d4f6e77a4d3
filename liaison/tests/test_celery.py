"""The Celery worker treats each task as Django treats a request: it keeps its database
connection from task to task (up to CONN_MAX_AGE) instead of opening a new one for each."""

import pytest
from celery.signals import task_postrun, task_prerun
from django.db import connection

from issues.tasks import forward_case
from liaison.celery import app


def run_signals() -> None:
    """What a worker sends around one task (not eager)."""
    task_prerun.send(sender=forward_case, task_id="t", task=forward_case, args=(), kwargs={})
    task_postrun.send(sender=forward_case, task_id="t", task=forward_case, args=(), kwargs={}, retval=None)


def test_celerys_own_fixup_is_told_not_to_close_the_connection_after_each_task():
    assert app.conf.get("CELERY_DB_REUSE_MAX") >= 10**9


def test_a_worker_keeps_its_database_connection_from_task_to_task(transactional_db, monkeypatch):
    monkeypatch.setitem(connection.settings_dict, "CONN_MAX_AGE", 600)
    connection.close()
    connection.ensure_connection()
    opened = connection.connection

    for _ in range(3):
        run_signals()
        connection.ensure_connection()

    assert connection.connection is opened


def test_a_worker_drops_a_connection_older_than_conn_max_age(transactional_db, monkeypatch):
    connection.ensure_connection()
    connection.close_at = 0  # as if CONN_MAX_AGE had passed long ago
    closed = []
    monkeypatch.setattr(connection, "close", lambda: closed.append(True))  # SQLite's test DB never closes

    run_signals()

    assert closed


@pytest.mark.django_db
def test_an_eager_task_leaves_the_callers_transaction_and_connection_alone():
    opened = connection.connection
    forward_case.apply(args=[0])  # eager: runs here, inside the test's transaction
    assert connection.connection is opened and connection.in_atomic_block
