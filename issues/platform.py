"""Our HTTP client of the governance platform (基层治理四平台). It knows the platform only by
GOVERNANCE_PLATFORM_URL and a bearer token, so the real platform can replace the stub."""

import threading
from dataclasses import dataclass

import requests
from django.conf import settings


@dataclass
class PlatformError(Exception):
    message: str
    retryable: bool
    retry_after: float | None = None

    def __str__(self) -> str:
        return self.message


_local = threading.local()


def _session() -> requests.Session:
    # One keep-alive session per thread: a worker reuses its connection to the platform.
    session = getattr(_local, "session", None)
    if session is None:
        session = _local.session = requests.Session()
    return session


def create_case(*, key: str, payload: dict, base_url: str | None = None, token: str | None = None) -> dict:
    """Create (or, with a key seen before, find) the platform's case; returns its JSON."""
    body = post("api/cases/", key=key, payload=payload, base_url=base_url, token=token)
    try:
        str(body["id"])
    except (KeyError, TypeError):
        raise PlatformError("unreadable answer (no id)", retryable=True) from None
    return body


def post(path: str, *, key: str, payload: dict, base_url: str | None = None, token: str | None = None) -> dict:
    """POST `payload` to the platform's `path` with an idempotency key; the answer's JSON, or
    PlatformError (retryable unless the platform refused the request itself)."""
    url = (base_url or settings.GOVERNANCE_PLATFORM_URL).rstrip("/") + "/" + path.lstrip("/")
    bearer = settings.GOVERNANCE_PLATFORM_TOKEN if token is None else token
    headers = {"Authorization": f"Bearer {bearer}", "Idempotency-Key": key}
    try:
        response = _session().post(
            url, json=payload, headers=headers, timeout=(3.05, settings.GOVERNANCE_PLATFORM_TIMEOUT)
        )
    except requests.Timeout:
        raise PlatformError("timeout", retryable=True) from None
    except requests.RequestException as exc:
        raise PlatformError(f"connection failed: {type(exc).__name__}", retryable=True) from None
    if response.status_code in (200, 201):
        try:
            body = response.json()
        except ValueError:
            raise PlatformError(f"unreadable answer (HTTP {response.status_code})", retryable=True) from None
        if not isinstance(body, dict):
            raise PlatformError(f"unreadable answer (HTTP {response.status_code})", retryable=True)
        return body
    retryable = response.status_code >= 500 or response.status_code in (408, 429)
    retry_after = None
    if response.status_code in (429, 503):
        try:
            retry_after = float(response.headers.get("Retry-After", ""))
        except ValueError:
            retry_after = None
    return _raise(PlatformError(f"HTTP {response.status_code}: {response.text[:200]}", retryable, retry_after))


def _raise(error: PlatformError):
    raise error
