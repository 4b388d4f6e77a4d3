"""The streaming replica for the read-replica tests: a second PostgreSQL cluster on REPLICA_PORT
(5433) made from the primary with pg_basebackup by bin/pg-replica, which .ci/run runs. When it is
not streaming, the set-up runs bin/pg-replica itself (it starts a stopped replica, or makes one;
it needs root). A replica that still does not stream fails the test under REQUIRE_SERVICES=1
(CI) and skips it elsewhere."""

import os
import subprocess
from pathlib import Path

import psycopg
import pytest
from django.db import connection

ROOT = Path(__file__).resolve().parents[1]
REPLICA_PORT = int(os.environ.get("REPLICA_PORT", "5433"))


def _streaming() -> bool:
    try:
        with psycopg.connect(
            host="127.0.0.1", port=REPLICA_PORT, user="postgres", dbname="postgres", connect_timeout=3
        ) as replica:
            status = replica.execute("SELECT status FROM pg_stat_wal_receiver").fetchone()
            return replica.execute("SELECT pg_is_in_recovery()").fetchone()[0] and status == ("streaming",)
    except psycopg.Error:
        return False


def require_replica() -> dict:
    """Django connection settings for the test database on the streaming replica."""
    if not _streaming():
        result = subprocess.run(  # noqa: S603 - a fixed command line
            [str(ROOT / "bin" / "pg-replica")], capture_output=True, text=True, timeout=300, check=False
        )
        if not _streaming():
            why = f"a streaming PostgreSQL replica on port {REPLICA_PORT} (bin/pg-replica: {result.stderr.strip()})"
            if os.environ.get("REQUIRE_SERVICES") == "1":
                pytest.fail(f"{why} is required (REQUIRE_SERVICES=1) but could not be brought up")
            pytest.skip(f"needs {why}")
    return {**connection.settings_dict, "HOST": "127.0.0.1", "PORT": str(REPLICA_PORT), "TEST": {"MIRROR": None}}
