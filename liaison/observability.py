"""Logs a collector can parse, and errors to a self-hosted Sentry.

- `JsonFormatter` (LOG_FORMAT=json): one JSON object per line with time, level, logger, message,
  the process and thread, the exception's traceback when there is one, and any `extra` fields.
- `init_sentry` (SENTRY_DSN set): errors and slow transactions to Sentry through the official
  SDK. Government networks cannot reach sentry.io, so the DSN names a self-hosted Sentry; no
  personal data is sent (no user identity, request bodies or local variables)."""

import json
import logging
from datetime import UTC, datetime

# What every LogRecord carries; anything else on a record came in through `extra`.
_STANDARD = set(vars(logging.LogRecord("", 0, "", 0, "", (), None))) | {"message", "asctime", "taskName"}


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": datetime.fromtimestamp(record.created, tz=UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "process": record.process,
            "thread": record.threadName,
        }
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        for key, value in vars(record).items():
            if key not in _STANDARD and not key.startswith("_"):
                entry[key] = value if isinstance(value, str | int | float | bool | type(None)) else repr(value)
        return json.dumps(entry, ensure_ascii=False)


def init_sentry(dsn: str, *, environment: str, traces_sample_rate: float) -> None:
    import sentry_sdk
    from sentry_sdk.integrations.celery import CeleryIntegration
    from sentry_sdk.integrations.django import DjangoIntegration

    sentry_sdk.init(
        dsn=dsn,
        environment=environment,
        integrations=[DjangoIntegration(), CeleryIntegration()],
        # No user identity, no request bodies (a villager's text and phone), no local variables.
        data_collection={"user_info": False, "http_bodies": [], "stack_frame_variables": False},
        traces_sample_rate=traces_sample_rate,
    )
