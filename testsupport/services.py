"""Which real services the tests may use. With REQUIRE_SERVICES=1 (CI) a missing service fails
the test that needs it; without it (a laptop with only Python) such a test is skipped."""

import os

import pytest
from django.conf import settings
from django.db import connection


def _require(available: bool, what: str) -> None:
    if available:
        return
    if os.environ.get("REQUIRE_SERVICES") == "1":
        pytest.fail(f"{what} is required (REQUIRE_SERVICES=1) but not configured or not reachable")
    pytest.skip(f"needs {what}; set DATABASE_URL/REDIS_URL to run it")


def require_postgres() -> None:
    _require(connection.vendor == "postgresql", "PostgreSQL (DATABASE_URL=postgres://…)")


def redis_available() -> bool:
    if not settings.REDIS_URL:
        return False
    import redis

    try:
        return bool(redis.Redis.from_url(settings.REDIS_URL, socket_connect_timeout=2).ping())
    except redis.RedisError:
        return False


def require_redis() -> None:
    _require(redis_available(), "Redis (REDIS_URL=redis://…)")
