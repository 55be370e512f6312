"""Casework settings, driven by environment variables with safe defaults.

Every variable is prefixed ``CASEWORK_``. Production deployments set at least
``CASEWORK_SECRET_KEY``, ``CASEWORK_DATABASE_URL`` and ``CASEWORK_ALLOWED_HOSTS``.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path
from typing import Any

import dj_database_url


def _env(name: str, default: str = "") -> str:
    return os.environ.get(f"CASEWORK_{name}", default)


def _env_bool(name: str, default: bool) -> bool:
    raw = _env(name)
    if not raw:
        return default
    return raw.strip().lower() in {"1", "true", "yes", "on"}


def _env_int(name: str, default: int) -> int:
    raw = _env(name)
    return int(raw) if raw else default


def _env_list(name: str, default: str) -> list[str]:
    return [item.strip() for item in _env(name, default).split(",") if item.strip()]


PACKAGE_DIR = Path(__file__).resolve().parent
DATA_DIR = Path(_env("DATA_DIR", str(Path.cwd() / "var"))).resolve()
DATA_DIR.mkdir(parents=True, exist_ok=True)


def _secret_key() -> str:
    """Use CASEWORK_SECRET_KEY, or a random key kept in the data directory.

    A generated key is stable across restarts (sessions survive) without ever
    being committed or shared between installations.
    """
    configured = _env("SECRET_KEY")
    if configured:
        return configured
    key_file = DATA_DIR / "secret_key"
    if not key_file.exists():
        key_file.write_text(secrets.token_urlsafe(50))
        key_file.chmod(0o600)
    return key_file.read_text().strip()


SECRET_KEY = _secret_key()
DEBUG = _env_bool("DEBUG", False)
ALLOWED_HOSTS = _env_list("ALLOWED_HOSTS", "127.0.0.1,localhost,[::1]")
CSRF_TRUSTED_ORIGINS = _env_list("CSRF_TRUSTED_ORIGINS", "")

INSTALLED_APPS = [
    "casework.core",
    "casework.clients",
    "casework.intake",
    "casework.assessments",
    "casework.plans",
    "casework.notes",
    "casework.monitoring",
    "casework.consent",
    "casework.confidentiality",
    "casework.resources",
    "casework.referrals",
    "casework.site",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django_htmx",
    "django_tasks",
    "django_tasks_db",
    "ninja",
    "csp",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "casework.core.middleware.RequestContextMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "casework.core.middleware.IdleTimeoutMiddleware",
    "casework.core.middleware.TwoFactorRequiredMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "csp.middleware.CSPMiddleware",
    "casework.core.middleware.PermissionsPolicyMiddleware",
]

ROOT_URLCONF = "casework.urls"
WSGI_APPLICATION = "casework.wsgi.application"
ASGI_APPLICATION = "casework.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [PACKAGE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "casework.site.context_processors.navigation",
                "casework.confidentiality.context_processors.break_glass",
            ],
        },
    },
]

# --- Database -----------------------------------------------------------------
DATABASE_URL = _env("DATABASE_URL") or f"sqlite:///{DATA_DIR / 'casework.sqlite3'}"
_db: dict[str, Any] = dict(dj_database_url.parse(DATABASE_URL, conn_max_age=60))
if _db["ENGINE"] == "django.db.backends.sqlite3":
    _db["CONN_MAX_AGE"] = 0
    _db["OPTIONS"] = {
        # IMMEDIATE avoids lock upgrades failing mid-transaction under concurrent writers.
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": (
            "PRAGMA journal_mode=WAL;"
            "PRAGMA synchronous=NORMAL;"
            "PRAGMA foreign_keys=ON;"
            "PRAGMA busy_timeout=20000;"
            "PRAGMA cache_size=-64000;"
        ),
    }
    _db["TEST"] = {"NAME": _env("TEST_SQLITE_NAME", "") or None}
elif _db["ENGINE"] == "django.db.backends.postgresql":
    _db["CONN_HEALTH_CHECKS"] = True
    _db.setdefault("OPTIONS", {})
DATABASES = {"default": _db}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Authentication -----------------------------------------------------------
AUTH_USER_MODEL = "core.User"
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "sign-in"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "sign-in"

# Sign-in throttling: lock an account after this many failures inside the window,
# and slow down an address that fails this often across accounts.
CASEWORK_LOGIN_MAX_FAILURES = _env_int("LOGIN_MAX_FAILURES", 5)
CASEWORK_LOGIN_IP_MAX_FAILURES = _env_int("LOGIN_IP_MAX_FAILURES", 30)
CASEWORK_LOGIN_WINDOW_MINUTES = _env_int("LOGIN_WINDOW_MINUTES", 15)
CASEWORK_LOGIN_LOCKOUT_MINUTES = _env_int("LOGIN_LOCKOUT_MINUTES", 15)

# Idle timeout signs a person out after this many minutes without a request;
# the session cookie itself lasts at most one working day.
CASEWORK_IDLE_TIMEOUT_MINUTES = _env_int("IDLE_TIMEOUT_MINUTES", 30)
SESSION_COOKIE_AGE = 12 * 60 * 60
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
SECURE_COOKIES = _env_bool("SECURE_COOKIES", not DEBUG and _env_bool("HTTPS", False))
SESSION_COOKIE_SECURE = SECURE_COOKIES
CSRF_COOKIE_SECURE = SECURE_COOKIES
SESSION_COOKIE_NAME = "casework_session"
CSRF_COOKIE_NAME = "casework_csrftoken"

# --- Security headers ---------------------------------------------------------
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
if _env_bool("HTTPS", False):
    SECURE_SSL_REDIRECT = True
    SECURE_HSTS_SECONDS = 31536000
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

from csp.constants import NONE, SELF  # noqa: E402

CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF],
        "font-src": [SELF],
        "connect-src": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
        "base-uri": [SELF],
        "object-src": [NONE],
    },
}

# --- Internationalisation -----------------------------------------------------
LANGUAGE_CODE = "en"
LANGUAGES = [("en", "English"), ("es", "Español")]
LOCALE_PATHS = [PACKAGE_DIR / "locale"]
TIME_ZONE = _env("TIME_ZONE", "America/New_York")
USE_I18N = True
# Our English time formats ("11:54 AM"): see casework/core/formats.
FORMAT_MODULE_PATH = ["casework.core.formats"]
USE_TZ = True

# --- Static files ---------------------------------------------------------------
STATIC_URL = "/static/"
STATICFILES_DIRS = [PACKAGE_DIR / "static"]
STATIC_ROOT = DATA_DIR / "static"
STATIC_ROOT.mkdir(exist_ok=True)
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG or _env_bool("TESTING", False)
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}
MEDIA_ROOT = DATA_DIR / "media"
WHITENOISE_USE_FINDERS = DEBUG or _env_bool("TESTING", False)

# --- Email ----------------------------------------------------------------------
EMAIL_BACKEND = _env("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = _env("FROM_EMAIL", "casework@localhost")

# --- Background work --------------------------------------------------------------
TASKS = {
    "default": {
        "BACKEND": _env("TASKS_BACKEND", "django_tasks_db.DatabaseBackend"),
    }
}

# --- Logging: never personal data; events go to the audit log, not here. ----------
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": _env("LOG_LEVEL", "INFO")},
    "loggers": {
        # Request logs carry URLs only; Casework never puts personal data in a URL.
        "django.db.backends": {"level": "WARNING"},
    },
}

CASEWORK_PAGE_SIZE = 25
# Largest file a note attachment may be, in megabytes.
CASEWORK_MAX_UPLOAD_MB = _env_int("MAX_UPLOAD_MB", 20)
# How long a break-glass grant (emergency access to a record) lasts, in hours.
CASEWORK_BREAK_GLASS_HOURS = _env_int("BREAK_GLASS_HOURS", 4)
# How long a provider's secure link to one referral works, in days.
CASEWORK_REFERRAL_LINK_DAYS = _env_int("REFERRAL_LINK_DAYS", 30)
# A network address that opens this many referral links that do not work is turned away
# for the rest of this many minutes (counted in the cache: per process with the default
# local-memory cache).
CASEWORK_REFERRAL_LINK_MAX_MISSES = _env_int("REFERRAL_LINK_MAX_MISSES", 20)
CASEWORK_REFERRAL_LINK_MISS_MINUTES = _env_int("REFERRAL_LINK_MISS_MINUTES", 15)
