"""Werkpad settings: everything that differs between machines comes from the environment (contract §9)."""

from datetime import timedelta
from pathlib import Path

import environ
from corsheaders import defaults as corsheaders_defaults
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent
env = environ.Env()

DEBUG = env.bool("DJANGO_DEBUG", default=False)

_DEVELOPMENT_KEY = "django-insecure-werkpad-development-key-never-use-in-production"
SECRET_KEY = env("DJANGO_SECRET_KEY", default=_DEVELOPMENT_KEY)
if SECRET_KEY == _DEVELOPMENT_KEY and not DEBUG:
    raise ImproperlyConfigured("Set DJANGO_SECRET_KEY: the development key is refused when DJANGO_DEBUG is off.")

ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS", default=["localhost", "127.0.0.1"])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "corsheaders",
    "rest_framework",
    "knox",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "pgtrigger",
    "pghistory",
    "api",
    "coalition",
    "pathways",
    "notifications",
    "evaluation",
    "funding",
    "demo",
    "workers",
    "history",
    "idempotency",
]

MIDDLEWARE = [
    "api.middleware.ApiVersionMiddleware",
    "corsheaders.middleware.CorsMiddleware",  # before anything that may refuse: preflights need no authentication
    # The security headers (and the HTTPS redirect) come before the guard, so its refusals carry them too.
    "django.middleware.security.SecurityMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "api.middleware.RequestGuardMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # Outside the view's transaction, so that its claim of a key is committed before the work (idempotency/).
    "idempotency.middleware.IdempotencyMiddleware",
    "history.context.HistoryContextMiddleware",  # after the user is known to Django (DRF tells it later)
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"
APPEND_SLASH = False  # NL API Design Rules: a path asked with a trailing slash is a 404, not a redirect.

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'werkpad.sqlite3'}")}
DATABASES["default"]["ATOMIC_REQUESTS"] = True  # a request that fails changes nothing
DATABASES["default"].setdefault("CONN_MAX_AGE", env.int("DATABASE_CONN_MAX_AGE", default=60))
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # The development run has a web process and a worker writing to one file: wait for locks, don't fail.
    DATABASES["default"].setdefault("OPTIONS", {}).update({"timeout": 20, "transaction_mode": "IMMEDIATE"})
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

CACHES = {"default": env.cache_url("CACHE_URL", default="locmemcache://")}

AUTH_USER_MODEL = "coalition.User"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en"
TIME_ZONE = "Europe/Amsterdam"  # the coalition's clock (contract §1)
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"

# Contract §1: a request body over 10 MiB answers 413.
MAX_REQUEST_BODY_BYTES = env.int("MAX_REQUEST_BODY_BYTES", default=10 * 1024 * 1024)
DATA_UPLOAD_MAX_MEMORY_SIZE = MAX_REQUEST_BODY_BYTES

EMAIL_CONFIG = env.email_url("EMAIL_URL", default="consolemail://")
vars().update(EMAIL_CONFIG)
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", default="Werkpad <werkpad@werkpad.example>")

# --- HTTPS and security headers -----------------------------------------------------------------------------
# DJANGO_HTTPS=1 where Werkpad is served over TLS: plain HTTP is redirected, cookies travel over TLS only, and
# browsers are told (HSTS) to use nothing else; `manage.py check --deploy` is then clean with DEBUG off.
HTTPS = env.bool("DJANGO_HTTPS", default=False)
SECURE_SSL_REDIRECT = SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = HTTPS
SECURE_REDIRECT_EXEMPT = [r"^api/v1/health$"]  # the container's health check asks over plain HTTP from inside
SECURE_HSTS_SECONDS = env.int("DJANGO_HSTS_SECONDS", default=365 * 24 * 60 * 60 if HTTPS else 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("DJANGO_HSTS_INCLUDE_SUBDOMAINS", default=True)
# Consent to the browsers' preload list; the list itself is joined by the domain's owner, on hstspreload.org.
SECURE_HSTS_PRELOAD = env.bool("DJANGO_HSTS_PRELOAD", default=True)
# Behind a reverse proxy that ends TLS, sets X-Forwarded-Proto and drops any a client sent: trust that header.
# Never without such a proxy: a client could then claim HTTPS over plain HTTP.
if env.bool("DJANGO_TRUST_X_FORWARDED_PROTO", default=False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# What every response tells browsers (Django's defaults, written out): no content sniffing, no referrer to other
# sites, no window shared with other origins, no framing.
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

# --- Browsers on other origins (contract §1) ----------------------------------------------------------------
# Front ends served from these origins may call the API (none by default; `python3 run.py` allows the usual local
# dev servers). The schema is open to every origin (api/docs.py). Tokens travel in a header, not a cookie, so
# no credentials are allowed across origins.
CORS_ALLOWED_ORIGINS = env.list("CORS_ALLOWED_ORIGINS", default=[])
CORS_URLS_REGEX = r"^/api/"
CORS_ALLOW_HEADERS = (*corsheaders_defaults.default_headers, "idempotency-key")
CORS_EXPOSE_HEADERS = ["API-Version", "Location", "Retry-After", "WWW-Authenticate"]

# --- API ---------------------------------------------------------------------------------------------------
API_VERSION = "1.0.0"  # info.version of the schema and the API-Version header of every response
PROBLEM_TYPE_BASE = "https://werkpad.example/problems/"

# Keys that are enum values stay snake_case (contract: enum values in snake_case), in answers and in the schema:
# the stages report counts residents under each stage.
JSON_CAMEL_CASE = {"JSON_UNDERSCOREIZE": {"ignore_keys": ["job_search"]}}

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "coalition.authentication.TokenAuthentication",  # first, so that a missing token answers 401
        "rest_framework.authentication.SessionAuthentication",
    ],
    # Signed in, and in a role the view's `roles` allow for the action.
    "DEFAULT_PERMISSION_CLASSES": ["coalition.permissions.RolePermission"],
    "DEFAULT_RENDERER_CLASSES": [
        "api.rendering.CamelCaseJSONRenderer",
        *(["api.rendering.BrowsableAPIRenderer"] if DEBUG else []),
    ],
    "DEFAULT_PARSER_CLASSES": ["api.rendering.CamelCaseJSONParser"],
    "DEFAULT_FILTER_BACKENDS": ["api.filtering.FilterBackend"],
    "DEFAULT_PAGINATION_CLASS": "api.pagination.PageNumberPagination",
    "PAGE_SIZE": 25,
    "DEFAULT_THROTTLE_CLASSES": [
        "api.throttling.UserRateThrottle",  # atomic counts: a limit holds under concurrent requests
        "api.throttling.AnonRateThrottle",
    ],
    "DEFAULT_THROTTLE_RATES": {
        "user": env("THROTTLE_RATE_USER", default="1200/min"),
        "anon": env("THROTTLE_RATE_ANON", default="300/min"),
    },
    # Anonymous rates count per address. X-Forwarded-For is believed only as far as our own reverse proxies wrote
    # it (their number, 0 when clients connect directly): a client can put any address there itself.
    "NUM_PROXIES": env.int("NUM_PROXIES", default=0),
    "EXCEPTION_HANDLER": "api.problems.exception_handler",
    "DEFAULT_SCHEMA_CLASS": "api.schema.AutoSchema",
    "ORDERING_PARAM": "ordering",
    "UNICODE_JSON": True,
}

# Contract §1: failed logins per username (default 10 in 15 minutes) slow that username down.
LOGIN_FAILURE_LIMIT = env.int("LOGIN_FAILURE_LIMIT", default=10)
LOGIN_FAILURE_WINDOW = timedelta(minutes=env.int("LOGIN_FAILURE_WINDOW_MINUTES", default=15))

# Shortcuts past the framework's own ways, each switched off by leaving it out (FAST_PATHS= for none); the suite
# passes both ways: lists shown from `.values()` rows (api/rows.py), a page and its total in one statement
# (api/pagination.py), instants read by psycopg's C loader (api/postgres.py).
FAST_PATHS = set(env.list("FAST_PATHS", default=["rows", "count", "timestamptz"]))
if unknown := FAST_PATHS - {"rows", "count", "timestamptz"}:
    raise ImproperlyConfigured(f"FAST_PATHS names no such shortcut: {', '.join(sorted(unknown))}")

REST_KNOX = {
    "TOKEN_TTL": timedelta(hours=env.int("TOKEN_TTL_HOURS", default=12)),
    "AUTH_HEADER_PREFIX": "Token",
    "AUTO_REFRESH": False,
}

SPECTACULAR_SETTINGS = {
    "TITLE": "Werkpad API",
    "DESCRIPTION": (
        "The coalition's API for residents' work-and-learn pathways: intake, learning, job search, "
        "placement and the support that continues after someone starts work.\n\n"
        "Log in with `POST /auth/token` and send `Authorization: Token <token>`. Every error is an RFC 9457 "
        "problem (`application/problem+json`); an object the caller may not see answers 404, an action their "
        "role may not take on an object they can see answers 403. This document shows the API as a "
        "coordinator sees it; an operation's description names the roles that may take it."
    ),
    "VERSION": API_VERSION,
    "CONTACT": {"name": "Werkpad team", "url": "https://werkpad.example", "email": "api@werkpad.example"},
    "LICENSE": {"name": "EUPL-1.2", "url": "https://eupl.eu/1.2/en/"},
    "SERVERS": [{"url": "/api/v1", "description": "This server"}],
    "SCHEMA_PATH_PREFIX": "/api/v1",
    "SCHEMA_PATH_PREFIX_TRIM": True,
    "SERVE_INCLUDE_SCHEMA": True,
    "SERVE_PERMISSIONS": ["rest_framework.permissions.AllowAny"],
    "SERVE_AUTHENTICATION": [],
    "GET_MOCK_REQUEST": "api.schema.build_mock_request",
    "GET_LIB_DOC_EXCLUDES": "api.schema.lib_doc_excludes",
    "COMPONENT_SPLIT_REQUEST": True,
    # One tag per resource (api.schema.AutoSchema.get_tags), in the order a front-end developer meets them.
    "TAGS": [
        {"name": "auth", "description": "Logging in for an API token, and logging out."},
        {"name": "me", "description": "The signed-in user's own account and role."},
        {"name": "residents", "description": "Residents on a work-and-learn pathway: a coach's caseload."},
        {
            "name": "pathways",
            "description": "A resident's way from intake through learning and job search to work, "
            "and its stage history.",
        },
        {"name": "modules", "description": "The catalogue of work-and-learn modules about the big transitions."},
        {"name": "enrolments", "description": "Residents in modules: enrolment, attendance, completion."},
        {
            "name": "placements",
            "description": "Jobs for residents: proposed by a coach, confirmed or declined by "
            "the employer, ended when the job ends.",
        },
        {"name": "check-ins", "description": "The conversations after a placement, which keep people in work."},
        {"name": "notifications", "description": "The caller's own reminders, each also sent by e-mail."},
        {"name": "reports", "description": "Outcomes for coordinators, as JSON or CSV."},
        {
            "name": "organisations",
            "description": "The coalition's partners: housing corporations, employers, "
            "schools, neighbourhood organisations, the municipality.",
        },
        {"name": "neighbourhoods", "description": "The neighbourhoods the coalition works in."},
        {"name": "programmes", "description": "The funding programmes, each accounted for separately."},
        {"name": "users", "description": "The people who work in the coalition and their roles (coordinators)."},
        {"name": "projects", "description": "The coalition's projects, evaluated round after round (section 11)."},
        {"name": "indicators", "description": "The catalogue of what the coalition measures."},
        {"name": "indicator-periods", "description": "A project measured on an indicator: target and actual."},
        {"name": "results", "description": "Figures a project reports, reviewed by a coordinator."},
        {"name": "evaluations", "description": "A project's place on the effort-impact matrix, and the decision."},
        {"name": "allocations", "description": "What each programme gives each project per year (coordinators)."},
        {"name": "transactions", "description": "Money committed, paid out and spent; never changed (coordinators)."},
        {"name": "co-financing", "description": "What partners bring to projects, cash or in kind (coordinators)."},
        {"name": "access-log", "description": "Who looked at which resident's file (coordinators)."},
        {"name": "health", "description": "Whether the API reaches its database and broker, for monitoring."},
        {"name": "openapi", "description": "This document, for generating clients."},
    ],
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "drf_spectacular.contrib.djangorestframework_camel_case.camelize_serializer_fields",
        "api.schema.type_nullable_compositions",
        "idempotency.schema.document_idempotency_key",
    ],
    # Choice sets shared by name ("status", "kind") get a name each; the others are named after their field.
    "ENUM_NAME_OVERRIDES": {
        "StageEnum": "pathways.journey.stages.Stage",
        "EnrolmentStatusEnum": "pathways.models.Enrolment.Status",
        "PlacementStatusEnum": "pathways.models.Placement.Status",
        "CheckInStatusEnum": "pathways.models.CheckIn.Status",
        "OrganisationKindEnum": "coalition.models.Organisation.Kind",
        "NotificationKindEnum": "notifications.sources.kind_choices",
        "HealthStateEnum": "api.schema.HEALTH_STATES",
        "ProjectStatusEnum": "coalition.models.ProjectStatus",
        "ResultStatusEnum": "evaluation.reviews.Status",
        "DecisionEnum": "evaluation.models.Decision",
        "ProgrammeKindEnum": "coalition.models.Programme.Kind",
        "TransactionKindEnum": "funding.models.Transaction.Kind",
    },
}

# --- Reminders (contract §7) --------------------------------------------------------------------------------
REMINDER_MISSED_AFTER_DAYS = env.int("REMINDER_MISSED_AFTER_DAYS", default=14)
PLACEMENT_UNCONFIRMED_AFTER_DAYS = env.int("PLACEMENT_UNCONFIRMED_AFTER_DAYS", default=3)
REMINDER_SWEEP_INTERVAL_SECONDS = env.int("REMINDER_SWEEP_INTERVAL_SECONDS", default=300)
REMINDER_SWEEP_BATCH_SIZE = env.int("REMINDER_SWEEP_BATCH_SIZE", default=20_000)
EMAIL_IDS_PER_TASK = env.int("EMAIL_IDS_PER_TASK", default=500)
EMAIL_MAX_ATTEMPTS = env.int("EMAIL_MAX_ATTEMPTS", default=5)
EMAIL_RETRY_BACKOFF_SECONDS = env.int("EMAIL_RETRY_BACKOFF_SECONDS", default=60)  # doubles after each failure
# A pending e-mail handed to the broker this long ago and still not sent is handed over again.
EMAIL_REDRIVE_AFTER_SECONDS = env.int("EMAIL_REDRIVE_AFTER_SECONDS", default=600)

DAY = 24 * 60 * 60

# --- Celery (workers/) ------------------------------------------------------------------------------------
# Without CELERY_BROKER_URL the worker and the API share an embedded broker: kombu's filesystem transport,
# which needs no server (the development run on a bare machine).
BROKER_FOLDER = Path(env("CELERY_BROKER_FOLDER", default=str(BASE_DIR / ".broker")))
CELERY_BROKER_URL = env("CELERY_BROKER_URL", default="filesystem://localhost//")  # a host, or kombu warns
if CELERY_BROKER_URL.startswith("filesystem://"):
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(BROKER_FOLDER / "queue"),
        "data_folder_out": str(BROKER_FOLDER / "queue"),
        "control_folder": str(BROKER_FOLDER / "control"),
        "processed_folder": str(BROKER_FOLDER / "processed"),
        "store_processed": False,
    }
else:
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        # An unacknowledged message comes back after this long: longer than any task may run (time limits below),
        # so a slow task is never handed to a second worker while the first still works on it.
        "visibility_timeout": 3600,
        "socket_connect_timeout": 1,  # the API publishes after commit and must never hang on a dead broker
        "socket_timeout": 5,
    }
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_IGNORE_RESULT = True
CELERY_TIMEZONE = TIME_ZONE
CELERY_BROKER_CONNECTION_TIMEOUT = 2
# Tasks may run twice (they are idempotent by design); they must never be lost. A message is acknowledged only
# after its task finished, and a worker that dies mid-task hands it back.
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SOFT_TIME_LIMIT = 240
CELERY_TASK_TIME_LIMIT = 300
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# When a worker loses the broker, stop what it runs: the message comes back to some worker, which is safe because
# tasks are idempotent (Celery 6's default, set here so the behaviour doesn't change with the upgrade).
CELERY_WORKER_CANCEL_LONG_RUNNING_TASKS_ON_CONNECTION_LOSS = True
# What the (single) scheduler asks the workers to do, and how often (the tasks: notifications/tasks.py,
# pathways/tasks.py). A run nobody started within its interval is superseded by the next one: none pile up.
CELERY_BEAT_SCHEDULE = {
    "sweep-reminders": {
        "task": "werkpad.sweep_reminders",
        "schedule": REMINDER_SWEEP_INTERVAL_SECONDS,
        "options": {"expires": REMINDER_SWEEP_INTERVAL_SECONDS},
    },
    # Residents the retention rule (RETENTION_DAYS) has come for are anonymised once a day.
    "apply-retention": {"task": "werkpad.apply_retention", "schedule": DAY, "options": {"expires": DAY}},
}
# How the apps hand work to the workers (notifications.handover): tried once, never raising.
TASK_PUBLISHER = "workers.publish.publish"
BROKER_CHECK = "workers.publish.broker_reachable"  # asked by /health
CELERY_BEAT_SCHEDULE_FILENAME = env("CELERY_BEAT_SCHEDULE_FILENAME", default=str(BASE_DIR / "celerybeat-schedule"))

# --- Retention (issue 4) -------------------------------------------------------------------------------------
# `apply_retention` (daily) anonymises a resident this many days after their last pathway closed, unless one is
# open again. Two years: post-placement support (check-ins up to day 365) runs inside the pathway, so by closing
# it is over; after closing, the coalition still accounts to its funders (Regio Deal, NPLV) for the year the
# pathway closed in — the yearly report and its audit come in the following year — and a resident who returns
# in that time resumes their own file. Two years always spans the year of closing and a full year after it.
# Outcome figures stay right afterwards: the rows stay, only who they were about is gone.
RETENTION_DAYS = env.int("RETENTION_DAYS", default=2 * 365)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", default="INFO")},
    "loggers": {"django.request": {"level": "ERROR"}},
}
