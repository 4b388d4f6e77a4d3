"""A local fake of Alibaba Cloud's SMS endpoint (dysmsapi, RPC style, API version 2017-05-25),
for tests and the benchmark: it checks each request's signature as the provider documents it
(written here independently of issues.sms.aliyun), records what it accepted, and can be told to
fail, time out after accepting, throttle, or refuse a template.

    with FakeAliyun(key_id="k", secret="s") as fake:
        settings.SMS_ALIYUN_ENDPOINT = fake.url
"""

import base64
import hashlib
import hmac
import json
import random
import threading
import time
import urllib.parse
from collections import Counter
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


def _rfc3986(value: str) -> str:
    # The provider's recipe: form-encode, then "+" → %20, "*" → %2A, %7E → "~".
    return urllib.parse.quote_plus(value, safe="").replace("+", "%20").replace("*", "%2A").replace("%7E", "~")


def expected_signature(secret: str, method: str, params: dict) -> str:
    pairs = sorted((k, v) for k, v in params.items() if k != "Signature")
    canonical = "&".join(f"{_rfc3986(k)}={_rfc3986(v)}" for k, v in pairs)
    to_sign = "&".join([method, _rfc3986("/"), _rfc3986(canonical)])
    return base64.b64encode(hmac.new((secret + "&").encode(), to_sign.encode(), hashlib.sha1).digest()).decode()


class FakeAliyun:
    def __init__(self, *, key_id: str, secret: str, templates: set[str] | None = None):
        self.key_id = key_id
        self.secret = secret
        self.templates = templates  # None: every template code is accepted
        self.failure_rate = 0.0  # answered with isp.SYSTEM_ERROR, nothing accepted
        self.lost_answer_rate = 0.0  # accepted, then the connection hangs past the client's timeout
        self.hang_seconds = 0.0
        self.throttle_next = 0
        self.accepted: list[dict] = []
        self.requests = 0
        self.rejected_signatures = 0
        self.nonces: set[str] = set()
        self.lock = threading.Lock()
        self._server: ThreadingHTTPServer | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}/"

    def counts(self) -> Counter:
        with self.lock:
            return Counter(item["OutId"] for item in self.accepted)

    def __enter__(self):
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_POST(self):
                length = int(self.headers.get("Content-Length") or 0)
                params = dict(urllib.parse.parse_qsl(self.rfile.read(length).decode(), keep_blank_values=True))
                status, body = fake.handle("POST", params)
                if body is None:  # accepted, and the answer never comes in time
                    time.sleep(fake.hang_seconds)
                    status, body = 200, {"Code": "OK", "Message": "OK", "BizId": "late"}
                data = json.dumps(body).encode()
                try:
                    self.send_response(status)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(data)))
                    self.end_headers()
                    self.wfile.write(data)
                except (BrokenPipeError, ConnectionResetError):
                    pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self

    def __exit__(self, *exc):
        self._server.shutdown()
        self._server.server_close()

    def _verify(self, method: str, params: dict) -> str | None:
        if params.get("AccessKeyId") != self.key_id:
            return "InvalidAccessKeyId.NotFound"
        for name, value in (("SignatureMethod", "HMAC-SHA1"), ("SignatureVersion", "1.0"), ("Version", "2017-05-25")):
            if params.get(name) != value:
                return "MissingParameter"
        try:
            sent = datetime.strptime(params.get("Timestamp", ""), "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)
        except ValueError:
            return "InvalidTimeStamp.Format"
        if abs((datetime.now(UTC) - sent).total_seconds()) > 900:
            return "InvalidTimeStamp.Expired"
        if not hmac.compare_digest(expected_signature(self.secret, method, params), params.get("Signature", "")):
            return "SignatureDoesNotMatch"
        nonce = params.get("SignatureNonce", "")
        with self.lock:
            if not nonce or nonce in self.nonces:
                return "SignatureNonceUsed"
            self.nonces.add(nonce)
        return None

    def handle(self, method: str, params: dict) -> tuple[int, dict | None]:
        with self.lock:
            self.requests += 1
        problem = self._verify(method, params)
        if problem:
            with self.lock:
                self.rejected_signatures += 1
            return 400, {"Code": problem, "Message": "Specified signature is not matched with our calculation."}
        action = params.get("Action")
        if action == "QuerySendDetails":
            with self.lock:
                found = [
                    {"OutId": item["OutId"], "PhoneNum": item["PhoneNumbers"], "SendStatus": 3, "BizId": item["BizId"]}
                    for item in self.accepted
                    if item["PhoneNumbers"] == params.get("PhoneNumber")
                ]
            return 200, {
                "Code": "OK",
                "Message": "OK",
                "TotalCount": len(found),
                "SmsSendDetailDTOs": {"SmsSendDetailDTO": found},
            }
        if action != "SendSms":
            return 404, {"Code": "InvalidAction.NotFound", "Message": action}
        with self.lock:
            if self.throttle_next > 0:
                self.throttle_next -= 1
                return 200, {"Code": "isv.BUSINESS_LIMIT_CONTROL", "Message": "触发流控"}
        if self.templates is not None and params.get("TemplateCode") not in self.templates:
            return 200, {"Code": "isv.SMS_TEMPLATE_ILLEGAL", "Message": "模板不合法"}
        try:
            json.loads(params.get("TemplateParam") or "{}")
        except ValueError:
            return 200, {"Code": "isv.INVALID_JSON_PARAM", "Message": "JSON参数不合法"}
        if random.random() < self.failure_rate:  # noqa: S311 - chaos, not security
            return 500, {"Code": "isp.SYSTEM_ERROR", "Message": "系统错误"}
        record = {**params, "BizId": f"biz-{len(self.accepted) + 1}", "accepted_at": time.monotonic()}
        with self.lock:
            self.accepted.append(record)
        if random.random() < self.lost_answer_rate:  # noqa: S311
            return 200, None
        return 200, {"Code": "OK", "Message": "OK", "BizId": record["BizId"], "RequestId": "fake"}
