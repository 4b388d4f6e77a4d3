"""Alibaba Cloud SMS (阿里云短信服务, dysmsapi 2017-05-25) through its official SDK from PyPI
(alibabacloud-dysmsapi20170525 on alibabacloud-tea-openapi), which signs each request with the
provider's V3 signature (ACS3-HMAC-SHA256 over the canonical request, x-acs-* headers).

Configured by environment variables (see README): SMS_ALIYUN_ACCESS_KEY_ID,
SMS_ALIYUN_ACCESS_KEY_SECRET, SMS_SIGN_NAME, SMS_ALIYUN_TEMPLATE_CODES ("accepted=SMS_1,..."),
SMS_ALIYUN_ENDPOINT (https://dysmsapi.aliyuncs.com/ by default; tests point it at a local fake).
The SDK's own retries are off: the outbox retries, with its backoff, after asking QuerySendDetails
whether an earlier attempt got through."""

import json
import threading
from datetime import datetime, timedelta
from urllib.parse import urlsplit

from alibabacloud_dysmsapi20170525 import models as sms_models
from alibabacloud_dysmsapi20170525.client import Client
from alibabacloud_tea_openapi import models as openapi_models
from darabonba.exceptions import ResponseException, RetryError, UnretryableException
from darabonba.runtime import RuntimeOptions
from django.conf import settings
from django.utils import timezone

from issues import clock
from issues.sms.backends import Outgoing, SmsError

# Codes after which the same request will never succeed: the template, signature or number is
# refused, or our credentials are. Everything else (isp.*, throttling, HTTP 5xx, timeouts) is
# tried again later.
PERMANENT = {
    "isv.SMS_TEMPLATE_ILLEGAL",
    "isv.SMS_SIGNATURE_ILLEGAL",
    "isv.SMS_SIGN_ILLEGAL",
    "isv.MOBILE_NUMBER_ILLEGAL",
    "isv.TEMPLATE_MISSING_PARAMETERS",
    "isv.TEMPLATE_PARAMS_ILLEGAL",
    "isv.PARAM_LENGTH_LIMIT",
    "isv.INVALID_PARAMETERS",
    "isv.INVALID_JSON_PARAM",
    "isv.BLACK_KEY_CONTROL_LIMIT",
    "isv.DENY_IP_RANGE",
    "InvalidAccessKeyId.NotFound",
    "InvalidAccessKeyId.Inactive",
    "IncompleteSignature",
    "SignatureDoesNotMatch",
}
THROTTLED = {"isv.BUSINESS_LIMIT_CONTROL", "Throttling.User", "Throttling", "isv.DAY_LIMIT_CONTROL"}

_local = threading.local()


def template_codes() -> dict[str, str]:
    codes = {}
    for item in settings.SMS_ALIYUN_TEMPLATE_CODES:
        name, _, code = item.partition("=")
        if name.strip() and code.strip():
            codes[name.strip()] = code.strip()
    return codes


def sdk_config(endpoint_url: str, key_id: str, secret: str) -> openapi_models.Config:
    """SMS_ALIYUN_ENDPOINT as the SDK wants it: a scheme (protocol) and a host[:port] (endpoint)."""
    parts = urlsplit(endpoint_url if "//" in endpoint_url else f"https://{endpoint_url}")
    if parts.scheme not in {"http", "https"} or not parts.netloc:
        raise SmsError(f"SMS_ALIYUN_ENDPOINT is not an http(s) address: {endpoint_url}", retryable=False)
    return openapi_models.Config(
        access_key_id=key_id,
        access_key_secret=secret,
        endpoint=parts.netloc,
        protocol=parts.scheme.upper(),
        region_id="cn-hangzhou",
    )


def _client(endpoint_url: str, key_id: str, secret: str) -> Client:
    """One SDK client per thread and configuration (the SDK keeps its HTTP connections pooled)."""
    wanted = (endpoint_url, key_id, secret)
    if getattr(_local, "config", None) != wanted:
        _local.client = Client(sdk_config(endpoint_url, key_id, secret))
        _local.config = wanted
    return _local.client


def _runtime() -> RuntimeOptions:
    # In milliseconds. The Config sets no retry_options, so the SDK makes one attempt per call.
    return RuntimeOptions(connect_timeout=3050, read_timeout=max(100, int(settings.SMS_PROVIDER_TIMEOUT * 1000)))


def _refused(code: str, message: str) -> SmsError:
    note = f"{code}: {message[:150]}"
    if code in PERMANENT:
        return SmsError(note, retryable=False)
    return SmsError(note, retryable=True, retry_after=60.0 if code in THROTTLED else None)


def _no_answer(inner: BaseException | None) -> SmsError:
    # Never the SDK's own text: it quotes the URL, and with it the phone number.
    if isinstance(inner, RetryError):
        happened = "timeout" if "timed out" in str(inner.message).lower() else "connection failed"
    else:
        happened = f"unreadable answer ({type(inner).__name__})"
    return SmsError(happened, retryable=True)


class AliyunBackend:
    def __init__(self):
        self.key_id = settings.SMS_ALIYUN_ACCESS_KEY_ID
        self.secret = settings.SMS_ALIYUN_ACCESS_KEY_SECRET
        self.endpoint = settings.SMS_ALIYUN_ENDPOINT
        self.codes = template_codes()

    def _call(self, action: str, request):
        if not self.key_id or not self.secret:
            raise SmsError("Aliyun SMS is not configured (access key)", retryable=False)
        client = _client(self.endpoint, self.key_id, self.secret)
        method = {"SendSms": client.send_sms_with_options, "QuerySendDetails": client.query_send_details_with_options}
        try:
            body = method[action](request, _runtime()).body
        except ResponseException as error:  # the provider answered HTTP 4xx/5xx
            answer = error.data if isinstance(error.data, dict) else {}
            raise _refused(str(error.code or f"HTTP {error.status_code}"), str(answer.get("Message") or "")) from None
        except UnretryableException as error:  # no answer (refused, timed out) or an unreadable one
            raise _no_answer(error.inner_exception) from None
        if body is None or body.code != "OK":
            code = getattr(body, "code", None) or "no code"
            raise _refused(str(code), str(getattr(body, "message", "") or ""))
        return body

    def send(self, sms: Outgoing) -> str:
        code = self.codes.get(sms.template)
        if not code:
            raise SmsError(f"no Aliyun template code for {sms.template}", retryable=False)
        request = sms_models.SendSmsRequest(
            phone_numbers=sms.to,
            sign_name=settings.SMS_SIGN_NAME,
            template_code=code,
            template_param=json.dumps(sms.params, ensure_ascii=False, sort_keys=True),
            out_id=sms.key,
        )
        return str(self._call("SendSms", request).biz_id or sms.key)

    def lookup(self, sms: Outgoing, since: datetime) -> str | None:
        """QuerySendDetails for each day since the first attempt: a record with our OutId means
        the provider accepted it."""
        day = timezone.localtime(since).date()
        today = timezone.localtime(clock.now()).date()
        while day <= today:
            request = sms_models.QuerySendDetailsRequest(
                phone_number=sms.to, send_date=f"{day:%Y%m%d}", page_size=50, current_page=1
            )
            body = self._call("QuerySendDetails", request)
            dtos = body.sms_send_detail_dtos
            for detail in (dtos.sms_send_detail_dto if dtos else None) or []:
                if detail.out_id == sms.key:
                    return str(sms.key)
            day += timedelta(days=1)
        return None
