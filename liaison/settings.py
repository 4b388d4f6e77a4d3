"""Liaison settings: one module, driven by environment variables (see README, "Configuration").

Development defaults are safe to run on a laptop; with DJANGO_DEBUG unset the portal is in
production mode and refuses to start without DJANGO_SECRET_KEY.
"""

from pathlib import Path

from django.core.exceptions import ImproperlyConfigured

from liaison import queues
from liaison.database import databases
from liaison.env import env_bool, env_float, env_int, env_list, env_str
from liaison.schedule import beat_schedule
from liaison.settings_messaging import messaging
from liaison.storage import default_storage

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(env_str("LIAISON_VAR_DIR", str(BASE_DIR / "var")))

DEBUG = env_bool("DJANGO_DEBUG", False)

SECRET_KEY = env_str("DJANGO_SECRET_KEY")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("DJANGO_SECRET_KEY is required when DJANGO_DEBUG is not 1.")
    SECRET_KEY = "insecure-development-key-only-for-DJANGO_DEBUG-1"  # noqa: S105

ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]"] if DEBUG else [])
# The development server's address follows PORT (`PORT=8100 make run`), so that QR codes and links
# printed from another shell point where the portal is served.
PUBLIC_BASE_URL = env_str("PUBLIC_BASE_URL", f"http://127.0.0.1:{env_int('PORT', 8000, minimum=1)}").rstrip("/")
# Villagers see a Chinese page that keeps their text, not Django's English 403.
CSRF_FAILURE_VIEW = "villagers.csrf.csrf_failure"
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS", [PUBLIC_BASE_URL])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "rest_framework",
    "rest_framework.authtoken",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "axes",
    "stations",
    "deputies",
    "issues",
    "dashboard",
    "activities",
    "records",
    "rosters",
    "results",  # the results wall (办理结果公示)
    "villagers",
    "api",
    "governance_stub",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "accounts",
    "simple_history",
    "audit",  # after the apps whose models it keeps the history of
]
# The demo city and `seed_demo`: nothing imports the demo app, so a production install may leave
# it out.
if env_bool("LIAISON_DEMO_APP", True):
    INSTALLED_APPS.append("demo")

MIDDLEWARE = [
    "liaison.failsafe.RejectNulMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "liaison.csp.ContentSecurityPolicyMiddleware",  # after whitenoise: static files need no policy
    "villagers.limits.FormBodyLimitMiddleware",  # before anything reads a form's body
    "liaison.formparser.SmallMultipartMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",  # request.user.is_verified(): did this session pass 2FA
    "accounts.middleware.TwoFactorMiddleware",  # staff pages need it (accounts.policy)
    "simple_history.middleware.HistoryRequestMiddleware",  # the history's "changed by"
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "liaison.urls"
WSGI_APPLICATION = "liaison.wsgi.application"
ASGI_APPLICATION = "liaison.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "villagers.elder.mode_context",  # the villager pages' 长辈版 switch
            ],
        },
    },
]

# --- Database: SQLite by default, PostgreSQL (psycopg 3) through DATABASE_URL; statement timeouts
# by kind of process, a read replica through DATABASE_REPLICA_URL (liaison.database) ------------
DATABASES = databases(f"sqlite:///{BASE_DIR / 'db.sqlite3'}")
DATABASE_ROUTERS = ["liaison.replica.ReplicaRouter"]
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
# The dashboard's covering indexes (INCLUDE columns) are for PostgreSQL; SQLite keeps the plain
# index and says so in a warning that is expected. DJANGO_SILENCED_SYSTEM_CHECKS adds ids to
# silence on purpose (bin/check-deploy: the holiday-schedule warning, which depends on the date).
# axes.W006 wants the address among AXES_LOCKOUT_PARAMETERS, against attackers who rotate
# user agents or cookies; locking the username from every address (below) already defeats that,
# and addresses are throttled on their own by liaison.logins.
SILENCED_SYSTEM_CHECKS = ["models.W040", "axes.W006", *env_list("DJANGO_SILENCED_SYSTEM_CHECKS", [])]

# --- Cache and rate limits: local memory by default, Redis through REDIS_URL ----------------------
REDIS_URL = env_str("REDIS_URL")
if REDIS_URL:
    # Short timeouts: a Redis that hangs must not hang the pages; its errors degrade (liaison.cache).
    CACHES = {
        "default": {
            "BACKEND": "liaison.cache.ResilientRedisCache",
            "LOCATION": REDIS_URL,
            "OPTIONS": {
                "socket_connect_timeout": env_float("REDIS_CONNECT_TIMEOUT", 0.5, minimum=0.01),
                "socket_timeout": env_float("REDIS_SOCKET_TIMEOUT", 0.5, minimum=0.01),
            },
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "liaison"}}
RATE_LIMITS_ENABLED = env_bool("RATE_LIMITS_ENABLED", True)

# --- Auth ---------------------------------------------------------------------------------------
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",  # first, as django-axes requires (and force_login uses it)
    "liaison.logins.SprayGuardBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
AXES_FAILURE_LIMIT = env_int("AXES_FAILURE_LIMIT", 5, minimum=1)
AXES_COOLOFF_TIME = env_float("AXES_COOLOFF_HOURS", 0.5)  # hours
# A username is locked after repeated failures from any address (guesses spread over many
# addresses must not win); an address failing across usernames is liaison.logins' job.
AXES_LOCKOUT_PARAMETERS = ["username"]
AXES_RESET_ON_SUCCESS = True
SESSION_COOKIE_AGE = env_int("SESSION_COOKIE_AGE", 8 * 3600, minimum=60)
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
LOGIN_URL = "admin:login"
# API tokens end this many hours after they were issued (api.auth).
API_TOKEN_HOURS = env_int("API_TOKEN_HOURS", 12, minimum=1)
# Two-factor logins (TOTP, 等保 level 3), accounts.policy: always for superusers; for members of
# these groups (put the county administrators' group here once it exists); for everyone with
# staff access when TWO_FACTOR_REQUIRED_FOR_ALL_STAFF=1. Anyone else may enroll by choice.
# The county, city and province administrators (stations.models.StaffMembership.Role) by default.
TWO_FACTOR_REQUIRED_GROUPS = env_list("TWO_FACTOR_REQUIRED_GROUPS", ["county_admin", "city_admin", "province_admin"])
TWO_FACTOR_REQUIRED_FOR_ALL_STAFF = env_bool("TWO_FACTOR_REQUIRED_FOR_ALL_STAFF", False)
OTP_TOTP_ISSUER = "Liaison 人大代表联络站"
# django-otp's throttle: after n wrong codes in a row a device refuses every code for
# factor × 2^(n-1) seconds. At least 1, so that it can never be switched off.
OTP_TOTP_THROTTLE_FACTOR = env_int("TWO_FACTOR_THROTTLE_FACTOR", 1, minimum=1)
OTP_STATIC_THROTTLE_FACTOR = OTP_TOTP_THROTTLE_FACTOR

# --- Language and time ---------------------------------------------------------------------------
# Every page is in Chinese whatever the browser asks for (no LocaleMiddleware): villagers' and
# deputies' phones are often set to English, and the portal has one audience. Code stays English.
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

# --- Static and media files ------------------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": default_storage(),  # the filesystem, or S3-compatible storage (liaison.storage)
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}
MEDIA_ROOT = Path(env_str("DJANGO_MEDIA_ROOT", str(BASE_DIR / "media")))
MEDIA_URL = "/media/"  # never served directly: photos go through an authorising view
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 16 * 1024 * 1024

# --- HTTPS (on in production; DJANGO_HTTPS=0 for a plain-HTTP test server) -------------------------
HTTPS = env_bool("DJANGO_HTTPS", not DEBUG)
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = HTTPS
SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$"]  # load balancers probe over plain HTTP
SESSION_COOKIE_SECURE = HTTPS
CSRF_COOKIE_SECURE = HTTPS
SECURE_HSTS_SECONDS = env_int("DJANGO_HSTS_SECONDS", 31536000 if HTTPS else 0, minimum=0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = HTTPS
SECURE_HSTS_PRELOAD = HTTPS
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# Content-Security-Policy on every page (django-csp; liaison.csp adds the hashes of the few inline
# <style> blocks to style-src). No inline scripts anywhere; the API docs relax it for themselves.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}
SESSION_COOKIE_HTTPONLY = True

# --- The issue lifecycle -------------------------------------------------------------------------
# Working days a station has to accept, and then to review, a new case.
ISSUE_ACCEPT_WORKING_DAYS = env_int("ISSUE_ACCEPT_WORKING_DAYS", 1, minimum=1)
ISSUE_REVIEW_WORKING_DAYS = env_int("ISSUE_REVIEW_WORKING_DAYS", 1, minimum=1)
# Reply time limit for a case without a category (a category carries its own).
ISSUE_DEFAULT_REPLY_WORKING_DAYS = env_int("ISSUE_DEFAULT_REPLY_WORKING_DAYS", 5, minimum=1)
# How far one extension may move a deadline (working days past the later of now and the current
# deadline), and how many extensions one handling round may have.
ISSUE_EXTENSION_MAX_WORKING_DAYS = env_int("ISSUE_EXTENSION_MAX_WORKING_DAYS", 20, minimum=1)
ISSUE_EXTENSIONS_PER_ROUND = env_int("ISSUE_EXTENSIONS_PER_ROUND", 2, minimum=1)
# Calendar days a villager has to rate a reply before the case closes as not evaluated.
ISSUE_EVALUATION_WINDOW_DAYS = env_int("ISSUE_EVALUATION_WINDOW_DAYS", 7, minimum=1)

# --- Governance platform (基层治理四平台) ----------------------------------------------------------
GOVERNANCE_STUB_ENABLED = env_bool("GOVERNANCE_STUB_ENABLED", True)
GOVERNANCE_PLATFORM_URL = env_str("GOVERNANCE_PLATFORM_URL", f"{PUBLIC_BASE_URL}/governance-stub/")
GOVERNANCE_PLATFORM_TOKEN = env_str("GOVERNANCE_PLATFORM_TOKEN", "dev-platform-token" if DEBUG else "")
GOVERNANCE_CALLBACK_SECRET = env_str("GOVERNANCE_CALLBACK_SECRET", "dev-callback-secret" if DEBUG else "")
# Rotation: the next secret is accepted as well as the current one; the platform (and the stub)
# accepts the next token as well as the current one. Per-county platforms: issues.GovernancePlatform.
GOVERNANCE_CALLBACK_SECRET_NEXT = env_str("GOVERNANCE_CALLBACK_SECRET_NEXT", "")
GOVERNANCE_PLATFORM_TOKEN_NEXT = env_str("GOVERNANCE_PLATFORM_TOKEN_NEXT", "")
GOVERNANCE_PLATFORM_TIMEOUT = env_float("GOVERNANCE_PLATFORM_TIMEOUT", 5.0, minimum=0.1)
# How long a worker holds an outbox row before another may take it: longer than one request.
GOVERNANCE_CLAIM_SECONDS = env_float("GOVERNANCE_CLAIM_SECONDS", 120.0, minimum=1.0)
# The sweeper re-enqueues a row only once it has been due this long (its message is presumed lost).
GOVERNANCE_SWEEP_GRACE_SECONDS = env_float("GOVERNANCE_SWEEP_GRACE_SECONDS", 60.0, minimum=0.0)
GOVERNANCE_MAX_ATTEMPTS = env_int("GOVERNANCE_MAX_ATTEMPTS", 10, minimum=1)
GOVERNANCE_RETRY_BASE_SECONDS = env_float("GOVERNANCE_RETRY_BASE_SECONDS", 2.0, minimum=0.01)
GOVERNANCE_RETRY_MAX_SECONDS = env_float("GOVERNANCE_RETRY_MAX_SECONDS", 600.0, minimum=0.01)
GOVERNANCE_CALLBACK_WINDOW_SECONDS = env_int("GOVERNANCE_CALLBACK_WINDOW_SECONDS", 300, minimum=1)
GOVERNANCE_STUB_AUTO_REPLY_SECONDS = env_float("GOVERNANCE_STUB_AUTO_REPLY_SECONDS", 0.0)
GOVERNANCE_STUB_FAILURE_RATE = env_float("GOVERNANCE_STUB_FAILURE_RATE", 0.0, maximum=1.0)
# The share of automatic answers that are returns (退办) instead, chosen by a hash of the case's key.
GOVERNANCE_STUB_AUTO_RETURN_RATE = env_float("GOVERNANCE_STUB_AUTO_RETURN_RATE", 0.0, maximum=1.0)
GOVERNANCE_STUB_TIMEOUT_RATE = env_float("GOVERNANCE_STUB_TIMEOUT_RATE", 0.0, maximum=1.0)
# The secret a stub process signs the callbacks of the cases it takes with (a county's own
# platform in tests and demos); empty: GOVERNANCE_CALLBACK_SECRET.
GOVERNANCE_STUB_SIGNING_SECRET = env_str("GOVERNANCE_STUB_SIGNING_SECRET", "")
GOVERNANCE_STUB_HANG_SECONDS = env_float("GOVERNANCE_STUB_HANG_SECONDS", 30.0)
GOVERNANCE_STUB_CALLBACK_MAX_ATTEMPTS = env_int("GOVERNANCE_STUB_CALLBACK_MAX_ATTEMPTS", 20, minimum=1)

# --- Health: /readyz fails when the worker's last heartbeat or the oldest due forwarding is older
READYZ_HEARTBEAT_MAX_AGE = env_int("READYZ_HEARTBEAT_MAX_AGE", 120, minimum=1)
READYZ_OUTBOX_MAX_AGE = env_int("READYZ_OUTBOX_MAX_AGE", 900, minimum=1)

# --- Dashboard: figures older than this are computed again (0: always live) -----------------------
DASHBOARD_SNAPSHOT_MAX_AGE = env_int("DASHBOARD_SNAPSHOT_MAX_AGE", 600, minimum=0)
# A scope and filters with more cases than this are never computed while a reader waits: the page
# says they are being computed (a task on the reports queue) and reloads itself until they are.
DASHBOARD_INLINE_MAX_CASES = env_int("DASHBOARD_INLINE_MAX_CASES", 20000, minimum=0)
# A computation asked for longer ago than this (seconds) is taken for lost and asked for again.
DASHBOARD_SNAPSHOT_REQUEST_TIMEOUT = env_int("DASHBOARD_SNAPSHOT_REQUEST_TIMEOUT", 300, minimum=1)

# --- Notifications (in-portal inbox; the logging sender stands for 浙政钉 and SMS) -----------------
NOTIFICATION_SENDERS = env_list("NOTIFICATION_SENDERS", ["issues.notifications.LoggingSender"])
REMINDER_DUE_SOON_HOURS = env_int("REMINDER_DUE_SOON_HOURS", 24, minimum=1)
ALERT_NEW_CASE_LOOKBACK_HOURS = env_int("ALERT_NEW_CASE_LOOKBACK_HOURS", 48, minimum=1)
# The escalation chain (issues.escalation): 催办 to the handler, then 通报 to the township.
ESCALATION_REMIND_AFTER_WORKDAYS = env_int("ESCALATION_REMIND_AFTER_WORKDAYS", 2, minimum=1)
ESCALATION_REPORT_AFTER_WORKDAYS = env_int("ESCALATION_REPORT_AFTER_WORKDAYS", 5, minimum=1)
globals().update(messaging(VAR_DIR))  # SMS_* and DINGTALK_*: liaison/settings_messaging.py

# --- Celery: Redis in production, a local filesystem broker by default ------------------------------
CELERY_DATA_DIR = VAR_DIR / "celery"
if REDIS_URL:
    CELERY_BROKER_URL = REDIS_URL
    CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 3600}
else:
    CELERY_BROKER_URL = "filesystem://"
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(CELERY_DATA_DIR / "queue"),
        "data_folder_out": str(CELERY_DATA_DIR / "queue"),
        "processed_folder": str(CELERY_DATA_DIR / "processed"),
        "control_folder": str(CELERY_DATA_DIR / "control"),
        "polling_interval": 0.2,
        "store_processed": False,
        "visibility_timeout": 3600,
    }
CELERY_TASK_ALWAYS_EAGER = env_bool("CELERY_TASK_ALWAYS_EAGER", False)
# Separate queues (liaison.queues): a long report never delays a forwarding.
CELERY_TASK_DEFAULT_QUEUE = queues.DEFAULT
CELERY_TASK_ROUTES = queues.TASK_ROUTES
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# Celery's Django fixup closes the database connection after every task unless this is set; the
# worker instead keeps it for CONN_MAX_AGE like a web process (liaison/celery.py).
CELERY_DB_REUSE_MAX = 2**31
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_TIME_LIMIT = 300
CELERY_TASK_SOFT_TIME_LIMIT = 240
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TIMEZONE = TIME_ZONE
CELERY_BROKER_CONNECTION_TIMEOUT = 3
CELERY_BEAT_SCHEDULE = beat_schedule()  # liaison/schedule.py

# --- REST API ------------------------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "api.auth.ExpiringTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PARSER_CLASSES": [
        "liaison.failsafe.SafeJSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Liaison API",
    "DESCRIPTION": "人大代表联络站 portal: cases from villagers, their lifecycle, stations and deputies.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
}

# LOG_FORMAT=json: one JSON object per line, for a log collector (liaison.observability).
LOG_FORMAT = env_str("LOG_FORMAT", "plain")
if LOG_FORMAT not in ("plain", "json"):
    raise ImproperlyConfigured(f"LOG_FORMAT must be plain or json, not {LOG_FORMAT!r}")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"},
        "json": {"()": "liaison.observability.JsonFormatter"},
    },
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": LOG_FORMAT}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    "loggers": {"django.db.backends": {"level": "INFO"}},
}

# Errors to a self-hosted Sentry (sentry.io cannot be reached from government networks).
SENTRY_DSN = env_str("SENTRY_DSN")
if SENTRY_DSN:
    from liaison.observability import init_sentry

    init_sentry(
        SENTRY_DSN,
        environment=env_str("SENTRY_ENVIRONMENT", "development" if DEBUG else "production"),
        traces_sample_rate=env_float("SENTRY_TRACES_SAMPLE_RATE", 0.0, maximum=1.0),
    )

# Reverse proxies in front of gunicorn whose X-Forwarded-For we trust (for per-IP rate limits).
TRUSTED_PROXY_COUNT = env_int("TRUSTED_PROXY_COUNT", 0, minimum=0)
