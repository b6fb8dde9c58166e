"""Settings for laomo, read from the environment.

Every variable is documented in `.env.example`. The embedded default (no variables set) runs on
SQLite under `var/` with an embedded job queue; secrets are generated into `var/` on first use.
"""

import os
import secrets
from datetime import timedelta
from pathlib import Path

import dj_database_url

BASE_DIR = Path(__file__).resolve().parent.parent


def env_str(name: str, default: str = "") -> str:
    return os.environ.get(name, default)


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_int(name: str, default: int) -> int:
    value = os.environ.get(name)
    return int(value) if value not in (None, "") else default


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


VAR_DIR = Path(env_str("LAOMO_VAR_DIR", str(BASE_DIR / "var")))
VAR_DIR.mkdir(parents=True, exist_ok=True)


def secret_from_env_or_file(name: str, filename: str, factory) -> str:
    """A secret from `NAME`, from the file named by `NAME_FILE`, or generated into var/."""
    if os.environ.get(name):
        return os.environ[name]
    path = Path(os.environ.get(f"{name}_FILE") or VAR_DIR / filename)
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as fh:
            fh.write(factory())
    return path.read_text().strip()


def _fernet_key() -> str:
    from cryptography.fernet import Fernet

    return Fernet.generate_key().decode()


SECRET_KEY = secret_from_env_or_file("SECRET_KEY", "secret_key", lambda: secrets.token_urlsafe(64))
# PII encryption keys: comma-separated Fernet keys, the first encrypts, all decrypt (rotation).
LAOMO_PII_KEYS = [
    k.strip() for k in secret_from_env_or_file("LAOMO_PII_KEYS", "pii_keys", _fernet_key).split(",") if k.strip()
]
# Key of the HMAC blind index used for exact lookup and de-duplication of PII.
LAOMO_BLIND_INDEX_KEY = secret_from_env_or_file(
    "LAOMO_BLIND_INDEX_KEY", "blind_index_key", lambda: secrets.token_hex(32)
)
# Audit chain key(s) (issue 11): every audit entry is an HMAC-SHA256 under a key kept outside the
# database, so that whoever can write the table cannot re-chain it. LAOMO_AUDIT_KEY, the file named by
# LAOMO_AUDIT_KEY_FILE, or generated into var/audit_key (0600). Comma-separated for rotation: the first
# signs new entries, all verify (an entry names its key by id); keep an old key as long as its entries.
LAOMO_AUDIT_KEYS = [
    k.strip()
    for k in secret_from_env_or_file("LAOMO_AUDIT_KEY", "audit_key", lambda: secrets.token_hex(32)).split(",")
    if k.strip()
]

DEBUG = env_bool("DEBUG", False)
# audit.record refuses an action missing from laomo.core.actions (on in tests and DEBUG).
LAOMO_STRICT_ACTIONS = env_bool("LAOMO_STRICT_ACTIONS", DEBUG)
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost,[::1],testserver")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", "")

# Behind HTTPS (production): secure cookies, HSTS, redirect. Off for the laptop default.
LAOMO_HTTPS = env_bool("LAOMO_HTTPS", False)
SECURE_SSL_REDIRECT = LAOMO_HTTPS
SESSION_COOKIE_SECURE = LAOMO_HTTPS
CSRF_COOKIE_SECURE = LAOMO_HTTPS
SECURE_HSTS_SECONDS = 31536000 if LAOMO_HTTPS else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = LAOMO_HTTPS
SECURE_HSTS_PRELOAD = LAOMO_HTTPS
if env_bool("LAOMO_BEHIND_PROXY", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.forms",  # the built-in widget templates, for FORM_RENDERER below
    # laomo.core before axes: its login-failure receiver must run before axes marks the lockout.
    "laomo.orgs",
    "laomo.core",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "axes",
    "django_htmx",
    "huey.contrib.djhuey",
    "ninja",
    "laomo.workers",
    "laomo.reports",
    "laomo.api",
    # The business modules, one app per domain (DESIGN.md §3); every one is always installed.
    "laomo.outreach",
    "laomo.volunteering",
    "laomo.studios",
    "laomo.care",
    "laomo.retreats",
    "laomo.notices",
    "laomo.reminders",
    "laomo.portal",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    # laomo.core.apilean: Django's and django-otp's middlewares, with a short way for bearer-token API
    # calls without cookies (same responses; issue 16).
    "laomo.core.apilean.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "laomo.core.apilean.AuthenticationMiddleware",
    "laomo.core.apilean.OTPMiddleware",
    "laomo.core.apilean.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "laomo.core.middleware.SessionPolicyMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "laomo.urls"
WSGI_APPLICATION = "laomo.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "laomo" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "laomo.core.context_processors.shell",
            ],
            # Django's `date` filter and `{% url %}` tag with a short path for what list pages repeat on
            # every row, same output (issue 16; laomo/core/templatetags/laomo_builtins.py).
            "builtins": ["laomo.core.templatetags.laomo_builtins"],
        },
    },
    {
        # The rows partials of list pages (`templates/<app>/partials/*.jinja`, rendered with
        # `using="jinja2"`): Jinja2 renders their ~700 variables a page several times faster (issue 16;
        # laomo/core/jinja.py, which searches DIRS and each app's `templates/` for `.jinja` files only).
        "NAME": "jinja2",
        "BACKEND": "django.template.backends.jinja2.Jinja2",
        "DIRS": [BASE_DIR / "laomo" / "templates"],
        "APP_DIRS": False,
        "OPTIONS": {"environment": "laomo.core.jinja.environment"},
    },
]

# One field template for every form (laomo/templates/forms/field.html; `{{ field.as_field_group }}`).
FORM_RENDERER = "laomo.core.forms.FormRenderer"

# Database: SQLite under var/ by default; DATABASE_URL switches (postgres://...).
DATABASE_URL = env_str("DATABASE_URL", f"sqlite:///{VAR_DIR / 'laomo.sqlite3'}")
DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=env_int("DB_CONN_MAX_AGE", 60))}
# PostgreSQL: the queries every request makes prepared on the server once per connection (laomo.core.prepared);
# 0 behind a connection pooler in transaction mode (docs/deployment.md).
LAOMO_PG_PREPARE = env_bool("LAOMO_PG_PREPARE", True)
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Persistent like PostgreSQL's (DB_CONN_MAX_AGE, 60 s): a new SQLite connection runs the PRAGMAs below,
    # parses the whole schema on its first statement and starts with an empty page cache, which cost more
    # than most requests themselves (issue 16). Between requests a connection holds no transaction (and so
    # no snapshot); `manage.py restore` is run with laomo stopped (docs/operations.md).
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": (
            "PRAGMA journal_mode=WAL;PRAGMA synchronous=NORMAL;PRAGMA busy_timeout=20000;"
            "PRAGMA foreign_keys=ON;PRAGMA cache_size=-64000;"
        ),
    }
    if env_bool("LAOMO_SQLITE_FILE_TESTS"):
        DATABASES["default"]["TEST"] = {"NAME": str(VAR_DIR / "test.sqlite3")}

# Locks and a read-only database (issue 11): a writer waits this long for another writer's lock, then the
# request answers 503 "系统繁忙,请稍后重试" with Retry-After (laomo/core/dbbusy.py), never a bare 500.
# SQLite: the busy timeout of every connection (sqlite3's `timeout` and PRAGMA busy_timeout, which BEGIN
# IMMEDIATE honours too). PostgreSQL: lock_timeout, and statement_timeout when set (0, the default, leaves
# it off: exports and reports run long statements).
LAOMO_DB_LOCK_TIMEOUT_MS = env_int("LAOMO_DB_LOCK_TIMEOUT_MS", 20000)
LAOMO_DB_STATEMENT_TIMEOUT_MS = env_int("LAOMO_DB_STATEMENT_TIMEOUT_MS", 0)
LAOMO_BUSY_RETRY_AFTER = env_int("LAOMO_BUSY_RETRY_AFTER", 5)  # seconds, in the 503's Retry-After
# PostgreSQL's JIT compiler off (issue 16): the report queries' correlated subqueries make the planner's cost
# estimates large enough to compile every one of them, ~0.3–0.5 s each, more than most of them take to run
# (bench/scale.py --size province: the province's summary 5.4 s with it). LAOMO_PG_JIT=1 leaves it on.
LAOMO_PG_JIT = env_bool("LAOMO_PG_JIT", False)
_db_options = DATABASES["default"].setdefault("OPTIONS", {})
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    _db_options["timeout"] = LAOMO_DB_LOCK_TIMEOUT_MS / 1000
    _db_options["init_command"] = (  # the last busy_timeout PRAGMA wins
        f"{_db_options.get('init_command', '')}PRAGMA busy_timeout={LAOMO_DB_LOCK_TIMEOUT_MS};")
elif DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    _db_options["options"] = " ".join(filter(None, [
        _db_options.get("options", ""), f"-c lock_timeout={LAOMO_DB_LOCK_TIMEOUT_MS}",
        "" if LAOMO_PG_JIT else "-c jit=off",
        f"-c statement_timeout={LAOMO_DB_STATEMENT_TIMEOUT_MS}" if LAOMO_DB_STATEMENT_TIMEOUT_MS else ""]))
MIDDLEWARE = [*MIDDLEWARE, "laomo.core.dbbusy.DatabaseBusyMiddleware"]
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "orgs.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    # Django's ModelBackend loading the user with their org and the permissions in one query (issue 16).
    "laomo.orgs.backends.ModelBackend",
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "dashboard"
LOGOUT_REDIRECT_URL = "login"

# Passwords (等保2.0 8.1.4.1): length, common passwords, character classes.
LAOMO_PASSWORD_COMPLEXITY = env_bool("LAOMO_PASSWORD_COMPLEXITY", True)
LAOMO_PASSWORD_MAX_AGE_DAYS = env_int("LAOMO_PASSWORD_MAX_AGE_DAYS", 0)  # 0 = no periodic change
# Django's validators with their messages in Chinese whatever the active language (laomo.orgs.passwords).
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "laomo.orgs.passwords.UserAttributeSimilarityValidator"},
    {"NAME": "laomo.orgs.passwords.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "laomo.orgs.passwords.CommonPasswordValidator"},
    {"NAME": "laomo.orgs.passwords.NumericPasswordValidator"},
    {"NAME": "laomo.orgs.passwords.CharacterClassValidator"},
]

# Content-Security-Policy (django-csp) and no-store. No inline script or style anywhere: behaviour
# lives in static files (laomo/static/laomo/app.js binds small behaviours to data attributes), styles
# in static CSS; `data:` images are the inline QR codes and Bootstrap's SVG icons. Every response
# Django renders (pages, htmx partials, API, downloads) is `Cache-Control: no-store`; static files are
# served by WhiteNoise before these middlewares and stay cacheable.
INSTALLED_APPS += ["csp"]
MIDDLEWARE[MIDDLEWARE.index("whitenoise.middleware.WhiteNoiseMiddleware") + 1:0] = [
    "laomo.core.middleware.NoStoreMiddleware",
    "laomo.core.middleware.CSPMiddleware",  # django-csp's, the header built once (issue 16)
]
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    },
}
# Django's CSRF failure page is English with an inline <style>: laomo's own, in Chinese.
CSRF_FAILURE_VIEW = "laomo.core.views.csrf_failure"

# Sessions: idle timeout 30 minutes, absolute 12 hours (ASVS 7.3.1, 7.3.2).
SESSION_COOKIE_AGE = env_int("LAOMO_SESSION_IDLE_SECONDS", 30 * 60)
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
LAOMO_SESSION_ABSOLUTE_SECONDS = env_int("LAOMO_SESSION_ABSOLUTE_SECONDS", 12 * 3600)
# Performance (issue 16). The session row is written when it changes and, to push the idle timeout
# on, at most once every LAOMO_SESSION_RENEW_SECONDS (SessionPolicyMiddleware), not on every request:
# on SQLite each write is a write transaction. The idle timeout thus counts from the last renewal
# (at most that many seconds before the last request). Summary sections and dashboard cards are
# kept in the shared cache for LAOMO_AGGREGATE_CACHE_SECONDS (0: not cached), under a key holding
# the data version (laomo.core.aggregates): any audited write makes the next read recompute; the
# timeout only bounds figures that change with the clock (overdue requests).
SESSION_SAVE_EVERY_REQUEST = False
# Django's database sessions, the row read by a query compiled once (laomo/core/sessions.py, issue 16).
SESSION_ENGINE = "laomo.core.sessions"
LAOMO_SESSION_RENEW_SECONDS = env_int("LAOMO_SESSION_RENEW_SECONDS", 60)
LAOMO_AGGREGATE_CACHE_SECONDS = env_int("LAOMO_AGGREGATE_CACHE_SECONDS", 300)
# Roles that must log in with a second factor (TOTP).
LAOMO_2FA_REQUIRED_ROLES = env_list("LAOMO_2FA_REQUIRED_ROLES", "sysadmin,secadmin,auditor")

# Lockout: 5 failures per username+IP lock for 15 minutes.
AXES_FAILURE_LIMIT = env_int("LAOMO_LOCKOUT_FAILURES", 5)
AXES_COOLOFF_TIME = timedelta(minutes=env_int("LAOMO_LOCKOUT_MINUTES", 15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_RESET_ON_SUCCESS = True
AXES_VERBOSE = False
AXES_ENABLE_ACCESS_FAILURE_LOG = False
AXES_IPWARE_PROXY_COUNT = env_int("LAOMO_PROXY_COUNT", 0) or None
if AXES_IPWARE_PROXY_COUNT is None:
    del AXES_IPWARE_PROXY_COUNT

OTP_TOTP_ISSUER = "劳模服务管理平台"

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文")]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = Path(env_str("LAOMO_STATIC_ROOT", str(BASE_DIR / "staticfiles")))
NODE_MODULES = BASE_DIR / "node_modules"
STATICFILES_DIRS = [
    BASE_DIR / "laomo" / "static",
    ("vendor/bootstrap", NODE_MODULES / "bootstrap" / "dist"),
    ("vendor/bootstrap-icons", NODE_MODULES / "bootstrap-icons" / "font"),
    ("vendor/htmx", NODE_MODULES / "htmx.org" / "dist"),
    ("vendor/echarts", NODE_MODULES / "echarts" / "dist"),
    ("vendor/flatpickr", NODE_MODULES / "flatpickr" / "dist"),
]
STATICFILES_DIRS = [d for d in STATICFILES_DIRS if Path(d[1] if isinstance(d, tuple) else d).exists()]
MEDIA_ROOT = Path(env_str("LAOMO_MEDIA_ROOT", str(VAR_DIR / "media")))
MEDIA_URL = "/media/"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": env_str(
            "LAOMO_STATICFILES_STORAGE", "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}
if env_str("LAOMO_S3_BUCKET"):
    STORAGES["default"] = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": env_str("LAOMO_S3_BUCKET"),
            "endpoint_url": env_str("LAOMO_S3_ENDPOINT") or None,
            "access_key": env_str("LAOMO_S3_ACCESS_KEY") or None,
            "secret_key": env_str("LAOMO_S3_SECRET_KEY") or None,
            "querystring_auth": True,
            "default_acl": "private",
        },
    }
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 20 * 1024 * 1024
# Spreadsheet imports (issue 11): limits checked before a file is read (laomo.core.excel.ReadLimits), and the read
# itself runs in a child process bounded in memory and time, so that a hostile file fails only its own job.
LAOMO_IMPORT_MAX_BYTES = env_int("LAOMO_IMPORT_MAX_BYTES", 50 * 1024 * 1024)  # the file as uploaded
# A sheet's extent: its last row and last column holding a value (from A1), and their product.
LAOMO_IMPORT_MAX_ROWS = env_int("LAOMO_IMPORT_MAX_ROWS", 310_000)  # 300,000 people plus titles and footers
LAOMO_IMPORT_MAX_COLUMNS = env_int("LAOMO_IMPORT_MAX_COLUMNS", 200)
LAOMO_IMPORT_MAX_CELLS = env_int("LAOMO_IMPORT_MAX_CELLS", 10_000_000)
# An .xlsx as declared in its zip directory and as really decompressed (a 300k x 20 roster is about 350 MB, ratio 9).
LAOMO_IMPORT_MAX_UNCOMPRESSED_MB = env_int("LAOMO_IMPORT_MAX_UNCOMPRESSED_MB", 1024)
LAOMO_IMPORT_MAX_RATIO = env_int("LAOMO_IMPORT_MAX_RATIO", 100)  # per zip member larger than 1 MB
# The reading child process: address-space limit (RLIMIT_AS) and wall-clock limit.
LAOMO_IMPORT_READ_MEMORY_MB = env_int("LAOMO_IMPORT_READ_MEMORY_MB", 2048)
LAOMO_IMPORT_READ_SECONDS = env_int("LAOMO_IMPORT_READ_SECONDS", 300)

# Job queue: huey on SQLite under var/ by default, on Redis when REDIS_URL is set.
REDIS_URL = env_str("REDIS_URL")
LAOMO_JOBS_IMMEDIATE = env_bool("LAOMO_JOBS_IMMEDIATE", False)
if REDIS_URL:
    HUEY = {
        "huey_class": "huey.PriorityRedisHuey",
        "name": env_str("LAOMO_HUEY_NAME", "laomo"),
        "url": REDIS_URL,
        "immediate": LAOMO_JOBS_IMMEDIATE,
        "consumer": {"workers": env_int("LAOMO_JOB_WORKERS", 2), "worker_type": "thread"},
    }
else:
    HUEY = {
        "huey_class": "huey.SqliteHuey",
        "name": "laomo",
        "filename": str(VAR_DIR / "jobs.sqlite3"),
        "immediate": LAOMO_JOBS_IMMEDIATE,
        "consumer": {"workers": env_int("LAOMO_JOB_WORKERS", 2), "worker_type": "thread"},
    }

# Demo or go-live (issue 13). LAOMO_DEMO=1 (what `make run` sets) keeps the demo in files of its own:
# var/demo.sqlite3, its own job queue and media, so that it never mixes with a union's real data, which
# lives in var/laomo.sqlite3 (the default, `make golive`). With DATABASE_URL, REDIS_URL or LAOMO_MEDIA_ROOT
# set, those are used as given; populate_demo refuses any database holding data it did not create.
LAOMO_DEMO = env_bool("LAOMO_DEMO", False)
if LAOMO_DEMO and not env_str("DATABASE_URL"):
    DATABASE_URL = f"sqlite:///{VAR_DIR / 'demo.sqlite3'}"
    DATABASES["default"]["NAME"] = str(VAR_DIR / "demo.sqlite3")
if LAOMO_DEMO and not REDIS_URL:
    HUEY["filename"] = str(VAR_DIR / "demo-jobs.sqlite3")
elif LAOMO_DEMO and not env_str("LAOMO_HUEY_NAME"):
    HUEY["name"] = "laomo-demo"
if LAOMO_DEMO and not env_str("LAOMO_MEDIA_ROOT"):
    MEDIA_ROOT = VAR_DIR / "demo-media"

# Operations (supervision, health, job files; docs/operations.md). The job consumer writes a heartbeat
# every LAOMO_JOBS_HEARTBEAT_SECONDS; /healthz calls it stale after LAOMO_JOBS_HEARTBEAT_STALE_SECONDS
# and reports the disk short below LAOMO_HEALTH_MIN_FREE_MB free under VAR_DIR. Job files (uploads,
# reports, exports under var/jobs) are deleted after LAOMO_JOB_FILE_DAYS days.
LAOMO_JOBS_HEARTBEAT_SECONDS = env_int("LAOMO_JOBS_HEARTBEAT_SECONDS", 30)
LAOMO_JOBS_HEARTBEAT_STALE_SECONDS = env_int("LAOMO_JOBS_HEARTBEAT_STALE_SECONDS", 180)
LAOMO_HEALTH_MIN_FREE_MB = env_int("LAOMO_HEALTH_MIN_FREE_MB", 500)
LAOMO_JOB_FILE_DAYS = env_int("LAOMO_JOB_FILE_DAYS", 7)
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]  # a load balancer probes over plain HTTP

# Cache (rate limits of the public portal, throttles): shared by every app process — a file cache
# under var/ for the embedded default, Redis at scale.
if REDIS_URL:
    CACHES = {"default": {"BACKEND": "laomo.core.rediscache.RedisCache", "LOCATION": REDIS_URL}}
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
                          "LOCATION": str(VAR_DIR / "cache")}}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "WARNING")},
}

# The annual report's Word template (docxtpl); empty = the default in laomo/reports/templates/reports/.
LAOMO_ANNUAL_REPORT_TEMPLATE = env_str("LAOMO_ANNUAL_REPORT_TEMPLATE")

# Outbound channels (laomo/core/channels.py, docs/operations.md "Outbound channels"): each is off unless configured.
# Every message is a core.Delivery row, retried after these minutes (then failed, shown on 消息发送记录).
LAOMO_NOTIFY_WEBHOOK_URL = env_str("LAOMO_NOTIFY_WEBHOOK_URL")  # the generic JSON hook
LAOMO_NOTIFY_EMAIL = env_bool("LAOMO_NOTIFY_EMAIL", False)  # email to users with an address (EMAIL_* below)
LAOMO_NOTIFY_EMAIL_SUBJECT = env_str("LAOMO_NOTIFY_EMAIL_SUBJECT", "劳模服务管理平台")
EMAIL_HOST = env_str("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
EMAIL_USE_SSL = env_bool("EMAIL_USE_SSL", False)
EMAIL_TIMEOUT = env_int("EMAIL_TIMEOUT", 10)
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "laomo@localhost")
LAOMO_SMS_GATEWAY_URL = env_str("LAOMO_SMS_GATEWAY_URL")  # the generic HTTP JSON SMS gateway
LAOMO_SMS_GATEWAY_TOKEN = env_str("LAOMO_SMS_GATEWAY_TOKEN")
LAOMO_SMS_GATEWAY_CLASS = env_str("LAOMO_SMS_GATEWAY_CLASS")  # or a dotted path to an SmsGateway subclass
LAOMO_WECOM_WEBHOOK_URL = env_str("LAOMO_WECOM_WEBHOOK_URL")  # 企业微信群机器人 (…/cgi-bin/webhook/send?key=…)
LAOMO_DINGTALK_WEBHOOK_URL = env_str("LAOMO_DINGTALK_WEBHOOK_URL")  # 钉钉群机器人 (…/robot/send?access_token=…)
LAOMO_DINGTALK_SECRET = env_str("LAOMO_DINGTALK_SECRET")  # 加签 secret (SEC…), when the robot has 加签 on
LAOMO_DELIVERY_RETRY_MINUTES = [int(m) for m in env_list("LAOMO_DELIVERY_RETRY_MINUTES", "1,5,30")]
LAOMO_SITE_URL = env_str("LAOMO_SITE_URL")  # e.g. https://laomo.example.cn: links in outbound messages

# Reminders (laomo/reminders): how many days ahead a reminder appears, how long past its date it stays open
# unless settled, and the age rules of the birthday and 高龄慰问 reminders.
LAOMO_REMINDER_LEAD_DAYS = env_int("LAOMO_REMINDER_LEAD_DAYS", 14)
LAOMO_REMINDER_GRACE_DAYS = env_int("LAOMO_REMINDER_GRACE_DAYS", 30)
LAOMO_REMINDER_BIRTHDAY_AGES = [int(a) for a in env_list("LAOMO_REMINDER_BIRTHDAY_AGES", "80,90,100")]
LAOMO_REMINDER_ELDERLY_AGE = env_int("LAOMO_REMINDER_ELDERLY_AGE", 80)
LAOMO_REMINDER_ELDERLY_FROM = env_str("LAOMO_REMINDER_ELDERLY_FROM", "10-01")  # 高龄慰问 shows from this day
LAOMO_REMINDER_BENEFITS_FROM = env_str("LAOMO_REMINDER_BENEFITS_FROM", "11-01")  # 待遇未落实 shows from this day
LAOMO_REMINDER_STUDIO_REPORT_DAYS = env_int("LAOMO_REMINDER_STUDIO_REPORT_DAYS", 10)  # due N days after the quarter

SILENCED_SYSTEM_CHECKS: list[str] = []
