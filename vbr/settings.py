"""VBR settings: one file, driven by the environment (see .env.example).

With nothing set this is the embedded demo: SQLite in the project folder and Celery tasks
run in-process. DATABASE_URL (or POSTGRES_*) selects PostgreSQL; REDIS_URL selects the
Celery broker.
"""

import os
from pathlib import Path

import dj_database_url
import django_stubs_ext
from celery.schedules import crontab
from django.core.exceptions import ImproperlyConfigured

# Generic Django classes (ModelAdmin[Role], QuerySet[Application]) as the type checker
# knows them, subscriptable at run time too.
django_stubs_ext.monkeypatch()

BASE_DIR = Path(__file__).resolve().parent.parent


def env(name: str, default: str = "") -> str:
    return os.environ.get(name, default)


TRUE_WORDS = ("true", "1", "yes", "on")
FALSE_WORDS = ("false", "0", "no", "off")


def env_bool(name: str, default: bool = False) -> bool:
    """A yes/no setting; unset or empty means `default`. Any other word stops start-up: a
    typo (`flase`) must never quietly choose for us, least of all for a security switch."""
    value = os.environ.get(name, "").strip().lower()
    if not value:
        return default
    if value in TRUE_WORDS:
        return True
    if value in FALSE_WORDS:
        return False
    raise ImproperlyConfigured(
        f"{name}={os.environ[name]!r} is not a yes/no value: set it to true or false "
        f"(also understood: {', '.join(TRUE_WORDS[1:] + FALSE_WORDS[1:])}), or leave it unset "
        f"for the default ({'true' if default else 'false'})."
    )


def env_int(name: str, default: int, *, minimum: int = 0) -> int:
    """A whole-number setting; unset or empty means `default`. Anything else that is not a
    whole number of at least `minimum` stops start-up, naming the variable."""
    value = os.environ.get(name, "").strip()
    if not value:
        return default
    try:
        number = int(value)
    except ValueError:
        number = None
    if number is None or number < minimum:
        raise ImproperlyConfigured(
            f"{name}={os.environ[name]!r} is not a whole number of at least {minimum}: "
            f"set it to one, or leave it unset for the default ({default})."
        )
    return number


def env_list(name: str, default: str = "") -> list[str]:
    return [part.strip() for part in env(name, default).split(",") if part.strip()]


DEBUG = env_bool("DEBUG", False)

# A fixed development key is acceptable only because `check --deploy` rejects it and
# production settings always pass SECRET_KEY.
SECRET_KEY = env("SECRET_KEY") or "django-insecure-development-only-key-do-not-use-in-production"

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "localhost,127.0.0.1,[::1],testserver")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "crispy_forms",
    "crispy_bootstrap5",
    "django_htmx",
    "vbr.accounts",
    "vbr.recruitment",
    "vbr.reports",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "vbr.privacy",
    "vbr.applicants",
    "vbr.compliance",
    "vbr.involvement",
    "vbr.pa",
    "vbr.devtools",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "vbr.accounts.backends.ProviderInAddressMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "vbr.accounts.middleware.LinkScopeMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "vbr.accounts.twofactor.TwoFactorMiddleware",
    "vbr.accounts.resilience.DatabaseUnavailableMiddleware",
    # Axes last, as its documentation asks: it turns a lockout into the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "vbr.urls"
WSGI_APPLICATION = "vbr.wsgi.application"

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
                "vbr.accounts.context_processors.provider_context",
            ],
        },
    }
]

# Database: DATABASE_URL, else POSTGRES_* when POSTGRES_HOST is set, else embedded SQLite.
CONN_MAX_AGE = env_int("CONN_MAX_AGE", 60)
if env("DATABASE_URL"):
    DATABASES = {
        "default": dj_database_url.parse(
            env("DATABASE_URL"), conn_max_age=CONN_MAX_AGE, conn_health_checks=True
        )
    }
elif env("POSTGRES_HOST"):
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.postgresql",
            "HOST": env("POSTGRES_HOST"),
            "PORT": env("POSTGRES_PORT", "5432"),
            "NAME": env("POSTGRES_DB", "vbr"),
            "USER": env("POSTGRES_USER", "vbr"),
            "PASSWORD": env("POSTGRES_PASSWORD"),
            "CONN_MAX_AGE": CONN_MAX_AGE,
            "CONN_HEALTH_CHECKS": True,
        }
    }
else:
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": str(BASE_DIR / "db.sqlite3"),
        }
    }
DATABASES["default"]["ATOMIC_REQUESTS"] = False
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # No JIT: it compiles for 300 ms before a dashboard query that then runs in 150 ms
    # (see BENCHMARKS.md). Short web queries never repay the compile time.
    # random_page_cost 1.1 (the default 4 assumes spinning disks): the pages' working set is
    # in memory, and with the default the planner preferred scanning every assessment to
    # 1,500 index look-ups for "waiting for a decision" (30 ms instead of 7).
    DATABASES["default"].setdefault("OPTIONS", {}).setdefault(
        "options", "-c jit=off -c random_page_cost=1.1"
    )
    # Prepared statements: a page's queries are the same few statements again and again on
    # a connection kept for CONN_MAX_AGE, and PostgreSQL spent more time planning them than
    # running them (an application page waited 6 ms on 14 queries; prepared, under 2; see
    # BENCHMARKS.md). Parameters are then sent apart from the SQL (server-side binding),
    # and a statement is prepared on its DB_PREPARE_THRESHOLD-th run on a connection.
    # 0 turns it off: needed behind a pooler in transaction mode, which cannot keep a
    # connection's prepared statements.
    DB_PREPARE_THRESHOLD = env_int("DB_PREPARE_THRESHOLD", 5)
    if DB_PREPARE_THRESHOLD:
        DATABASES["default"]["OPTIONS"].setdefault("server_side_binding", True)
        DATABASES["default"]["OPTIONS"].setdefault("prepare_threshold", DB_PREPARE_THRESHOLD)
else:
    # A few indexes carry extra columns so that PostgreSQL answers from them alone; SQLite
    # (the embedded demo) builds them as plain indexes, which is all it needs.
    SILENCED_SYSTEM_CHECKS = ["models.W040"]
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 10},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# Argon2 first: new and re-hashed passwords use it; older hashes still verify and upgrade.
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2SHA1PasswordHasher",
    "django.contrib.auth.hashers.ScryptPasswordHasher",
]
# Axes checks every password sign-in first, then the normal backend does the work.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    # Django's own, reading the member's membership with them on provider pages.
    "vbr.accounts.backends.MemberBackend",
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "Europe/London"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = Path(env("STATIC_ROOT", str(BASE_DIR / "staticfiles")))
MEDIA_ROOT = Path(env("MEDIA_ROOT", str(BASE_DIR / "media")))
# No MEDIA_URL route is ever served: generated files go out through permission-checked views.
MEDIA_URL = "/media-not-served/"
# Uploaded and generated files: on local disk in MEDIA_ROOT (the embedded default), or in an
# S3-compatible object store when S3_BUCKET is set, so that web and workers on different
# hosts share them. Either way no URL serves them: they go out only through checked views.
S3_BUCKET = env("S3_BUCKET")
S3_ENDPOINT_URL = env("S3_ENDPOINT_URL")
if S3_BUCKET:
    FILE_STORAGE: dict[str, object] = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": S3_BUCKET,
            "endpoint_url": S3_ENDPOINT_URL or None,
            "region_name": env("S3_REGION") or None,
            # Unset: boto3 looks for keys itself (AWS_* variables, the host's role).
            "access_key": env("S3_ACCESS_KEY") or None,
            "secret_key": env("S3_SECRET_KEY") or None,
            # Stores other than Amazon's are usually reached by path, not a host per bucket.
            "addressing_style": "path" if S3_ENDPOINT_URL else None,
            # As on local disk, a file never replaces another of the same name.
            "file_overwrite": False,
            # Private objects (the bucket's own policy); the views stream them.
            "default_acl": None,
            # A download past 10 MB (a large export) is buffered on disk, not in memory.
            "max_memory_size": 10 * 1024 * 1024,
        },
    }
else:
    FILE_STORAGE = {"BACKEND": "django.core.files.storage.FileSystemStorage"}
STORAGES = {
    "default": FILE_STORAGE,
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}
# Serve static files without collectstatic when DEBUG (the demo) and in tests.
WHITENOISE_USE_FINDERS = DEBUG

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

# Celery. Without REDIS_URL, tasks run in-process: only for the one-command demo.
REDIS_URL = env("REDIS_URL")
CELERY_BROKER_URL = REDIS_URL or "memory://"
CELERY_RESULT_BACKEND = REDIS_URL or None
CELERY_TASK_ALWAYS_EAGER = not REDIS_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# max_retries/interval_*: a web request sending a task to a dead broker gives up within a
# second (the job row stays queued for the sweep) instead of hanging the page.
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": 3600,
    "max_retries": 1,
    "interval_start": 0,
    "interval_step": 0.5,
}
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TIMEZONE = TIME_ZONE

# Security. Secure by default: with DEBUG off, VBR is served over HTTPS through a proxy that
# terminates TLS (deploy/Caddyfile), so secure cookies, HSTS and the redirect to HTTPS are on.
# SECURE_SSL=false turns them off on purpose, only where no HTTPS stands in front.
SECURE_SSL = env_bool("SECURE_SSL", not DEBUG)
SESSION_COOKIE_SECURE = SECURE_SSL
CSRF_COOKIE_SECURE = SECURE_SSL
SECURE_SSL_REDIRECT = SECURE_SSL
SECURE_HSTS_SECONDS = 31536000 if SECURE_SSL else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = SECURE_SSL
SECURE_HSTS_PRELOAD = SECURE_SSL
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if SECURE_SSL else None
SECURE_REFERRER_POLICY = "same-origin"
SESSION_COOKIE_HTTPONLY = True
# No script of ours reads the CSRF cookie: forms carry the token, and htmx gets it from the
# page (hx-headers on <body> in base.html). So scripts may not read the cookie either.
CSRF_COOKIE_HTTPONLY = True
SESSION_COOKIE_AGE = 60 * 60 * 8
X_FRAME_OPTIONS = "DENY"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": "WARNING"},
    "loggers": {
        "vbr": {"handlers": ["console"], "level": env("LOG_LEVEL", "INFO"), "propagate": False}
    },
}

# Panel members' invitation links: days before a link stops working.
VBR_INVITATION_DAYS = env_int("VBR_INVITATION_DAYS", 14, minimum=1)

# Email (invitation links). Without EMAIL_HOST, emails are printed to the console (demo).
EMAIL_HOST = env("EMAIL_HOST")
EMAIL_BACKEND = (
    "django.core.mail.backends.smtp.EmailBackend"
    if EMAIL_HOST
    else "django.core.mail.backends.console.EmailBackend"
)
EMAIL_PORT = env_int("EMAIL_PORT", 587, minimum=1)
EMAIL_HOST_USER = env("EMAIL_HOST_USER")
EMAIL_HOST_PASSWORD = env("EMAIL_HOST_PASSWORD")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", True)
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", "VBR <no-reply@localhost>")
# Emails are sent by the Celery worker from an outbox (vbr/accounts/mail.py), never inside a
# request. A mail server that does not answer within EMAIL_TIMEOUT seconds counts as failed;
# the worker tries again after EMAIL_RETRY_SECONDS, doubling each time, and gives up after
# EMAIL_MAX_ATTEMPTS (the invitations page then says so). The sweep hands on again an email
# whose attempt is overdue by EMAIL_SWEEP_GRACE_SECONDS (the broker lost it, or was down).
EMAIL_TIMEOUT = env_int("EMAIL_TIMEOUT", 10, minimum=1)
EMAIL_RETRY_SECONDS = env_int("EMAIL_RETRY_SECONDS", 60, minimum=1)
EMAIL_MAX_ATTEMPTS = 5
EMAIL_SWEEP_GRACE_SECONDS = 60

# Notices to candidates (vbr/applicants/notices.py): email as above, text messages through
# SMS_BACKEND: the console in the demo and tests, or GOV.UK Notify
# ("vbr.applicants.sms.NotifySmsBackend", with NOTIFY_API_KEY and a Notify template whose
# whole text is ((body)), NOTIFY_SMS_TEMPLATE_ID). Failed attempts are retried like emails.
SMS_BACKEND = env("SMS_BACKEND", "vbr.applicants.sms.ConsoleSmsBackend")
NOTIFY_API_KEY = env("NOTIFY_API_KEY")
NOTIFY_SMS_TEMPLATE_ID = env("NOTIFY_SMS_TEMPLATE_ID")
NOTIFY_BASE_URL = env("NOTIFY_BASE_URL", "https://api.notifications.service.gov.uk")
SMS_TIMEOUT = env_int("SMS_TIMEOUT", 10, minimum=1)
NOTICE_RETRY_SECONDS = env_int("NOTICE_RETRY_SECONDS", EMAIL_RETRY_SECONDS, minimum=1)
NOTICE_MAX_ATTEMPTS = 5

# A shared cache (limits on guessing invitation codes must hold across web processes; cached
# reports are then shared too). Without it each process keeps its own reports: still never
# stale, as the reports version that keys them is read from the database.
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "vbr",
        }
    }
# Sessions: read from that shared cache and kept in the database (vbr/accounts/sessions.py),
# so a signed-in page reads no session row. Without a shared cache, from the database only.
SESSION_ENGINE = "vbr.accounts.sessions" if REDIS_URL else "django.contrib.sessions.backends.db"
# PDF candidate summaries: rendered on their own queue, with time limits; WeasyPrint's memory
# grows with each render, so worker processes are replaced after a number of tasks.
PDF_QUEUE = "pdf"
# Emails have a queue of their own too, so that an invitation never waits behind exports.
MAIL_QUEUE = "mail"
CELERY_TASK_ROUTES = {
    "vbr.recruitment.tasks.render_summary": {"queue": PDF_QUEUE},
    "vbr.compliance.render_file_pdf": {"queue": PDF_QUEUE},
    "vbr.accounts.deliver_email": {"queue": MAIL_QUEUE},
    "vbr.applicants.deliver_notice": {"queue": MAIL_QUEUE},
}
CELERY_WORKER_MAX_TASKS_PER_CHILD = 100
SUMMARY_SOFT_TIME_LIMIT = 60
SUMMARY_TIME_LIMIT = 90
# The sweep sends again jobs queued (or never sent) for longer than this, puts back jobs
# whose worker died (vbr/leases.py), and gives up on a job after this many attempts.
SUMMARY_RESEND_AFTER_SECONDS = 30
SUMMARY_MAX_ATTEMPTS = 3
# Background jobs (PDF summaries, large exports): a worker renews its lease on a job every
# JOB_HEARTBEAT_SECONDS; a job without news for JOB_LEASE_SECONDS has lost its worker and is
# taken over. The sweeps run every JOB_SWEEP_SECONDS, so that a job whose worker was killed
# is made again within half a minute.
JOB_HEARTBEAT_SECONDS = 4
JOB_LEASE_SECONDS = 12
JOB_SWEEP_SECONDS = 10.0
# Large exports and the report pack: made on the default queue, with time limits; the same
# outbox and sweep as PDF summaries (vbr/reports/export_jobs.py).
EXPORT_QUEUE = "celery"
EXPORT_SOFT_TIME_LIMIT = 600
EXPORT_TIME_LIMIT = 660
EXPORT_RESEND_AFTER_SECONDS = 60
EXPORT_MAX_ATTEMPTS = 3
CELERY_BEAT_SCHEDULE = {
    # Reminders to referees who have not answered (vbr/compliance/references.py).
    "chase-references": {
        "task": "vbr.compliance.chase_references",
        "schedule": 6 * 60 * 60.0,
    },
    # Registration, right-to-work and renewal deadlines after a start (compliance).
    "remind-deadlines": {
        "task": "vbr.compliance.remind_deadlines",
        "schedule": 24 * 60 * 60.0,
    },
    "sweep-file-pdfs": {
        "task": "vbr.compliance.sweep_file_pdfs",
        "schedule": JOB_SWEEP_SECONDS,
    },
    "anonymise-leavers": {
        "task": "vbr.compliance.anonymise_leavers",
        "schedule": 24 * 60 * 60.0,
    },
    "sweep-outbox": {
        "task": "vbr.accounts.sweep_outbox",
        "schedule": 60.0,
    },
    "sweep-notices": {
        "task": "vbr.applicants.sweep_notices",
        "schedule": 60.0,
    },
    "remind-candidates": {
        "task": "vbr.applicants.send_reminders",
        "schedule": crontab(minute=5),
    },
    # Daily: applications saved to finish later and never sent are deleted in time.
    "delete-expired-drafts": {
        "task": "vbr.applicants.delete_expired_drafts",
        "schedule": crontab(hour=3, minute=10),
    },
    # Panel members: tomorrow's assessments, and scorecards still open after the provider's
    # hours (vbr/applicants/panel_messages.py).
    "remind-panels": {
        "task": "vbr.applicants.remind_panels",
        "schedule": crontab(minute=20),
    },
    # Every morning: chairs and hiring managers get the list of scorecards still open.
    "send-overdue-digests": {
        "task": "vbr.applicants.send_overdue_digests",
        "schedule": crontab(hour=7, minute=30),
    },
    "sweep-summary-jobs": {
        "task": "vbr.recruitment.tasks.sweep_summary_jobs",
        "schedule": JOB_SWEEP_SECONDS,
    },
    "sweep-export-jobs": {
        "task": "vbr.reports.sweep_export_jobs",
        "schedule": JOB_SWEEP_SECONDS,
    },
    # Reports rebuilt after a change (vbr/reports/rebuilds.py): the same outbox and leases.
    "sweep-report-rebuilds": {
        "task": "vbr.reports.sweep_report_rebuilds",
        "schedule": JOB_SWEEP_SECONDS,
    },
    # Daily: admins are reminded of panel members' payments due soon or overdue.
    "remind-unpaid-involvement": {
        "task": "vbr.recruitment.remind_unpaid_involvement",
        "schedule": crontab(hour=8, minute=15),
    },
    # Nightly: anonymise unsuccessful candidates past their provider's retention period.
    "anonymise-expired-candidates": {
        "task": "vbr.privacy.anonymise_expired_candidates",
        "schedule": crontab(hour=2, minute=30),
    },
}

# Shared computers in care homes: a session ends when the browser closes, and after
# SESSION_COOKIE_AGE at the latest.
SESSION_EXPIRE_AT_BROWSER_CLOSE = True

# Brute-force protection (django-axes). A care home's staff share one public address, so
# a lockout is for one username *from* one address: colleagues are never locked out by it.
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_FAILURE_LIMIT = 5
AXES_COOLOFF_TIME = 0.25  # hours: 15 minutes
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_CLIENT_IP_CALLABLE = "vbr.accounts.lockout.client_address"
# How many proxies in front of the app append to X-Forwarded-For (deploy/Caddyfile: one, the
# HTTPS proxy). The password lockout and the limits on guessing panel codes count the address
# the outermost of them saw (vbr.accounts.lockout.client_address).
VBR_TRUSTED_PROXIES = env_int("VBR_TRUSTED_PROXIES", 1 if SECURE_SSL else 0)
AXES_USERNAME_CALLABLE = "vbr.accounts.lockout.attempt_username"

# Two-factor sign-in (TOTP, django-otp). Provider admins and operator staff must set it up;
# the one-command demo turns the requirement off so that its logins work straight away.
VBR_REQUIRE_ADMIN_2FA = env_bool("VBR_REQUIRE_ADMIN_2FA", True)
OTP_TOTP_ISSUER = "VBR"
# Backup codes (django-otp static tokens) are not listed in the Django admin: the operator
# resets two-factor sign-in there instead (an audited action on users).
OTP_ADMIN_HIDE_SENSITIVE_DATA = True

# Content-Security-Policy (django-csp 4): no inline scripts or styles anywhere.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
        "base-uri": ["'none'"],
        "object-src": ["'none'"],
    }
}
