"""Fixed-window rate limits in the cache (Redis in production, so every gunicorn process and
machine shares the counts). Generous by design: villagers share carrier IPs.

`RATE_LIMITS_ENABLED=0` turns them off for load tests and benchmarks.

They fail open: when the cache cannot be reached the request goes through, logged and counted
(liaison.cache), because a villager who cannot send is worse than a spammer who briefly can."""

import hashlib
import logging
import time
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache

from liaison.cache import degradation

logger = logging.getLogger(__name__)


@dataclass
class RateLimited(Exception):
    retry_after: int


@dataclass(frozen=True)
class Limit:
    count: int
    seconds: int


# name -> Limit; settings.RATE_LIMITS may override any of them.
DEFAULT_LIMITS = {
    "submit_ip": Limit(60, 3600),  # form posts per client IP per hour, sent or not
    # Valid submissions (what could become a case) per deputy/station code per hour, and per code
    # from one address: junk posts cost a code nothing, and one address spends at most 30 of its
    # 200 (a station's Wi-Fi on a reception day still sends 30 cases in an hour).
    "submit_code": Limit(200, 3600),
    "submit_code_ip": Limit(30, 3600),
    "lookup_ip": Limit(10, 600),  # tracking-code lookups (code + phone digits) per IP
    "lookup_code_fail": Limit(10, 3600),  # failed lookups of one code per hour, from any address
    "evaluate_ip": Limit(30, 3600),
    "second_ip": Limit(30, 3600),  # "me too" presses per IP per hour (villagers share carrier IPs)
    "page_ip": Limit(600, 60),  # public page views per IP per minute
    "login_fail_ip": Limit(30, 3600),  # failed staff logins per IP per hour, any usernames
}


def limit_for(name: str) -> Limit:
    return getattr(settings, "RATE_LIMITS", {}).get(name, DEFAULT_LIMITS[name])


def hit(name: str, key: str) -> None:
    """Count one request for `key` under the limit `name`; raise RateLimited past the limit."""
    if not settings.RATE_LIMITS_ENABLED:
        return
    limit = limit_for(name)
    if count(name, key) > limit.count:
        raise RateLimited(retry_after=_retry_after(limit))


def refuse_if_exceeded(name: str, key: str) -> None:
    """Raise RateLimited when `key` is already over the limit `name`, without counting."""
    if exceeded(name, key):
        raise RateLimited(retry_after=_retry_after(limit_for(name)))


def hit_submission(code_key: str, ip: str) -> None:
    """Count one valid submission to a code: against the code from this address first, so that
    an address past its share is refused without spending the code's budget for everyone."""
    hit("submit_code_ip", f"{code_key}|{ip}")
    hit("submit_code", code_key)


def count(name: str, key: str) -> int:
    """Count one event for `key` under `name` and return the window's count (0 when the cache
    is unreachable: fail open)."""
    limit = limit_for(name)
    try:
        return _count(_cache_key(name, key, limit), timeout=limit.seconds + 5)
    except Exception as error:  # any cache failure: fail open (see the module's docstring)
        degradation.record(f"rate limit {name}", error)
        return 0


def exceeded(name: str, key: str) -> bool:
    """Whether `key` is already over the limit `name`, without counting."""
    if not settings.RATE_LIMITS_ENABLED:
        return False
    limit = limit_for(name)
    try:
        return (cache.get(_cache_key(name, key, limit)) or 0) >= limit.count
    except Exception as error:
        degradation.record(f"rate limit {name}", error)
        return False


def _retry_after(limit: Limit) -> int:
    """Seconds until the fixed window ends."""
    return max(1, int(limit.seconds - time.time() % limit.seconds))


def _cache_key(name: str, key: str, limit: Limit) -> str:
    window = int(time.time() // limit.seconds)
    digest = hashlib.sha256(key.encode()).hexdigest()[:24]
    return f"rl:{name}:{digest}:{window}"


def _count(cache_key: str, *, timeout: int) -> int:
    if cache.add(cache_key, 1, timeout=timeout):
        return 1
    try:
        return cache.incr(cache_key)
    except ValueError:  # expired between add and incr
        cache.set(cache_key, 1, timeout=timeout)
        return 1


def client_ip(request) -> str:
    """The client's address; behind N trusted proxies (TRUSTED_PROXY_COUNT), the N-th address
    from the right of X-Forwarded-For."""
    proxies = getattr(settings, "TRUSTED_PROXY_COUNT", 0)
    if proxies:
        forwarded = [p.strip() for p in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if p.strip()]
        if len(forwarded) >= proxies:
            return forwarded[-proxies]
    return request.META.get("REMOTE_ADDR", "")
