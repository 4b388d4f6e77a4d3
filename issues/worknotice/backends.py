"""浙政钉 senders, chosen by DINGTALK_BACKEND: `file` (JSON lines to DINGTALK_FILE_PATH, the
default), `zwdd` (the work-notification API of the 浙政钉 open platform), or a dotted class path.
`send` returns nothing or raises WorkNoticeError; the key is the platform's bizMsgId, which it
keeps unique, so that a repeated attempt never becomes a second notification."""

import base64
import fcntl
import hashlib
import hmac
import json
import os
import threading
import uuid
from datetime import datetime
from pathlib import Path
from urllib.parse import urlsplit

import requests
from django.conf import settings
from django.utils import timezone
from django.utils.module_loading import import_string

from issues import clock


class WorkNoticeError(Exception):
    def __init__(self, message: str, *, retryable: bool):
        super().__init__(message)
        self.message = message
        self.retryable = retryable

    def __str__(self) -> str:
        return self.message


class FileBackend:
    def __init__(self, path=None):
        self.path = Path(path or settings.DINGTALK_FILE_PATH)

    def send(self, *, key: str, account_id: str, text: str) -> None:
        line = {"key": key, "to": account_id, "text": text, "sent_at": clock.now().isoformat()}
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            with open(self.path, "a", encoding="utf-8") as out:
                fcntl.flock(out, fcntl.LOCK_EX)
                # Written once per key: a retry after a crash finds its line (the bizMsgId rule).
                with open(self.path, encoding="utf-8") as written:
                    if any(f'"key": "{key}"' in existing for existing in written):
                        return
                out.write(json.dumps(line, ensure_ascii=False) + "\n")
                out.flush()
                os.fsync(out.fileno())
        except OSError as error:
            raise WorkNoticeError(f"cannot write {self.path.name}: {error.strerror}", retryable=True) from None


def zwdd_signature(secret: str, method: str, timestamp: str, nonce: str, uri: str, params: dict) -> str:
    """HMAC-SHA256 over method, timestamp, nonce, path and the sorted parameters, one per line."""
    lines = [method, timestamp, nonce, uri]
    if params:
        lines.append("&".join(f"{k}={v}" for k, v in sorted(params.items())))
    digest = hmac.new(secret.encode(), "\n".join(lines).encode(), hashlib.sha256).digest()
    return base64.b64encode(digest).decode()


_local = threading.local()


class ZwddBackend:
    """POST /message/workNotification with the platform's HMAC headers."""

    PATH = "/message/workNotification"

    def send(self, *, key: str, account_id: str, text: str) -> None:
        if not (settings.DINGTALK_ENDPOINT and settings.DINGTALK_APP_KEY and settings.DINGTALK_APP_SECRET):
            raise WorkNoticeError("浙政钉 is not configured (endpoint, app key, secret)", retryable=False)
        params = {
            "receiverIds": account_id,
            "tenantId": settings.DINGTALK_TENANT_ID,
            "bizMsgId": key,
            "msg": json.dumps({"msgtype": "text", "text": {"content": text}}, ensure_ascii=False),
        }
        timestamp = timezone.localtime(datetime.now(tz=timezone.get_default_timezone())).isoformat(
            timespec="milliseconds"
        )
        nonce = f"{int(datetime.now().timestamp() * 1000)}{uuid.uuid4().hex[:4]}"
        base = settings.DINGTALK_ENDPOINT.rstrip("/")
        uri = urlsplit(base).path.rstrip("/") + self.PATH
        headers = {
            "X-Hmac-Auth-Timestamp": timestamp,
            "X-Hmac-Auth-Version": "1.0",
            "X-Hmac-Auth-Nonce": nonce,
            "apiKey": settings.DINGTALK_APP_KEY,
            "X-Hmac-Auth-Signature": zwdd_signature(
                settings.DINGTALK_APP_SECRET, "POST", timestamp, nonce, uri, params
            ),
            "X-Hmac-Auth-IP": "127.0.0.1",
            "X-Hmac-Auth-MAC": "00:00:00:00:00:00",
        }
        session = getattr(_local, "session", None) or requests.Session()
        _local.session = session
        try:
            response = session.post(base + self.PATH, data=params, headers=headers, timeout=(3.05, 5))
        except requests.RequestException as error:
            raise WorkNoticeError(f"connection failed: {type(error).__name__}", retryable=True) from None
        try:
            body = response.json()
        except ValueError:
            raise WorkNoticeError(f"unreadable answer (HTTP {response.status_code})", retryable=True) from None
        content = body.get("content") if isinstance(body, dict) else None
        if response.status_code == 200 and body.get("success") and isinstance(content, dict) and content.get("success"):
            return
        code = str((content or {}).get("responseCode") or body.get("errorCode") or response.status_code)
        message = f"{code}: {str((content or {}).get('responseMessage') or body.get('errorMsg') or '')[:150]}"
        retryable = response.status_code >= 500 or response.status_code == 429 or code in {"233027", "throttled"}
        raise WorkNoticeError(message, retryable=retryable)


def get_backend():
    name = settings.DINGTALK_BACKEND
    if name == "file":
        return FileBackend()
    if name == "zwdd":
        return ZwddBackend()
    return import_string(name)()
