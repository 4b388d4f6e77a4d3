"""A Redis cache that degrades instead of failing.

The cache holds rate-limit counters and cached public pages: losing it for a while costs some
speed and some protection, while raising would shut the villager's front door whenever Redis
blinks (reads raise ConnectionError, and every public view answers 500). So a Redis error turns
a read into a miss and a write into a no-op, is logged (at most once every ten seconds per
process) and counted. `incr`/`decr` still raise, for callers that must know: liaison.ratelimit counts with
them, and fails open explicitly (and counts the failure) when they raise."""

import functools
import logging
import threading
import time

from django.core.cache.backends.redis import RedisCache
from redis.exceptions import RedisError

logger = logging.getLogger(__name__)

LOG_EVERY_SECONDS = 10.0


class _Degradation:
    """How many cache operations failed in this process, and when it was last logged."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.failures = 0
        self.logged_at = 0.0

    def record(self, operation: str, error: Exception) -> None:
        with self.lock:
            self.failures += 1
            now = time.monotonic()
            if now - self.logged_at < LOG_EVERY_SECONDS:
                return
            self.logged_at = now
            count = self.failures
        logger.warning("cache unavailable (%s: %s); degrading, %d failure(s) so far", operation, error, count)


degradation = _Degradation()


def cache_failures() -> int:
    """Cache operations that failed in this process since it started."""
    return degradation.failures


def _degrade(default):
    def wrap(method):
        @functools.wraps(method)
        def guarded(self, *args, **kwargs):
            try:
                return method(self, *args, **kwargs)
            except (RedisError, OSError) as error:
                degradation.record(method.__name__, error)
                return default() if callable(default) else default

        return guarded

    return wrap


class ResilientRedisCache(RedisCache):
    """Django's RedisCache whose reads miss and writes do nothing while Redis is unreachable."""

    def get(self, key, default=None, version=None):
        try:
            return super().get(key, default, version)
        except (RedisError, OSError) as error:
            degradation.record("get", error)
            return default

    add = _degrade(False)(RedisCache.add)
    set = _degrade(None)(RedisCache.set)
    touch = _degrade(False)(RedisCache.touch)
    delete = _degrade(False)(RedisCache.delete)
    get_many = _degrade(dict)(RedisCache.get_many)
    has_key = _degrade(False)(RedisCache.has_key)
    set_many = _degrade(list)(RedisCache.set_many)
    delete_many = _degrade(None)(RedisCache.delete_many)
    clear = _degrade(False)(RedisCache.clear)
