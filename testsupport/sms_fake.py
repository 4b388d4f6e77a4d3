"""A local fake of Alibaba Cloud's SMS endpoint (dysmsapi, API version 2017-05-25), for tests and
the benchmark: it checks each request's V3 signature (ACS3-HMAC-SHA256) as the provider documents
it, written here independently of the SDK: the canonical request (method, path, sorted
percent-encoded query, the signed headers, the SHA-256 of the body) hashed, then signed with
HMAC-SHA256 under the secret, compared with the Authorization header; the x-acs-date must be
within 15 minutes and each x-acs-signature-nonce used once. It records what it accepted, and can
be told to fail, time out after accepting, throttle, or refuse a template.

    with FakeAliyun(key_id="k", secret="s") as fake:
        settings.SMS_ALIYUN_ENDPOINT = fake.url
"""

import hashlib
import hmac
import json
import random
import re
import threading
import time
import urllib.parse
from collections import Counter
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

ALGORITHM = "ACS3-HMAC-SHA256"
AUTHORIZATION = re.compile(rf"^{ALGORITHM} Credential=([^,]+),SignedHeaders=([^,]+),Signature=([0-9a-f]+)$")
# Headers the provider requires to be signed (the documented minimum).
MUST_SIGN = {"host", "x-acs-action", "x-acs-version", "x-acs-date", "x-acs-signature-nonce", "x-acs-content-sha256"}


def _encode(value: str) -> str:
    # RFC 3986: everything but unreserved characters percent-encoded (space → %20, "~" kept).
    return urllib.parse.quote(value, safe="-_.~")


def canonical_request(method: str, path: str, query: dict, headers: dict, signed: list[str], body: bytes) -> str:
    canonical_query = "&".join(f"{_encode(k)}={_encode(v)}" for k, v in sorted(query.items()))
    canonical_headers = "".join(f"{name}:{headers.get(name, '').strip()}\n" for name in signed)
    payload = hashlib.sha256(body).hexdigest()
    return "\n".join([method, path or "/", canonical_query, canonical_headers, ";".join(signed), payload])


def expected_signature(secret: str, request: str) -> str:
    to_sign = f"{ALGORITHM}\n{hashlib.sha256(request.encode()).hexdigest()}"
    return hmac.new(secret.encode(), to_sign.encode(), hashlib.sha256).hexdigest()


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
        self.last_headers: dict = {}  # of the last request, as received
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
                body = self.rfile.read(length)
                path, _, query = self.path.partition("?")
                headers = {name.lower(): value for name, value in self.headers.items()}
                status, body = fake.handle("POST", path, query, headers, body)
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

    def _verify(self, method: str, path: str, query: dict, headers: dict, body: bytes) -> tuple[int, str] | None:
        """(HTTP status, error code) when the request is not signed as the provider demands."""
        match = AUTHORIZATION.match(headers.get("authorization", ""))
        if not match:
            return 400, "IncompleteSignature"
        key_id, signed_list, signature = match.groups()
        if key_id != self.key_id:
            return 404, "InvalidAccessKeyId.NotFound"
        signed = signed_list.split(";")
        if signed != sorted(signed) or not set(signed) >= MUST_SIGN:
            return 400, "IncompleteSignature"
        if headers.get("x-acs-version") != "2017-05-25":
            return 400, "InvalidVersion"
        if headers.get("x-acs-content-sha256") != hashlib.sha256(body).hexdigest():
            return 400, "ContentSHA256NotMatched"
        try:
            sent = datetime.strptime(headers.get("x-acs-date", ""), "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)
        except ValueError:
            return 400, "InvalidTimeStamp.Format"
        if abs((datetime.now(UTC) - sent).total_seconds()) > 900:
            return 400, "InvalidTimeStamp.Expired"
        request = canonical_request(method, path, query, headers, signed, body)
        if not hmac.compare_digest(expected_signature(self.secret, request), signature):
            return 400, "SignatureDoesNotMatch"
        nonce = headers.get("x-acs-signature-nonce", "")
        with self.lock:
            if not nonce or nonce in self.nonces:
                return 400, "SignatureNonceUsed"
            self.nonces.add(nonce)
        return None

    def handle(self, method: str, path: str, raw_query: str, headers: dict, body: bytes) -> tuple[int, dict | None]:
        with self.lock:
            self.requests += 1
            self.last_headers = headers
        query = dict(urllib.parse.parse_qsl(raw_query, keep_blank_values=True))
        problem = self._verify(method, path, query, headers, body)
        if problem:
            with self.lock:
                self.rejected_signatures += 1
            status, code = problem
            return status, {
                "RequestId": "fake-refused",
                "HostId": "dysmsapi.aliyuncs.com",
                "Code": code,
                "Message": "Specified signature is not matched with our calculation.",
            }
        params = {**query, **dict(urllib.parse.parse_qsl(body.decode(), keep_blank_values=True))}
        action = headers.get("x-acs-action")
        if action == "QuerySendDetails":
            with self.lock:
                found = [
                    {
                        "OutId": item["OutId"],
                        "PhoneNum": item["PhoneNumbers"],
                        "SendStatus": 3,
                        "TemplateCode": item["TemplateCode"],
                    }
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
