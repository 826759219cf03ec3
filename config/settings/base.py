"""Settings shared by every environment; everything that varies comes from the environment."""

from pathlib import Path

import django_stubs_ext
import environ
from celery.schedules import crontab
from django.utils.translation import gettext_lazy as _

# Lets models, querysets and admin classes take type parameters at run time, as the type checker wants.
django_stubs_ext.monkeypatch()

BASE_DIR = Path(__file__).resolve().parent.parent.parent

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

SECRET_KEY = env("SECRET_KEY", default="")
DEBUG = env.bool("DEBUG", default=False)
ALLOWED_HOSTS: list[str] = env.list("ALLOWED_HOSTS", default=[])
CSRF_TRUSTED_ORIGINS: list[str] = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "core.admin_site.PortalAdminConfig",  # django.contrib.admin, for superusers only
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.contrib.postgres",
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "guardian",
    "pgtrigger",
    "core.third_party_apps.HistoryConfig",  # pghistory, its admin section named in Chinese
    "pghistory.admin",
    "django_htmx",
    "core.third_party_apps.AxesConfig",  # axes
    "django_otp",
    "core.third_party_apps.OtpTotpConfig",  # django_otp.plugins.otp_totp
    "core.third_party_apps.OtpStaticConfig",  # django_otp.plugins.otp_static
    "core",
    "bureau",
    # in dependency order (seed_demo runs each app's demo data in this order)
    "policies",
    "datacenter",
    "funds",
    "meetings",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "core.middleware.RequestLogMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    # Two-factor sign-in: a session stops at the code (or enrolment) page until it is verified.
    "bureau.middleware.TwoFactorMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "pghistory.middleware.HistoryMiddleware",
    # Last, as django-axes asks: it turns a locked-out sign-in into its lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"
ASGI_APPLICATION = "config.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "core.context_processors.navigation",
            ],
        },
    },
]

# --- database: PostgreSQL only ---
DATABASES = {"default": env.db("DATABASE_URL")}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
DATABASES["default"].setdefault("OPTIONS", {})["connect_timeout"] = env.int("DATABASE_CONNECT_TIMEOUT", default=5)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Redis: cache, Celery broker and results ---
REDIS_URL = env("REDIS_URL")


def celery_url(redis_url: str) -> str:
    """Kombu names a Redis unix socket `redis+socket://`; redis-py names it `unix://`."""
    if redis_url.startswith("unix://"):
        path, _sep, query = redis_url.removeprefix("unix://").partition("?")
        db = dict(p.split("=", 1) for p in query.split("&") if "=" in p).get("db", "0")
        return f"redis+socket://{path}?virtual_host={db}"
    return redis_url


# Nothing in the cache is needed for correctness (sessions are in the database): while Redis
# is down a read misses and a write is dropped, quickly, instead of failing the request.
CACHES = {
    "default": {
        "BACKEND": "core.cache.ResilientRedisCache",
        "LOCATION": REDIS_URL,
        "KEY_PREFIX": "portal",
        "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
    }
}

CELERY_BROKER_URL = celery_url(REDIS_URL)
CELERY_RESULT_BACKEND = CELERY_BROKER_URL
CELERY_TIMEZONE = "Asia/Shanghai"
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_RESULT_EXPIRES = 24 * 3600
# A task is acknowledged only once it has run, so a worker killed mid-task hands it back.
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# Longer than the longest job, or Redis hands an unacknowledged task to a second worker.
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": env.int("CELERY_VISIBILITY_TIMEOUT", default=6 * 3600)}
CELERY_TASK_SOFT_TIME_LIMIT = env.int("CELERY_TASK_SOFT_TIME_LIMIT", default=3 * 3600)
CELERY_TASK_TIME_LIMIT = CELERY_TASK_SOFT_TIME_LIMIT + 300
CELERY_BEAT_SCHEDULE: dict[str, dict[str, object]] = {
    "funds-ledger-check-nightly": {"task": "funds.ledger_check_nightly", "schedule": crontab(hour=2, minute=30)},
    # a public notice that ended without objection lets the money be paid
    "funds-close-notices": {"task": "funds.close_due_notices", "schedule": crontab(hour=0, minute=30)},
    # policies past their expiry date leave the catalogue's "in force"
    "policies-expire": {"task": "policies.expire_due", "schedule": crontab(hour=1, minute=0)},
    # The data center: a job whose worker died is retried or failed, never left "running".
    # Expires before the next one is due: sweeps queued behind busy workers do not pile up.
    "datacenter-sweep-stale-jobs": {
        "task": "datacenter.sweep_stale_jobs",
        "schedule": 120.0,
        "options": {"expires": 110},
    },
    # The data center pulls the data sets that departments publish at an address, nightly.
    "datacenter-pull-datasets": {"task": "datacenter.pull_datasets", "schedule": crontab(hour=3, minute=0)},
    # overdue action items and reminders of the joint meeting, every morning (Asia/Shanghai)
    "meetings-daily-follow-up": {"task": "meetings.daily_follow_up", "schedule": crontab(hour=7, minute=0)},
}

# --- authentication and permissions ---
AUTH_USER_MODEL = "bureau.User"
AUTHENTICATION_BACKENDS = [
    # First: refuses a locked-out account or address before the password is even checked.
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
    "guardian.backends.ObjectPermissionBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "core.validators.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"
GUARDIAN_RAISE_403 = True
ANONYMOUS_USER_NAME = None  # guardian: anonymous users get no object permissions

# A session ends after SESSION_COOKIE_AGE of inactivity: every request pushes the expiry on.
SESSION_COOKIE_AGE = env.int("SESSION_COOKIE_AGE", default=30 * 60)
SESSION_SAVE_EVERY_REQUEST = True
SESSION_EXPIRE_AT_BROWSER_CLOSE = True

# Repeated failed sign-ins lock the account and, separately, the address they come from.
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = env.float("AXES_COOLOFF_HOURS", default=0.5)
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
# Behind the city's reverse proxy, the client's address is the one the proxy adds to
# X-Forwarded-For, not the proxy's own: TRUSTED_PROXY_COUNT says how many proxies stand in front.
TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=0)
AXES_IPWARE_META_PRECEDENCE_ORDER: tuple[str, ...]
if TRUSTED_PROXY_COUNT:
    AXES_IPWARE_PROXY_COUNT = TRUSTED_PROXY_COUNT
    AXES_IPWARE_META_PRECEDENCE_ORDER = ("HTTP_X_FORWARDED_FOR", "REMOTE_ADDR")
else:
    AXES_IPWARE_META_PRECEDENCE_ORDER = ("REMOTE_ADDR",)
# Two-factor sign-in (TOTP, django-otp): required for the roles in bureau.permissions.TWO_FACTOR_ROLES,
# optional for everyone else. Off only where no sign-in should ask for a code (never in production).
OTP_REQUIRED = env.bool("OTP_REQUIRED", default=True)
OTP_TOTP_ISSUER = "网络经济发展局门户"
OTP_RECOVERY_CODES = 10

# Department API tokens (bureau.models.ApiToken): the longest an administrator may issue one for,
# and how long a token got with a username and password at /api/v1/auth/token/ lasts.
API_TOKEN_MAX_DAYS = env.int("API_TOKEN_MAX_DAYS", default=365)
API_TOKEN_SIGN_IN_DAYS = env.int("API_TOKEN_SIGN_IN_DAYS", default=30)
API_TOKEN_SIGN_IN_KEEP = env.int("API_TOKEN_SIGN_IN_KEEP", default=5)
# Requests per token (bureau.api.throttling.TokenRateThrottle), on top of the per-user rate.

SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
# Content-Security-Policy: scripts only from the portal itself, never inline (JSON data blocks
# are not scripts). Styles allow inline because Bootstrap's components set style attributes.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'", "'unsafe-inline'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'", "data:"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}

# --- audit history: database triggers record every change with its context ---
# The history itself cannot be altered: triggers refuse UPDATE and DELETE on event tables.
PGHISTORY_APPEND_ONLY = True
PGHISTORY_MIDDLEWARE_METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE")
# Columns the audit page leaves out of a change (and an update that changed nothing else), by model: they
# follow from other data, nobody decides them. Search vectors are left out everywhere (core.audit).
AUDIT_COMPUTED_FIELDS: dict[str, tuple[str, ...]] = {
    "bureau.Unit": ("path", "depth"),  # the tree path follows the parent
    "bureau.ApiToken": ("last_used_at",),  # touched by every call the token makes
    "datacenter.Indicator": ("computed_at",),  # each recomputation after a load
}

# --- internationalisation: Chinese first ---
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", _("Simplified Chinese")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

# --- static and uploaded files ---
STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
# Front-end libraries come from npm (package.json); `make setup` copies their built files
# into static/vendor/ (scripts/vendor_assets.py) and the portal serves them itself.
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
MEDIA_ROOT = env.path("MEDIA_ROOT", default=BASE_DIR / "media")
MEDIA_URL = "/media/"
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024
UPLOAD_MAX_BYTES = env.int("UPLOAD_MAX_BYTES", default=50 * 1024 * 1024)

# --- data center ingestion ---
# The Celery queue ingestion jobs go to, apart from the default queue ("celery") of everything else: a load
# may take hours, and the morning reminders or the nightly ledger check must not wait behind it. Workers
# consume it explicitly (`-Q celery,ingest`, or a worker of its own as in docker-compose.yml).
DATACENTER_QUEUE = env("DATACENTER_QUEUE", default="ingest")
DATACENTER_MAX_LINE_BYTES = env.int("DATACENTER_MAX_LINE_BYTES", default=1024 * 1024)
DATACENTER_XLSX_MAX_UNPACKED_BYTES = env.int("DATACENTER_XLSX_MAX_UNPACKED_BYTES", default=512 * 1024 * 1024)
DATACENTER_MAX_ATTEMPTS = env.int("DATACENTER_MAX_ATTEMPTS", default=3)
DATACENTER_STALE_SECONDS = env.int("DATACENTER_STALE_SECONDS", default=600)
# A job still queued this long is sent to the workers again by the sweep (its message was lost).
DATACENTER_REQUEUE_SECONDS = env.int("DATACENTER_REQUEUE_SECONDS", default=300)
# Addresses a scheduled pull may not connect to, whatever its URL or a redirect names: the loopback,
# link-local (a cloud's metadata service) and the like; a connection to any of the worker's own addresses is
# refused too. Departments' servers on the intranet's private ranges stay reachable, so where the portal's
# own services sit on a private network of their own (docker-compose's), add that network here.
DATACENTER_PULL_BLOCKED_NETWORKS: list[str] = env.list(
    "DATACENTER_PULL_BLOCKED_NETWORKS",
    default=["0.0.0.0/8", "127.0.0.0/8", "169.254.0.0/16", "224.0.0.0/4", "::/128", "::1/128", "fe80::/10", "ff00::/8"],
)

# --- monitoring: /metrics for these addresses, or with "Authorization: Bearer <METRICS_TOKEN>" ---
METRICS_ALLOWED_IPS: list[str] = env.list("METRICS_ALLOWED_IPS", default=["127.0.0.1", "::1"])
METRICS_TOKEN = env("METRICS_TOKEN", default="")

# --- email ---
EMAIL_CONFIG = env.email("EMAIL_URL", default="consolemail://")
vars().update(EMAIL_CONFIG)
EMAIL_TIMEOUT = env.int("EMAIL_TIMEOUT", default=10)
# Notification e-mail goes out from this Celery queue; a failed sending is tried again after this many
# seconds, doubled each time (bureau.tasks).
NOTIFICATIONS_QUEUE = env("NOTIFICATIONS_QUEUE", default="celery")
NOTIFICATION_EMAIL_RETRY_SECONDS = env.int("NOTIFICATION_EMAIL_RETRY_SECONDS", default=60)
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", default="portal@localhost")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
ADMINS = [("Portal admins", a) for a in env.list("ADMIN_EMAILS", default=[])]

# --- REST API ---
# A list filter left open reads "all", not django-filter's dashes.
FILTERS_EMPTY_CHOICE_LABEL = _("All")

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "bureau.api.authentication.ApiTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    # JSON is the API's format (actions that take files add multipart): a form-encoded body, whose
    # empty field would silently stand for null, is a 415.
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
    "DEFAULT_PAGINATION_CLASS": "core.api.pagination.PageNumberPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_FILTER_BACKENDS": [
        "core.api.filters.FilterBackend",
        "rest_framework.filters.OrderingFilter",
    ],
    "DEFAULT_THROTTLE_CLASSES": [
        "rest_framework.throttling.AnonRateThrottle",
        "rest_framework.throttling.UserRateThrottle",
        "bureau.api.throttling.TokenRateThrottle",
    ],
    "DEFAULT_THROTTLE_RATES": {
        "anon": env("API_THROTTLE_ANON", default="60/minute"),
        "user": env("API_THROTTLE_USER", default="1200/minute"),
        "token": env("API_THROTTLE_TOKEN", default="600/minute"),  # bureau.api.throttling, per API token
    },
    # The client's address for the anonymous throttle, as django-axes reads it: behind the proxies only.
    "NUM_PROXIES": TRUSTED_PROXY_COUNT,
    "EXCEPTION_HANDLER": "core.api.errors.exception_handler",
    "DEFAULT_SCHEMA_CLASS": "core.api.schema.AutoSchema",
    "DEFAULT_VERSIONING_CLASS": None,
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
}
SPECTACULAR_SETTINGS = {
    # Translated per request (the documentation's language follows the reader's, Chinese first).
    "TITLE": _("Network Economy Development Bureau portal API"),
    "DESCRIPTION": _("The Network Economy Development Bureau portal's REST API for departments' systems."),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "SCHEMA_PATH_PREFIX": r"/api/v1",
    # One name per choice set used by several fields.
    "ENUM_NAME_OVERRIDES": {
        "TransferStatusEnum": "bureau.choices.TransferStatus",
        "ChainSegmentEnum": "core.choices.ChainSegment",
        "ApplicationStatusEnum": "funds.choices.ApplicationStatus",
        "ProgrammeStatusEnum": "funds.choices.ProgrammeStatus",
        "PolicyStatusEnum": "policies.choices.PolicyStatus",
        "JobStatusEnum": "datacenter.choices.JobStatus",
        "MeetingStatusEnum": "meetings.choices.MeetingStatus",
        "AgendaItemStatusEnum": "meetings.choices.AgendaItemStatus",
        "AttendanceStatusEnum": "meetings.choices.AttendanceStatus.values",
        "MinutesStatusEnum": "meetings.choices.MinutesStatus",
        "ActionItemStatusEnum": "meetings.choices.ActionStatus",
    },
}

# --- logging: one JSON line per event, with the request id ---
LOG_LEVEL = env("LOG_LEVEL", default="INFO")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_id": {"()": "core.logging.RequestIdFilter"}},
    "formatters": {
        "json": {
            "()": "pythonjsonlogger.json.JsonFormatter",
            "fmt": "%(asctime)s %(levelname)s %(name)s %(message)s",
            "rename_fields": {"asctime": "time", "levelname": "level", "name": "logger"},
        },
    },
    "handlers": {
        "console": {"class": "logging.StreamHandler", "formatter": "json", "filters": ["request_id"]},
    },
    "root": {"handlers": ["console"], "level": LOG_LEVEL},
    "loggers": {
        "django.request": {"level": "ERROR"},
        "django.server": {"level": "WARNING"},
        "celery": {"level": LOG_LEVEL},
        "pgserver": {"level": "WARNING"},
        "axes": {"level": "WARNING"},
    },
}
