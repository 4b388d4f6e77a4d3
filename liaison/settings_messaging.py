"""The settings of the texts to villagers (issues.sms) and of the 浙政钉 work notifications
(issues.worknotice), read from the environment like every other; liaison.settings takes them in
with `globals().update(messaging(VAR_DIR))`."""

from pathlib import Path

from liaison.env import env_float, env_int, env_list, env_str


def messaging(VAR_DIR: Path) -> dict:
    # 浙政钉 work notifications (issues.worknotice): `file` (JSON lines), `zwdd` (the open platform's
    # API), or a dotted class path; at most DINGTALK_DAILY_CAP per user a day, the rest in a digest.
    DINGTALK_BACKEND = env_str("DINGTALK_BACKEND", "file")
    DINGTALK_FILE_PATH = env_str("DINGTALK_FILE_PATH", str(VAR_DIR / "dingtalk.jsonl"))
    DINGTALK_ENDPOINT = env_str("DINGTALK_ENDPOINT", "")  # the open platform address of your 浙政钉 tenant
    DINGTALK_APP_KEY = env_str("DINGTALK_APP_KEY", "")
    DINGTALK_APP_SECRET = env_str("DINGTALK_APP_SECRET", "")
    DINGTALK_TENANT_ID = env_str("DINGTALK_TENANT_ID", "")
    DINGTALK_DAILY_CAP = env_int("DINGTALK_DAILY_CAP", 100, minimum=2)
    DINGTALK_DIGEST_HOUR = env_int("DINGTALK_DIGEST_HOUR", 18, minimum=0)
    DINGTALK_MAX_ATTEMPTS = env_int("DINGTALK_MAX_ATTEMPTS", 8, minimum=1)

    # --- Text messages to the villager (issues.sms) ----------------------------------------------------
    # `file` (JSON lines to SMS_FILE_PATH), `aliyun` (Alibaba Cloud SMS), or a dotted class path.
    SMS_BACKEND = env_str("SMS_BACKEND", "file")
    SMS_FILE_PATH = env_str("SMS_FILE_PATH", str(VAR_DIR / "sms.jsonl"))
    SMS_SIGN_NAME = env_str("SMS_SIGN_NAME", "人大代表联络站")
    SMS_QUIET_START_HOUR = env_int("SMS_QUIET_START_HOUR", 21, minimum=0)
    SMS_QUIET_END_HOUR = env_int("SMS_QUIET_END_HOUR", 8, minimum=0)
    SMS_DAILY_CAP_PER_PHONE = env_int("SMS_DAILY_CAP_PER_PHONE", 5, minimum=1)
    SMS_LAST_CALL_HOURS = env_int("SMS_LAST_CALL_HOURS", 24, minimum=1)
    SMS_PROVIDER_TIMEOUT = env_float("SMS_PROVIDER_TIMEOUT", 5.0, minimum=0.1)
    SMS_CLAIM_SECONDS = env_float("SMS_CLAIM_SECONDS", 60.0, minimum=1.0)
    # How many due texts one task claims and sends together (SELECT … FOR UPDATE SKIP LOCKED).
    SMS_BATCH_SIZE = env_int("SMS_BATCH_SIZE", 50, minimum=1)
    SMS_SWEEP_GRACE_SECONDS = env_float("SMS_SWEEP_GRACE_SECONDS", 60.0, minimum=0.0)
    SMS_MAX_ATTEMPTS = env_int("SMS_MAX_ATTEMPTS", 8, minimum=1)
    SMS_RETRY_BASE_SECONDS = env_float("SMS_RETRY_BASE_SECONDS", 2.0, minimum=0.01)
    SMS_RETRY_MAX_SECONDS = env_float("SMS_RETRY_MAX_SECONDS", 600.0, minimum=0.01)
    SMS_ALIYUN_ENDPOINT = env_str("SMS_ALIYUN_ENDPOINT", "https://dysmsapi.aliyuncs.com/")
    SMS_ALIYUN_ACCESS_KEY_ID = env_str("SMS_ALIYUN_ACCESS_KEY_ID", "")
    SMS_ALIYUN_ACCESS_KEY_SECRET = env_str("SMS_ALIYUN_ACCESS_KEY_SECRET", "")
    # "accepted=SMS_123,rejected=SMS_124,...": the code each template of issues.sms.templates has at Aliyun.
    SMS_ALIYUN_TEMPLATE_CODES = env_list("SMS_ALIYUN_TEMPLATE_CODES", [])
    return {name: value for name, value in locals().items() if name.isupper() and name != "VAR_DIR"}
