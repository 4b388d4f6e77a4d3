"""A local fake of the 浙政钉 open platform's work-notification endpoint, for tests: it checks
the credentials as the platform's gateway does (the apiKey, the HMAC signature computed here
independently of issues.worknotice.backends, a timestamp within 15 minutes, each nonce used
once), keeps bizMsgId unique as the platform does, and records what it delivered."""

import base64
import hashlib
import hmac
import json
import threading
import urllib.parse
from collections import Counter
from datetime import datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


def expected(secret: str, method: str, timestamp: str, nonce: str, uri: str, params: dict) -> str:
    text = f"{method}\n{timestamp}\n{nonce}\n{uri}"
    if params:
        text += "\n" + "&".join(f"{key}={params[key]}" for key in sorted(params))
    return base64.b64encode(hmac.new(secret.encode(), text.encode(), hashlib.sha256).digest()).decode()


class FakeZwdd:
    def __init__(self, *, api_key: str, secret: str, tenant: str):
        self.api_key, self.secret, self.tenant = api_key, secret, tenant
        self.delivered: list[dict] = []
        self.refused = 0
        self.fail_next = 0
        self.nonces: set[str] = set()
        self.lock = threading.Lock()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    def counts(self) -> Counter:
        return Counter(item["bizMsgId"] for item in self.delivered)

    def __enter__(self):
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_POST(self):
                length = int(self.headers.get("Content-Length") or 0)
                params = dict(urllib.parse.parse_qsl(self.rfile.read(length).decode(), keep_blank_values=True))
                status, body = fake.handle(self.path, dict(self.headers), params)
                data = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self

    def __exit__(self, *exc):
        self._server.shutdown()
        self._server.server_close()

    def _refuse(self, code: str, message: str) -> tuple[int, dict]:
        with self.lock:
            self.refused += 1
        return 401, {"success": False, "errorCode": code, "errorMsg": message}

    def _fresh(self, timestamp: str) -> bool:
        try:
            sent = datetime.fromisoformat(timestamp)
        except ValueError:
            return False
        return sent.tzinfo is not None and abs((datetime.now(sent.tzinfo) - sent).total_seconds()) <= 900

    def handle(self, path: str, headers: dict, params: dict) -> tuple[int, dict]:
        if not self._fresh(headers.get("X-Hmac-Auth-Timestamp", "")):
            return self._refuse("InvalidTimestamp", "timestamp missing or more than 15 minutes off")
        sign = expected(
            self.secret,
            "POST",
            headers.get("X-Hmac-Auth-Timestamp", ""),
            headers.get("X-Hmac-Auth-Nonce", ""),
            path,
            params,
        )
        if headers.get("apiKey") != self.api_key:
            return self._refuse("InvalidApiKey", "unknown apiKey")
        if not hmac.compare_digest(sign, headers.get("X-Hmac-Auth-Signature", "")):
            return self._refuse("InvalidSignature", "signature mismatch")
        nonce = headers.get("X-Hmac-Auth-Nonce", "")
        with self.lock:
            replayed = not nonce or nonce in self.nonces
            self.nonces.add(nonce)
        if replayed:
            return self._refuse("NonceUsed", "the nonce was used before")
        if path != "/message/workNotification" or params.get("tenantId") != self.tenant:
            return 404, {"success": False, "errorCode": "NotFound", "errorMsg": path}
        with self.lock:
            if self.fail_next > 0:
                self.fail_next -= 1
                return 503, {"success": False, "errorCode": "ServiceUnavailable", "errorMsg": "busy"}
            if params["bizMsgId"] not in {item["bizMsgId"] for item in self.delivered}:
                self.delivered.append(params)
        return 200, {"success": True, "content": {"success": True, "data": {"msgId": params["bizMsgId"]}}}
