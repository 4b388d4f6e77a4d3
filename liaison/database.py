"""The DATABASES setting, built from the environment (liaison.settings calls `databases()`).

- `default`: DATABASE_URL (SQLite by default, PostgreSQL through psycopg 3).
- Statement timeouts: a web process (gunicorn through liaison.wsgi or liaison.asgi, which mark
  the process with LIAISON_WEB_PROCESS=1 before the settings load) gets a PostgreSQL
  `statement_timeout` a little under gunicorn's own timeout, so that a query whose worker
  gunicorn killed does not run on for minutes. Celery workers and management commands get
  DATABASE_TASK_STATEMENT_TIMEOUT (none by default): a report or a migration may take long.
- `replica`: DATABASE_REPLICA_URL, a streaming replica that dashboards, exports and statistics
  may read from when they ask for it (liaison.replica); absent, those reads go to `default`.
"""

import os

import dj_database_url

from liaison.env import env_bool, env_float, env_int, env_str

POSTGRESQL = "django.db.backends.postgresql"
# gunicorn's default --timeout is 30 s: the database gives up first, so the worker answers an
# error page instead of being killed with the query still running.
WEB_STATEMENT_TIMEOUT_DEFAULT = 25.0


def is_web_process() -> bool:
    return env_bool("LIAISON_WEB_PROCESS", False)


def statement_timeout_seconds(*, web: bool) -> float:
    """0 means no limit."""
    if web:
        return env_float("DATABASE_WEB_STATEMENT_TIMEOUT", WEB_STATEMENT_TIMEOUT_DEFAULT)
    return env_float("DATABASE_TASK_STATEMENT_TIMEOUT", 0.0)


def database(url: str, *, web: bool) -> dict:
    """One entry of DATABASES for `url`, with the connection settings of this kind of process."""
    settings = dj_database_url.parse(
        url, conn_max_age=env_int("DATABASE_CONN_MAX_AGE", 60, minimum=0), conn_health_checks=True
    )
    options = settings.setdefault("OPTIONS", {})
    if settings["ENGINE"] == POSTGRESQL:
        if env_bool("DATABASE_PREPARED_STATEMENTS", True):
            # Parameters bound by the server, and a statement run twice on a connection is
            # prepared: PostgreSQL plans it once instead of on every request (the villager's
            # submission is one statement whose planning costs more than its execution). Off
            # behind a transaction-mode PgBouncer older than 1.21, which cannot keep them; 1.21
            # and later keep them with max_prepared_statements (README, "Poolers").
            options.update(server_side_binding=True, prepare_threshold=2)
        timeout = statement_timeout_seconds(web=web)
        if env_bool("DATABASE_TRANSACTION_POOLER", False):
            # PgBouncer in transaction mode: each transaction may run on another server
            # connection, so nothing may outlive one. Iterating querysets then fetches in
            # chunks on the client instead of through a server-side cursor, and the statement
            # timeout is the pooler's to set (README, "Poolers": it drops startup options).
            settings["DISABLE_SERVER_SIDE_CURSORS"] = True
        else:
            # Startup parameters: set once per connection, no extra round trip. JIT compilation
            # off unless asked for: planning an aggregate over a province's cases as "expensive"
            # made PostgreSQL compile it first, which cost more than it saved (a province's
            # dashboard figures at 5 M cases: 54 s with JIT, 29 s without).
            startup = [] if env_bool("DATABASE_JIT", False) else ["-c jit=off"]
            if timeout > 0:
                startup.append(f"-c statement_timeout={round(timeout * 1000)}")
            if startup:
                options["options"] = " ".join(startup)
    elif settings["ENGINE"] == "django.db.backends.sqlite3":
        # The dev server's threads and the worker's processes share the file. Write-ahead logging
        # lets readers and a writer work at once, and transactions that take the write lock when
        # they begin wait for it (up to the timeout) instead of failing with "database is locked"
        # when a reader turns writer.
        options.update(
            timeout=20,
            transaction_mode="IMMEDIATE",
            init_command="PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        )
    return settings


def databases(default_url: str) -> dict:
    web = is_web_process()
    result = {"default": database(env_str("DATABASE_URL", default_url), web=web)}
    replica_url = env_str("DATABASE_REPLICA_URL")
    if replica_url:
        replica = database(replica_url, web=web)
        # The test run must not create a test database on a read-only standby: the replica
        # entry then reads the primary's test database (liaison.replica's tests point it at a
        # real standby themselves).
        replica["TEST"] = {"MIRROR": "default"}
        result["replica"] = replica
    return result


def mark_web_process() -> None:
    """Called by liaison.wsgi and liaison.asgi before Django loads the settings."""
    os.environ.setdefault("LIAISON_WEB_PROCESS", "1")
