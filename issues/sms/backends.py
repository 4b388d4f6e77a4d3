"""The senders, chosen by SMS_BACKEND as Django chooses its e-mail backend: `file` (JSON lines
to SMS_FILE_PATH, the default for `make run` and tests), `aliyun` (Alibaba Cloud SMS), or the
dotted path of a class with the same two methods.

A sender's `send` returns the provider's id of the accepted message or raises SmsError;
`lookup` answers whether a message with this key reached the provider already (asked before any
attempt after the first, so that a timeout after acceptance never becomes a second text)."""

import fcntl
import json
import os
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from django.conf import settings
from django.utils.module_loading import import_string

from issues import clock


@dataclass(frozen=True)
class Outgoing:
    key: str
    to: str
    template: str
    params: dict
    text: str
    tracking_code: str


class SmsError(Exception):
    def __init__(self, message: str, *, retryable: bool, retry_after: float | None = None):
        super().__init__(message)
        self.message = message
        self.retryable = retryable
        self.retry_after = retry_after

    def __str__(self) -> str:
        return self.message


class FileBackend:
    """Appends each message as one JSON line (under an exclusive lock: several workers share it)."""

    def __init__(self, path: str | os.PathLike | None = None):
        self.path = Path(path or settings.SMS_FILE_PATH)

    def send(self, sms: Outgoing) -> str:
        line = {
            "key": sms.key,
            "to": sms.to,
            "template": sms.template,
            "params": sms.params,
            "text": sms.text,
            "tracking_code": sms.tracking_code,
            "sent_at": clock.now().isoformat(),
        }
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            with open(self.path, "a", encoding="utf-8") as out:
                fcntl.flock(out, fcntl.LOCK_EX)
                out.write(json.dumps(line, ensure_ascii=False) + "\n")
                out.flush()
                os.fsync(out.fileno())
        except OSError as error:
            raise SmsError(f"cannot write {self.path.name}: {error.strerror}", retryable=True) from None
        return f"file:{sms.key}"

    def lookup(self, sms: Outgoing, since: datetime) -> str | None:
        try:
            with open(self.path, encoding="utf-8") as lines:
                for line in lines:
                    if sms.key in line and json.loads(line).get("key") == sms.key:
                        return f"file:{sms.key}"
        except FileNotFoundError:
            return None
        except (OSError, ValueError) as error:
            raise SmsError(f"cannot read {self.path.name}", retryable=True) from error
        return None


def get_backend():
    name = settings.SMS_BACKEND
    if name == "file":
        return FileBackend()
    if name == "aliyun":  # by its dotted path, as Django loads e-mail backends (it imports this module)
        name = "issues.sms.aliyun.AliyunBackend"
    return import_string(name)()
