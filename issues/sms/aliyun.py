"""Alibaba Cloud SMS (阿里云短信服务, API version 2017-05-25) by signed HTTPS requests, written to
the provider's documented RPC signature (HMAC-SHA1 over the sorted, percent-encoded parameters).

Configured by environment variables (see README): SMS_ALIYUN_ACCESS_KEY_ID,
SMS_ALIYUN_ACCESS_KEY_SECRET, SMS_SIGN_NAME, SMS_ALIYUN_TEMPLATE_CODES ("accepted=SMS_1,..."),
SMS_ALIYUN_ENDPOINT (https://dysmsapi.aliyuncs.com/ by default; tests point it at a local fake)."""

import base64
import hashlib
import hmac
import json
import threading
import uuid
from datetime import UTC, datetime, timedelta
from urllib.parse import quote

import requests
from django.conf import settings
from django.utils import timezone

from issues import clock
from issues.sms.backends import Outgoing, SmsError

API_VERSION = "2017-05-25"
# Codes after which the same request will never succeed: the template, signature or number is
# refused. Everything else (isp.*, throttling, HTTP 5xx, timeouts) is tried again later.
PERMANENT = {
    "isv.SMS_TEMPLATE_ILLEGAL",
    "isv.SMS_SIGNATURE_ILLEGAL",
    "isv.SMS_SIGN_ILLEGAL",
    "isv.MOBILE_NUMBER_ILLEGAL",
    "isv.TEMPLATE_MISSING_PARAMETERS",
    "isv.TEMPLATE_PARAMS_ILLEGAL",
    "isv.PARAM_LENGTH_LIMIT",
    "isv.INVALID_PARAMETERS",
    "isv.BLACK_KEY_CONTROL_LIMIT",
    "isv.DENY_IP_RANGE",
    "InvalidAccessKeyId.NotFound",
    "SignatureDoesNotMatch",
}
THROTTLED = {"isv.BUSINESS_LIMIT_CONTROL", "Throttling.User", "isv.DAY_LIMIT_CONTROL"}

_local = threading.local()


def percent_encode(value: str) -> str:
    """RFC 3986 encoding as the signature documentation specifies (space → %20, ~ kept)."""
    return quote(str(value), safe="-_.~")


def string_to_sign(method: str, params: dict) -> str:
    canonical = "&".join(f"{percent_encode(k)}={percent_encode(v)}" for k, v in sorted(params.items()))
    return f"{method}&{percent_encode('/')}&{percent_encode(canonical)}"


def sign(secret: str, method: str, params: dict) -> str:
    digest = hmac.new(f"{secret}&".encode(), string_to_sign(method, params).encode(), hashlib.sha1).digest()
    return base64.b64encode(digest).decode()


def template_codes() -> dict[str, str]:
    codes = {}
    for item in settings.SMS_ALIYUN_TEMPLATE_CODES:
        name, _, code = item.partition("=")
        if name.strip() and code.strip():
            codes[name.strip()] = code.strip()
    return codes


class AliyunBackend:
    def __init__(self):
        self.key_id = settings.SMS_ALIYUN_ACCESS_KEY_ID
        self.secret = settings.SMS_ALIYUN_ACCESS_KEY_SECRET
        self.endpoint = settings.SMS_ALIYUN_ENDPOINT
        self.codes = template_codes()

    def _session(self) -> requests.Session:
        session = getattr(_local, "session", None)
        if session is None:
            session = _local.session = requests.Session()
        return session

    def _call(self, action: str, params: dict) -> dict:
        if not self.key_id or not self.secret:
            raise SmsError("Aliyun SMS is not configured (access key)", retryable=False)
        signed = {
            **params,
            "AccessKeyId": self.key_id,
            "Action": action,
            "Format": "JSON",
            "RegionId": "cn-hangzhou",
            "SignatureMethod": "HMAC-SHA1",
            "SignatureNonce": uuid.uuid4().hex,
            "SignatureVersion": "1.0",
            "Timestamp": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
            "Version": API_VERSION,
        }
        signed["Signature"] = sign(self.secret, "POST", signed)
        try:
            response = self._session().post(
                self.endpoint, data=signed, timeout=(3.05, settings.SMS_PROVIDER_TIMEOUT), allow_redirects=False
            )
        except requests.Timeout:
            raise SmsError("timeout", retryable=True) from None
        except requests.RequestException as error:
            raise SmsError(f"connection failed: {type(error).__name__}", retryable=True) from None
        try:
            body = response.json()
        except ValueError:
            raise SmsError(f"unreadable answer (HTTP {response.status_code})", retryable=True) from None
        if not isinstance(body, dict):
            raise SmsError(f"unreadable answer (HTTP {response.status_code})", retryable=True)
        code = str(body.get("Code", ""))
        if response.status_code == 200 and code == "OK":
            return body
        message = f"{code or 'HTTP ' + str(response.status_code)}: {str(body.get('Message', ''))[:150]}"
        if code in PERMANENT:
            raise SmsError(message, retryable=False)
        retry_after = 60.0 if code in THROTTLED else None
        raise SmsError(message, retryable=True, retry_after=retry_after)

    def send(self, sms: Outgoing) -> str:
        code = self.codes.get(sms.template)
        if not code:
            raise SmsError(f"no Aliyun template code for {sms.template}", retryable=False)
        body = self._call(
            "SendSms",
            {
                "PhoneNumbers": sms.to,
                "SignName": settings.SMS_SIGN_NAME,
                "TemplateCode": code,
                "TemplateParam": json.dumps(sms.params, ensure_ascii=False, sort_keys=True),
                "OutId": sms.key,
            },
        )
        return str(body.get("BizId") or sms.key)

    def lookup(self, sms: Outgoing, since: datetime) -> str | None:
        """QuerySendDetails for each day since the first attempt: a record with our OutId means
        the provider accepted it."""
        day = timezone.localtime(since).date()
        today = timezone.localtime(clock.now()).date()
        while day <= today:
            body = self._call(
                "QuerySendDetails",
                {"PhoneNumber": sms.to, "SendDate": f"{day:%Y%m%d}", "PageSize": "50", "CurrentPage": "1"},
            )
            details = (body.get("SmsSendDetailDTOs") or {}).get("SmsSendDetailDTO") or []
            for detail in details:
                if isinstance(detail, dict) and detail.get("OutId") == sms.key:
                    return str(detail.get("BizId") or sms.key)
            day += timedelta(days=1)
        return None
