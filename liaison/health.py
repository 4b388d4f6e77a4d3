"""Liveness and readiness for load balancers and monitors.

- `/healthz`: the process answers. Touches nothing else, so a database outage does not get
  every web process restarted by its supervisor.
- `/readyz`: the parts a request needs are there: PostgreSQL, Redis (when configured), a Celery
  worker that beat recently, and whatever the apps register (the forwarding outbox registers its
  oldest due row). 200 with each check's result, or 503 naming what is not ready.

The worker's heartbeat is a beat-scheduled task (`liaison.heartbeat`) that the worker runs: it
is written to the cache (shared through Redis) and to a file under VAR_DIR (for the embedded
default, whose local-memory cache each process keeps to itself)."""

import contextlib
import json
import logging
import time
from collections.abc import Callable
from pathlib import Path

from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.http import HttpResponse, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

logger = logging.getLogger(__name__)

HEARTBEAT_KEY = "liaison:worker-heartbeat"

# name -> check(); a check returns a short "ok ..." text or raises NotReady with the reason.
_CHECKS: dict[str, Callable[[], str]] = {}


class NotReady(Exception):
    pass


def register(name: str, check: Callable[[], str]) -> None:
    """For apps (from their AppConfig.ready): one more readiness check."""
    _CHECKS[name] = check


def _heartbeat_file() -> Path:
    return Path(settings.VAR_DIR) / "worker-heartbeat"


def record_heartbeat(now: float | None = None) -> None:
    now = time.time() if now is None else now
    cache.set(HEARTBEAT_KEY, now, timeout=24 * 3600)
    path = _heartbeat_file()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(now))


def last_heartbeat() -> float | None:
    seen = [cache.get(HEARTBEAT_KEY)]
    with contextlib.suppress(OSError, ValueError):  # no file yet, or one being written
        seen.append(json.loads(_heartbeat_file().read_text()))
    seen = [value for value in seen if isinstance(value, int | float)]
    return max(seen) if seen else None


def check_database() -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()
    return "ok"


def check_redis() -> str:
    if not settings.REDIS_URL:
        return "ok (not configured: local cache and broker)"
    import redis

    try:
        redis.Redis.from_url(settings.REDIS_URL, socket_connect_timeout=1, socket_timeout=1).ping()
    except redis.RedisError as error:
        raise NotReady(f"unreachable: {error}") from None
    return "ok"


def check_worker() -> str:
    beat = last_heartbeat()
    if beat is None:
        raise NotReady("no heartbeat from any Celery worker yet")
    age = time.time() - beat
    if age > settings.READYZ_HEARTBEAT_MAX_AGE:
        raise NotReady(f"last heartbeat {age:.0f} s ago")
    return f"ok ({age:.0f} s ago)"


register("database", check_database)
register("redis", check_redis)
register("worker", check_worker)


@never_cache
@require_GET
def healthz(request):
    return HttpResponse("ok\n", content_type="text/plain")


@never_cache
@require_GET
def readyz(request):
    results, ready = {}, True
    for name, check in _CHECKS.items():
        try:
            results[name] = check()
        except Exception as error:  # each check's failure is the answer, never a 500
            ready = False
            results[name] = f"not ready: {error}" if isinstance(error, NotReady) else f"error: {error}"
    if not ready:
        logger.warning("not ready: %s", {k: v for k, v in results.items() if not v.startswith("ok")})
    return JsonResponse({"ready": ready, "checks": results}, status=200 if ready else 503)
