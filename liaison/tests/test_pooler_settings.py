"""The connection settings that go with each pooler (README, "Poolers"; liaison.database). The
pooled run itself is in .ci/run: the API and lifecycle tests again through PgBouncer."""

import pytest

from liaison.database import database

URL = "postgres://postgres@127.0.0.1:6432/liaison"


@pytest.fixture(autouse=True)
def _clean_environment(monkeypatch):
    for name in (
        "DATABASE_TRANSACTION_POOLER",
        "DATABASE_PREPARED_STATEMENTS",
        "DATABASE_WEB_STATEMENT_TIMEOUT",
        "DATABASE_JIT",
    ):
        monkeypatch.delenv(name, raising=False)


def test_without_a_pooler_statements_are_prepared_server_cursors_used_and_the_timeout_sent_at_start():
    settings = database(URL, web=True)
    assert settings["OPTIONS"]["server_side_binding"] is True
    assert settings["OPTIONS"]["prepare_threshold"] == 2
    assert settings["OPTIONS"]["options"] == "-c jit=off -c statement_timeout=25000"
    assert settings.get("DISABLE_SERVER_SIDE_CURSORS", False) is False


def test_behind_a_transaction_pooler_nothing_outlives_a_transaction(monkeypatch):
    monkeypatch.setenv("DATABASE_TRANSACTION_POOLER", "1")
    monkeypatch.setenv("DATABASE_PREPARED_STATEMENTS", "0")  # PgBouncer before 1.21
    settings = database(URL, web=True)
    assert settings["DISABLE_SERVER_SIDE_CURSORS"] is True
    assert "options" not in settings["OPTIONS"]
    assert "prepare_threshold" not in settings["OPTIONS"]


def test_pgbouncer_from_1_21_keeps_prepared_statements_in_transaction_mode(monkeypatch):
    monkeypatch.setenv("DATABASE_TRANSACTION_POOLER", "1")
    settings = database(URL, web=False)
    assert settings["DISABLE_SERVER_SIDE_CURSORS"] is True
    assert settings["OPTIONS"]["prepare_threshold"] == 2


def test_sqlite_gets_neither_timeouts_nor_prepared_statements():
    settings = database("sqlite:///tmp/liaison.sqlite3", web=True)
    assert settings["OPTIONS"]["transaction_mode"] == "IMMEDIATE"
    assert "options" not in settings["OPTIONS"] and "prepare_threshold" not in settings["OPTIONS"]
