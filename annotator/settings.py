"""Settings for annotator.

Everything that differs between a laptop and a deployment comes from the environment; the
one file made here is the generated SECRET_KEY when none is set. The embedded defaults
(SQLite in the data folder, media beside it, an in-memory channel layer) need no other
service.
"""

from __future__ import annotations

import os
from datetime import timedelta
from pathlib import Path
from typing import Any

import dj_database_url

from annotator.secret_key import stored_secret_key

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_seconds(name: str, default: float) -> float:
    value = os.environ.get(name)
    return float(value) if value else default


def env_list(name: str, default: str) -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


def env_int(name: str, default: int) -> int:
    value = os.environ.get(name)
    return int(value) if value else default


DATA_DIR = Path(os.environ.get("ANNOTATOR_DATA_DIR") or BASE_DIR / "data").resolve()

DEBUG = env_bool("DEBUG", False)
# Without SECRET_KEY in the environment, a key generated on first start and kept in the data
# folder (annotator/secret_key.py); several machines must share one, set in the environment
# (docs/deploy.md).
SECRET_KEY = os.environ.get("SECRET_KEY") or stored_secret_key(DATA_DIR)
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost,[::1]")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", "")
# Browser origins (scheme://host[:port]) that count as the site besides the one a request is
# addressed to, for a proxy that changes the host or scheme (tasks/origins.py).
ALLOWED_ORIGINS = env_list("ALLOWED_ORIGINS", "")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "channels",
    "django_tasks",
    "django_tasks_db",
    # Failed sign-ins counted per user name and per address (docs/sso.md).
    "axes",
    "tasks",
]

# The worker (`manage.py run_worker`) serves no page: Django's admin without its
# autodiscovery, which imports every admin module and what they import (~1.6 MiB of the
# worker's RSS; docs/performance.md "Memory of the worker").
if os.environ.get("ANNOTATOR_PROCESS") == "worker":
    INSTALLED_APPS[0] = "django.contrib.admin.apps.SimpleAdminConfig"

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Refuses oversized bodies (413) and NUL characters in the URL (400) before anything reads
    # them.
    "annotator.body_limits.RequestLimitsMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Last, as django-axes asks: turns a refused (locked) sign-in into the login page with
    # the lockout message (tasks/login_throttle.py).
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "annotator.urls"
# The official client calls paths without a trailing slash; a redirect would turn its POSTs
# into GETs, so nothing is ever appended.
APPEND_SLASH = False

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
                # The login page's "Sign in with …" button when single sign-on is on.
                "tasks.sso.login_context",
            ],
        },
    },
]

WSGI_APPLICATION = "annotator.wsgi.application"
ASGI_APPLICATION = "annotator.asgi.application"

DATABASE_URL = os.environ.get("DATABASE_URL", "")
DATABASES: dict[str, Any]  # a DBConfig from dj_database_url, or the dict below
if DATABASE_URL:
    DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=60,
                                                  conn_health_checks=True)}
    if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
        # Django's backend, with JSON columns written by orjson (annotator/backends/).
        DATABASES["default"]["ENGINE"] = "annotator.backends.postgresql"
        # Parameters bound by the server, and a statement run PG_PREPARE_AFTER times on a
        # connection prepared there (psycopg's own threshold): PostgreSQL then parses each hot
        # query once per connection instead of on every call, and may plan it once too, except
        # where a plan must fit the values (annotator/backends/plans.py; docs/performance.md
        # "Serving requests"). 0 keeps Django's defaults (parameters bound by psycopg, nothing
        # prepared), for a pooler in transaction mode, which cannot keep a prepared statement.
        PG_PREPARE_AFTER = env_int("ANNOTATOR_PG_PREPARE_AFTER", 5)
        if PG_PREPARE_AFTER > 0:
            DATABASES["default"].setdefault("OPTIONS", {}).update(
                server_side_binding=True, prepare_threshold=PG_PREPARE_AFTER)
else:
    DATABASES = {
        "default": {
            # Django's backend, with JSON columns written by orjson (annotator/backends/).
            "ENGINE": "annotator.backends.sqlite3",
            "NAME": DATA_DIR / "annotator.sqlite3",
            # Each server thread keeps its connection (annotator/handler.py): opening one and
            # running the pragmas below cost more than a whole cached API read.
            "CONN_MAX_AGE": 600,
            "OPTIONS": {
                # WAL lets readers run beside the one writer; IMMEDIATE takes the write lock
                # at the start of a transaction, so two writers queue instead of deadlocking.
                "transaction_mode": "IMMEDIATE",
                "timeout": 20,
                "init_command": (
                    "PRAGMA journal_mode=WAL;"
                    "PRAGMA synchronous=NORMAL;"
                    "PRAGMA temp_store=MEMORY;"
                    "PRAGMA cache_size=-2000;"
                ),
            },
            # The tests' database lives in memory, one per test process. Said outright, since
            # pytest-django recognises an in-memory SQLite test database by Django's engine
            # name only, and would otherwise give each parallel test worker a file named after
            # NAME (docs/performance.md, "The test suite's wall time").
            "TEST": {"NAME": ":memory:"},
        }
    }
DATABASES["default"].setdefault("TEST", {})
if os.environ.get("ANNOTATOR_TEST_DB_NAME"):
    DATABASES["default"]["TEST"]["NAME"] = os.environ["ANNOTATOR_TEST_DB_NAME"]

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = os.environ.get("REDIS_URL", "")
# Tests only: the test processes that run side by side share one Redis (pytest-xdist sets
# PYTEST_XDIST_WORKER in each worker, and the server processes a test starts inherit it), and
# user and project keys repeat across their databases: each keeps its channel groups and cache
# keys under a prefix of its own. A test that starts servers with a database of their own gives
# them a fresh ANNOTATOR_TEST_REDIS_PREFIX (docs/performance.md, "The test suite's wall time").
# Unset in a deployment: the channel layer's and the cache's default keys.
TEST_REDIS_PREFIX = os.environ.get("ANNOTATOR_TEST_REDIS_PREFIX") or (
    f"test-{os.environ['PYTEST_XDIST_WORKER']}" if os.environ.get("PYTEST_XDIST_WORKER") else "")
if REDIS_URL:
    CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "channels_redis.core.RedisChannelLayer",
            "CONFIG": {"hosts": [REDIS_URL],
                       **({"prefix": f"{TEST_REDIS_PREFIX}:asgi:"} if TEST_REDIS_PREFIX else {})},
        }
    }
    CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL,
                    "KEY_PREFIX": TEST_REDIS_PREFIX}
    }
else:
    CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

TASKS = {
    "default": {
        "BACKEND": "tasks.job_backend.DatabaseBackend",
        "QUEUES": ["default"],
    }
}

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
]

# Tests only: the test suite sets ANNOTATOR_TEST_FAST_PASSWORD_HASHER for itself and for the
# server processes it starts (tests/conftest.py), since PBKDF2 costs ~0.4 s per user made.
# Never set it in a deployment: `check --deploy` flags it (tasks/checks.py).
if env_bool("ANNOTATOR_TEST_FAST_PASSWORD_HASHER", False):
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
# Only a deployment that runs collectstatic needs a STATIC_ROOT (docs/deploy.md).
STATIC_ROOT = os.environ.get("ANNOTATOR_STATIC_ROOT") or None
# Without a STATIC_ROOT, serve straight from the finders: `make run` needs no collectstatic
# step. With one, WhiteNoise serves what collectstatic put there (compressed copies too).
WHITENOISE_USE_FINDERS = not STATIC_ROOT
WHITENOISE_AUTOREFRESH = DEBUG

MEDIA_URL = "/media/"
MEDIA_ROOT = DATA_DIR / "media"
STORAGES: dict[str, dict[str, Any]] = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage" if STATIC_ROOT
                    else "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# Media (uploads, fetched attachments, exports) on S3-compatible storage when a bucket is named.
ANNOTATOR_MEDIA_S3_BUCKET = os.environ.get("ANNOTATOR_MEDIA_S3_BUCKET", "")
if ANNOTATOR_MEDIA_S3_BUCKET:
    STORAGES["default"] = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": ANNOTATOR_MEDIA_S3_BUCKET,
            "endpoint_url": os.environ.get("ANNOTATOR_MEDIA_S3_ENDPOINT_URL") or None,
            "access_key": os.environ.get("ANNOTATOR_MEDIA_S3_ACCESS_KEY_ID") or None,
            "secret_key": os.environ.get("ANNOTATOR_MEDIA_S3_SECRET_ACCESS_KEY") or None,
            "region_name": os.environ.get("ANNOTATOR_MEDIA_S3_REGION") or None,
            "location": os.environ.get("ANNOTATOR_MEDIA_S3_PREFIX", ""),
            "addressing_style": os.environ.get("ANNOTATOR_MEDIA_S3_ADDRESSING_STYLE") or None,
            # Private objects: the server streams them to taskers and API keys; the admin's
            # links are short-lived signed URLs.
            "default_acl": None,
            "querystring_auth": True,
            "querystring_expire": 600,
            "file_overwrite": False,
        },
    }

LOGIN_URL = "/accounts/login/"
LOGIN_REDIRECT_URL = "/"
LOGOUT_REDIRECT_URL = "/accounts/login/"

# Single sign-on with OpenID Connect through mozilla-django-oidc (docs/sso.md). On only when a
# client id and the provider (its issuer, for discovery, or its endpoints) are set; otherwise
# nothing of it is loaded and the login page is user name and password alone.
ANNOTATOR_OIDC_ISSUER = os.environ.get("ANNOTATOR_OIDC_ISSUER", "").strip().rstrip("/")
OIDC_RP_CLIENT_ID = os.environ.get("ANNOTATOR_OIDC_CLIENT_ID", "")
OIDC_RP_CLIENT_SECRET = os.environ.get("ANNOTATOR_OIDC_CLIENT_SECRET", "")
# Endpoints set here win over the issuer's discovery document (tasks/sso.py).
OIDC_OP_AUTHORIZATION_ENDPOINT = os.environ.get("ANNOTATOR_OIDC_AUTHORIZATION_ENDPOINT", "")
OIDC_OP_TOKEN_ENDPOINT = os.environ.get("ANNOTATOR_OIDC_TOKEN_ENDPOINT", "")
OIDC_OP_USER_ENDPOINT = os.environ.get("ANNOTATOR_OIDC_USERINFO_ENDPOINT", "")
OIDC_OP_JWKS_ENDPOINT = os.environ.get("ANNOTATOR_OIDC_JWKS_URI", "")
ANNOTATOR_OIDC_ENABLED = bool(OIDC_RP_CLIENT_ID and (
    ANNOTATOR_OIDC_ISSUER or (OIDC_OP_AUTHORIZATION_ENDPOINT and OIDC_OP_TOKEN_ENDPOINT
                              and OIDC_OP_USER_ENDPOINT and OIDC_OP_JWKS_ENDPOINT)))
ANNOTATOR_OIDC_PROVIDER_NAME = os.environ.get("ANNOTATOR_OIDC_PROVIDER_NAME", "single sign-on")
OIDC_RP_SCOPES = os.environ.get("ANNOTATOR_OIDC_SCOPES", "openid email profile")
OIDC_RP_SIGN_ALGO = os.environ.get("ANNOTATOR_OIDC_SIGN_ALGO", "RS256")
# Which claims name the account(s) and the role, and how their values map to account user
# names and to roles ("value=name,value=name"; an empty account map takes the value as the
# account's user name; the role map adds to Scale's four roles and "reviewer").
ANNOTATOR_OIDC_ACCOUNT_CLAIM = os.environ.get("ANNOTATOR_OIDC_ACCOUNT_CLAIM", "org")
ANNOTATOR_OIDC_ROLE_CLAIM = os.environ.get("ANNOTATOR_OIDC_ROLE_CLAIM", "role")
ANNOTATOR_OIDC_ACCOUNT_MAP = os.environ.get("ANNOTATOR_OIDC_ACCOUNT_MAP", "")
ANNOTATOR_OIDC_ROLE_MAP = os.environ.get("ANNOTATOR_OIDC_ROLE_MAP", "")
OIDC_USE_PKCE = True
OIDC_TIMEOUT = env_seconds("ANNOTATOR_OIDC_TIMEOUT_SECONDS", 10)
OIDC_AUTHENTICATE_CLASS = "tasks.sso.SignInView"
OIDC_CALLBACK_CLASS = "tasks.sso.CallbackView"
LOGIN_REDIRECT_URL_FAILURE = LOGIN_URL

AUTHENTICATION_BACKENDS = [
    # Refuses every sign-in of a locked user name or address before a password is checked.
    "tasks.login_throttle.ThrottleBackend",
    "django.contrib.auth.backends.ModelBackend",
    *(["tasks.sso.OIDCBackend"] if ANNOTATOR_OIDC_ENABLED else []),
]

# Login throttling with django-axes (docs/sso.md, tasks/login_throttle.py): a user name is
# locked after ANNOTATOR_LOGIN_FAILURES_PER_NAME failed sign-ins, an address after
# ANNOTATOR_LOGIN_FAILURES_PER_ADDRESS (higher: an office shares one), each for
# ANNOTATOR_LOGIN_LOCKOUT_SECONDS after its last failure. API keys are not counted.
ANNOTATOR_LOGIN_FAILURES_PER_ADDRESS = env_int("ANNOTATOR_LOGIN_FAILURES_PER_ADDRESS", 50)
AXES_ENABLED = env_bool("ANNOTATOR_LOGIN_THROTTLE", True)
AXES_FAILURE_LIMIT = env_int("ANNOTATOR_LOGIN_FAILURES_PER_NAME", 10)
AXES_COOLOFF_TIME = timedelta(seconds=env_seconds("ANNOTATOR_LOGIN_LOCKOUT_SECONDS", 900))
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_HANDLER = "tasks.login_throttle.LoginThrottleHandler"
AXES_LOCKOUT_CALLABLE = "tasks.login_throttle.lockout_response"
# A try while locked does not push the end of the lockout further (the page names that end).
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
# Every successful sign-in is not worth a row; the failures are kept (AccessAttempt).
AXES_DISABLE_ACCESS_LOG = True
AXES_VERBOSE = False

# Request bodies: at most ANNOTATOR_MAX_BODY_BYTES (JSON and forms), except the upload endpoint,
# which takes a file of up to ANNOTATOR_MAX_UPLOAD_BYTES (the Scale limit, 80 MB). Larger bodies
# are refused with a 413 before they are read (annotator/body_limits.py).
ANNOTATOR_MAX_BODY_BYTES = env_int("ANNOTATOR_MAX_BODY_BYTES", 20 * 1024 * 1024)
ANNOTATOR_MAX_UPLOAD_BYTES = env_int("ANNOTATOR_MAX_UPLOAD_BYTES", 80 * 1024 * 1024)
DATA_UPLOAD_MAX_MEMORY_SIZE = ANNOTATOR_MAX_BODY_BYTES
# A connection has this long to send a request's headers, then this long for its body; past
# either it is closed (annotator/http_protocol.py, used by `manage.py serve`).
ANNOTATOR_HEADER_READ_SECONDS = env_seconds("ANNOTATOR_HEADER_READ_SECONDS", 10)
ANNOTATOR_BODY_READ_SECONDS = env_seconds("ANNOTATOR_BODY_READ_SECONDS", 300)
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024

EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "annotator@localhost")

# One server process: the threads serving HTTP requests, and the malloc arenas they share
# (annotator/handler.py, annotator/memory.py).
ANNOTATOR_HTTP_THREADS = env_int("ANNOTATOR_HTTP_THREADS", 4)
ANNOTATOR_MALLOC_ARENAS = env_int("ANNOTATOR_MALLOC_ARENAS", 1)

# The server's public address (https://annotator.example.com), for the URLs a completed video
# task's response points at; without it, the address the completing request came to.
ANNOTATOR_PUBLIC_URL = os.environ.get("ANNOTATOR_PUBLIC_URL", "")

# Comma-separated hosts, addresses or CIDR ranges that server-side fetches may reach even
# though they are loopback or private.
ANNOTATOR_FETCH_ALLOW = env_list("ANNOTATOR_FETCH_ALLOW", "")
# Origins (https://host[:port]) the workbench may load instruction images from, besides this
# server and the task's own attachment origins (docs/workbench.md, "Instructions").
ANNOTATOR_INSTRUCTION_IMAGE_ORIGINS = env_list("ANNOTATOR_INSTRUCTION_IMAGE_ORIGINS", "")

# How long a tasker holds a task without an open session.
ANNOTATOR_LEASE_SECONDS = env_seconds("ANNOTATOR_LEASE_SECONDS", 1800)
# How often an open editing session renews that lease and says it is alive; a session silent
# for three times this long counts as closed (docs/live-sessions.md).
ANNOTATOR_SESSION_HEARTBEAT_SECONDS = env_seconds("ANNOTATOR_SESSION_HEARTBEAT_SECONDS", 60)
# A new task a model backend is prelabelling is not served for at most this long (docs/assist.md,
# "Prelabel on create"): 2 × the longest predict timeout (30 s) + 30 s; after it, it is served
# without its prelabels.
ANNOTATOR_PRELABEL_HOLD_SECONDS = env_seconds("ANNOTATOR_PRELABEL_HOLD_SECONDS", 90)
# Callbacks: the first retry waits this long, doubling up to 2 hours (20 tries in ~24 hours).
ANNOTATOR_CALLBACK_BACKOFF_BASE = env_seconds("ANNOTATOR_CALLBACK_BACKOFF_BASE", 30)
# E-mail callbacks an account may send an hour (to its staff-set addresses only).
ANNOTATOR_CALLBACK_EMAILS_PER_HOUR = env_int("ANNOTATOR_CALLBACK_EMAILS_PER_HOUR", 60)
# A worker's claim on one delivery; a killed worker's claim lapses after it.
ANNOTATOR_CALLBACK_LEASE_SECONDS = env_seconds("ANNOTATOR_CALLBACK_LEASE_SECONDS", 120)
# How often the worker looks for deliveries and fetches that lost their job.
ANNOTATOR_SWEEP_SECONDS = env_seconds("ANNOTATOR_SWEEP_SECONDS", 30)
# Requests of one API key in progress at once in a server process, and waiting for their
# turn beyond those (tasks/api/inflight.py); 0 in progress turns the cap off.
ANNOTATOR_API_IN_FLIGHT_PER_KEY = env_int("ANNOTATOR_API_IN_FLIGHT_PER_KEY", 2)
ANNOTATOR_API_QUEUED_PER_KEY = env_int("ANNOTATOR_API_QUEUED_PER_KEY", 32)
# Jobs one worker process runs at once, and at most how many of them for one account
# (tasks/worker_pool.py): one account's slow fetches cannot hold the others' back.
ANNOTATOR_WORKER_SLOTS = max(1, env_int("ANNOTATOR_WORKER_SLOTS", 4))
ANNOTATOR_WORKER_SLOTS_PER_ACCOUNT = max(1, env_int("ANNOTATOR_WORKER_SLOTS_PER_ACCOUNT", 2))

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": ["tasks.api.auth.ApiKeyAuthentication"],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_RENDERER_CLASSES": ["tasks.api.rendering.JSONRenderer"],
    # JSON only, which no HTML form can send; the upload endpoint takes multipart (its file).
    "DEFAULT_PARSER_CLASSES": ["tasks.api.rendering.JSONParser"],
    # JSON whatever the Accept header says (a 406 is no operation's documented answer)
    "DEFAULT_CONTENT_NEGOTIATION_CLASS": "tasks.api.rendering.JSONWhateverAccept",
    "EXCEPTION_HANDLER": "tasks.api.errors.exception_handler",
    "DEFAULT_THROTTLE_CLASSES": ["tasks.api.throttling.ApiKeyRateThrottle"],
    "DEFAULT_SCHEMA_CLASS": "tasks.api.schema_generator.AutoSchema",
    "UNAUTHENTICATED_USER": None,
}

SPECTACULAR_SETTINGS = {
    # applies the views' deferred extend_schema first (tasks/api/deferred_schema.py)
    "DEFAULT_GENERATOR_CLASS": "tasks.api.schema_generator.SchemaGenerator",
    "TITLE": "annotator API",
    "DESCRIPTION": "A self-hosted, Scale-compatible v1 task API for image annotation.",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "ENUM_NAME_OVERRIDES": {
        "TaskStatusEnum": "tasks.models.TaskStatus",
        "BatchStatusEnum": "tasks.models.projects.BatchStatus",
        "TeamRoleEnum": "tasks.models.TeamRole",
    },
}

# Requests per API key (N/second, N/minute, N/hour or N/day; "off" for none), counted in the
# cache: shared by every server process when REDIS_URL is set. Past it: 429 with Retry-After.
# The default, 100 a second on average over a minute, is more than one client needs and less
# than one server process can answer (docs/deploy.md).
ANNOTATOR_API_RATE = os.environ.get("ANNOTATOR_API_RATE", "6000/minute")

# HTTPS (docs/deploy.md). ANNOTATOR_HTTPS=true turns on the redirect, secure cookies and HSTS;
# each can be set on its own too. Behind a TLS-terminating proxy, SECURE_PROXY_SSL_HEADER names
# the header the proxy sets (X-Forwarded-Proto), and the proxy must overwrite what clients send.
ANNOTATOR_HTTPS = env_bool("ANNOTATOR_HTTPS", False)
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", ANNOTATOR_HTTPS)
SESSION_COOKIE_SECURE = env_bool("SECURE_COOKIES", ANNOTATOR_HTTPS)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31_536_000 if ANNOTATOR_HTTPS else 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", ANNOTATOR_HTTPS)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", False)
if os.environ.get("SECURE_PROXY_SSL_HEADER"):
    SECURE_PROXY_SSL_HEADER = (
        "HTTP_" + os.environ["SECURE_PROXY_SSL_HEADER"].strip().upper().replace("-", "_"),
        "https",
    )

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"one_line_refusals": {"()": "annotator.log_filters.OneLineRefusals"}},
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "WARNING")},
    "loggers": {
        "annotator": {"level": os.environ.get("LOG_LEVEL", "INFO")},
        # A refused request (403 and the like) is one line, never a traceback.
        "django.request": {"filters": ["one_line_refusals"]},
        "django.security": {"filters": ["one_line_refusals"]},
    },
}
