"""Settings, read from the environment and failing loudly.

DATABASE_URL   where the data lives (default: SQLite under ./var/)
SECRET_KEY     required unless DEBUG is on
DEBUG          "1" for development and the demo
ALLOWED_HOSTS  comma-separated host names
HTTPS (SECURE_SSL_REDIRECT, SECURE_HSTS_*, TRELLIS_PROXY_SSL_HEADER): see docs/operators.md
Single sign-on (OIDC_*, SAML_*, SSO_CREATE_USER, PASSWORD_SIGN_IN): see docs/operators.md
LTI 1.3 (LTI_IFRAME, LTI_TIMEOUT): see docs/operators.md
"""

from __future__ import annotations

import os
from pathlib import Path
from urllib.parse import urlsplit

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent
PROJECT_DIR = BASE_DIR.parent
VAR_DIR = Path(os.environ.get("TRELLIS_VAR_DIR", PROJECT_DIR / "var"))


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    if value.lower() in {"1", "true", "yes", "on"}:
        return True
    if value.lower() in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(f"{name} must be a boolean (1/0, true/false), not {value!r}")


def env_list(name: str, default: str = "") -> list[str]:
    return [part.strip() for part in os.environ.get(name, default).split(",") if part.strip()]


DEBUG = env_bool("DEBUG")
SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "SECRET_KEY is required when DEBUG is off (set DEBUG=1 for development)"
        )
    SECRET_KEY = "insecure-development-key-do-not-use-in-production"  # noqa: S105 (DEBUG only)
elif not DEBUG and (
    len(SECRET_KEY) < 50 or len(set(SECRET_KEY)) < 5 or SECRET_KEY.startswith("django-insecure-")
):
    # Django's check security.W009 only warns; a guessable key signs anyone's session.
    raise ImproperlyConfigured(
        "SECRET_KEY is too weak: it needs at least 50 characters, 5 of them different, and "
        "must not start with 'django-insecure-' (e.g. python3 -c 'import secrets; "
        "print(secrets.token_urlsafe(50))')"
    )

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost" if DEBUG else "")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")
# The address people reach Trellis at, for links in e-mails (no trailing slash).
SITE_URL = os.environ.get("SITE_URL", "http://127.0.0.1:8000" if DEBUG else "").rstrip("/")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "drf_spectacular",
    "csp",
    "djangosaml2",
    "trellis.people",
    "trellis.audit",
    "trellis.frameworks",
    "trellis.curriculum",
    "trellis.scheduling",
    "trellis.assessments",
    "trellis.records",
    "trellis.reports",
    "trellis.plans",
    "trellis.educators",
    "trellis.committees",
    "trellis.api",
    "trellis.connect",
    "trellis.connect.xapi",
    "trellis.demo",
    "trellis.ops",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    # SAML's own session (its own cookie), which carries a sign-in's request id across the
    # provider's cross-site POST back; untouched unless a SAML page uses it.
    "djangosaml2.middleware.SamlSessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "trellis.lib.middleware.RefuseNulMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "trellis.people.sessions.SessionTimeoutMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    # Below both: a session an LTI launch began may be framed by its LMS (connect/lti/).
    "trellis.connect.lti.middleware.LtiFrameMiddleware",
]

ROOT_URLCONF = "trellis.urls"
WSGI_APPLICATION = "trellis.wsgi.application"

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
                "trellis.connect.sso.views.sign_in_options",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{VAR_DIR / 'trellis.sqlite3'}",
        conn_max_age=int(os.environ.get("DB_CONN_MAX_AGE", "60")),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    Path(DATABASES["default"]["NAME"]).parent.mkdir(parents=True, exist_ok=True)
    DATABASES["default"].setdefault("OPTIONS", {})
    DATABASES["default"]["OPTIONS"].update({"transaction_mode": "IMMEDIATE", "timeout": 20})
    DATABASES["default"]["CONN_MAX_AGE"] = 0

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "people.User"
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"
# Sign-in limits (trellis/people/auth.py, docs/operators.md): failures allowed per account
# from one address, and per address across accounts, within the window; after the
# per-account limit each further check of that account waits, up to the maximum delay.
LOGIN_FAILURE_LIMIT = int(os.environ.get("LOGIN_FAILURE_LIMIT", "5"))
LOGIN_ADDRESS_FAILURE_LIMIT = int(os.environ.get("LOGIN_ADDRESS_FAILURE_LIMIT", "20"))
LOGIN_FAILURE_WINDOW_MINUTES = int(os.environ.get("LOGIN_FAILURE_WINDOW_MINUTES", "15"))
LOGIN_THROTTLE_MAX_SECONDS = int(os.environ.get("LOGIN_THROTTLE_MAX_SECONDS", "300"))
# Reverse proxies in front of Trellis that append to X-Forwarded-For (0: none, use the
# connection's address). Set it to the real number, or limits count the proxy's address.
TRELLIS_PROXY_COUNT = int(os.environ.get("TRELLIS_PROXY_COUNT", "0"))
# Sessions end after this long without a request, and in any case this long after
# sign-in (a shift); API tokens expire after their lifetime (chosen at creation).
SESSION_IDLE_MINUTES = int(os.environ.get("SESSION_IDLE_MINUTES", "120"))
SESSION_MAX_HOURS = int(os.environ.get("SESSION_MAX_HOURS", "12"))
SESSION_COOKIE_AGE = SESSION_MAX_HOURS * 3600
API_TOKEN_DEFAULT_DAYS = int(os.environ.get("API_TOKEN_DEFAULT_DAYS", "90"))
API_TOKEN_MAX_DAYS = int(os.environ.get("API_TOKEN_MAX_DAYS", "365"))
# Single sign-on with OpenID Connect (docs/operators.md, trellis/connect/sso/). Off unless
# OIDC_RP_CLIENT_ID is set; the endpoints come from OIDC_ISSUER's discovery document, each
# overridable (OIDC_OP_*). People are matched by e-mail to existing accounts.
# xAPI: the learning record store assessments are sent to and statements read from
# (`trellis xapi send|import`, docs/operators.md). Empty: no LRS.
XAPI_LRS_ENDPOINT = os.environ.get("XAPI_LRS_ENDPOINT", "")
XAPI_LRS_USERNAME = os.environ.get("XAPI_LRS_USERNAME", "")
XAPI_LRS_PASSWORD = os.environ.get("XAPI_LRS_PASSWORD", "")
XAPI_IMPORT_OVERLAP_DAYS = float(os.environ.get("XAPI_IMPORT_OVERLAP_DAYS", "30"))

OIDC_RP_CLIENT_ID = os.environ.get("OIDC_RP_CLIENT_ID", "")
OIDC_RP_CLIENT_SECRET = os.environ.get("OIDC_RP_CLIENT_SECRET", "")
OIDC_ISSUER = os.environ.get("OIDC_ISSUER", "")
OIDC_OP_AUTHORIZATION_ENDPOINT = os.environ.get("OIDC_OP_AUTHORIZATION_ENDPOINT", "")
OIDC_OP_TOKEN_ENDPOINT = os.environ.get("OIDC_OP_TOKEN_ENDPOINT", "")
OIDC_OP_USER_ENDPOINT = os.environ.get("OIDC_OP_USER_ENDPOINT", "")
OIDC_OP_JWKS_ENDPOINT = os.environ.get("OIDC_OP_JWKS_ENDPOINT", "")
OIDC_OP_END_SESSION_ENDPOINT = os.environ.get("OIDC_OP_END_SESSION_ENDPOINT", "")
OIDC_RP_SCOPES = os.environ.get("OIDC_RP_SCOPES", "openid email profile")
OIDC_RP_SIGN_ALGO = os.environ.get("OIDC_RP_SIGN_ALGO", "RS256")
OIDC_EMAIL_CLAIM = os.environ.get("OIDC_EMAIL_CLAIM", "email")
OIDC_PROVIDER_NAME = os.environ.get("OIDC_PROVIDER_NAME", "your institution")
OIDC_TIMEOUT = int(os.environ.get("OIDC_TIMEOUT", "10"))
# mozilla-django-oidc's own names: keep the id_token for the provider's sign-out, and ask
# the provider to end its session too where it offers an end_session_endpoint.
OIDC_STORE_ID_TOKEN = True
OIDC_OP_LOGOUT_URL_METHOD = "trellis.connect.sso.views.provider_logout_url"
if OIDC_RP_CLIENT_ID:
    if not (OIDC_ISSUER or (OIDC_OP_AUTHORIZATION_ENDPOINT and OIDC_OP_TOKEN_ENDPOINT)):
        raise ImproperlyConfigured(
            "OIDC_RP_CLIENT_ID is set: set OIDC_ISSUER too (or OIDC_OP_AUTHORIZATION_ENDPOINT, "
            "OIDC_OP_TOKEN_ENDPOINT and OIDC_OP_JWKS_ENDPOINT)"
        )
    if not OIDC_RP_CLIENT_SECRET:
        raise ImproperlyConfigured("OIDC_RP_CLIENT_ID is set: set OIDC_RP_CLIENT_SECRET too")
    if OIDC_RP_SIGN_ALGO[:2] in {"RS", "ES", "PS"} and not (OIDC_ISSUER or OIDC_OP_JWKS_ENDPOINT):
        raise ImproperlyConfigured(
            f"OIDC_RP_SIGN_ALGO {OIDC_RP_SIGN_ALGO} checks id_tokens with the provider's keys: "
            "set OIDC_ISSUER or OIDC_OP_JWKS_ENDPOINT"
        )
# Single sign-on with SAML 2.0 (docs/operators.md, trellis/connect/sso/saml/), Trellis the
# service provider. Off unless SAML_IDP_METADATA_URL is set; then Trellis's key and
# certificate are required (it signs its requests, and encrypted assertions are for it).
SAML_IDP_METADATA_URL = os.environ.get("SAML_IDP_METADATA_URL", "")
SAML_SP_ENTITY_ID = os.environ.get("SAML_SP_ENTITY_ID", f"{SITE_URL}/sso/saml/metadata/")
SAML_SP_KEY_FILE = os.environ.get("SAML_SP_KEY_FILE", "")
SAML_SP_CERT_FILE = os.environ.get("SAML_SP_CERT_FILE", "")
SAML_EMAIL_ATTRIBUTE = os.environ.get("SAML_EMAIL_ATTRIBUTE", "mail")
SAML_PROVIDER_NAME = os.environ.get("SAML_PROVIDER_NAME", "your institution")
SAML_TIMEOUT = int(os.environ.get("SAML_TIMEOUT", "10"))
# djangosaml2's own names: pysaml2's configuration from the settings above, requests sent
# by redirect, no CSP change of its own (no auto-posting forms), and a sign-out that ends
# here whatever the provider answers.
SAML_CONFIG_LOADER = "trellis.connect.sso.saml.config.sp_config"
SAML_DEFAULT_BINDING = "urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect"
SAML_CSP_HANDLER = ""
SAML_IGNORE_LOGOUT_ERRORS = True
if SAML_IDP_METADATA_URL:
    for _name in ("SAML_SP_KEY_FILE", "SAML_SP_CERT_FILE"):
        if not Path(globals()[_name] or "/nonexistent").is_file():
            raise ImproperlyConfigured(
                f"SAML_IDP_METADATA_URL is set: set {_name} to a readable file "
                "(docs/operators.md says how to make the key and certificate)"
            )
    if not SAML_SP_ENTITY_ID.startswith(("https://", "http://")):
        raise ImproperlyConfigured(
            "SAML_IDP_METADATA_URL is set: set SITE_URL (or SAML_SP_ENTITY_ID) too"
        )
# Just-in-time accounts, for either protocol: an unknown person gets an account with no
# membership (so sees nothing until someone adds them to a program). Off: they are refused.
# OIDC_CREATE_USER is its earlier name.
SSO_CREATE_USER = env_bool("SSO_CREATE_USER", env_bool("OIDC_CREATE_USER"))
# Local password sign-in; with it off the login page offers only the providers.
PASSWORD_SIGN_IN = env_bool("PASSWORD_SIGN_IN", True)
AUTHENTICATION_BACKENDS = [
    *(["django.contrib.auth.backends.ModelBackend"] if PASSWORD_SIGN_IN else []),
    *(["trellis.connect.sso.backend.OIDCBackend"] if OIDC_RP_CLIENT_ID else []),
    *(["trellis.connect.sso.saml.backend.SAMLBackend"] if SAML_IDP_METADATA_URL else []),
]
if not AUTHENTICATION_BACKENDS:
    raise ImproperlyConfigured(
        "PASSWORD_SIGN_IN is off but single sign-on is not configured (OIDC_RP_CLIENT_ID or "
        "SAML_IDP_METADATA_URL): nobody could sign in"
    )
# An LTI 1.3 launch (connect/lti/) signs people in itself, with a platform's signed id_token;
# this backend only loads them on later requests. Platforms are registered in the database.
AUTHENTICATION_BACKENDS.append("trellis.connect.lti.backend.LTIBackend")
LTI_TIMEOUT = int(os.environ.get("LTI_TIMEOUT", "10"))
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]

LANGUAGE_CODE = "en"
TIME_ZONE = os.environ.get("TIME_ZONE", "UTC")
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
# The project-wide CSS, icons and scripts (trellis/static/trellis/); apps keep their own.
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True
if DEBUG:
    # Development serves static files from the apps; WhiteNoise still wants its folder.
    STATIC_ROOT.mkdir(parents=True, exist_ok=True)

EMAIL_BACKEND = os.environ.get(
    "EMAIL_BACKEND",
    "django.core.mail.backends.console.EmailBackend"
    if DEBUG
    else "django.core.mail.backends.smtp.EmailBackend",
)
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "25"))
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "trellis@localhost")

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = env_bool("SECURE_COOKIES", not DEBUG)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
# The SAML session's cookie must come with the provider's cross-site POST back: SameSite
# None, which browsers accept only on a secure cookie (a provider on the same site, as in
# development, gets by with Lax).
SAML_SESSION_COOKIE_SAMESITE = "None" if SESSION_COOKIE_SECURE else "Lax"
# LTI_IFRAME: LMS launches open Trellis inside the LMS's page (an iframe on another site),
# whose requests bring only SameSite=None cookies, which browsers accept only when secure.
# Off (the default), an LMS should open Trellis in a new window. CSRF still holds: Django
# checks the token and the Origin, not SameSite.
LTI_IFRAME = env_bool("LTI_IFRAME")
SESSION_COOKIE_SAMESITE = "None" if LTI_IFRAME and SESSION_COOKIE_SECURE else "Lax"
CSRF_COOKIE_SAMESITE = SESSION_COOKIE_SAMESITE
SECURE_CONTENT_TYPE_NOSNIFF = True
# HTTPS: on by default in production, off with DEBUG (the development server speaks HTTP).
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", not DEBUG)
SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", "0" if DEBUG else "31536000"))
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", not DEBUG)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD")
# A load balancer or monitor probes the health endpoint over plain HTTP on the host itself.
SECURE_REDIRECT_EXEMPT = [r"^health/$"]
# Behind a proxy that terminates TLS, trust its X-Forwarded-Proto; opt-in, because without
# such a proxy anyone could send the header and pass for HTTPS.
if env_bool("TRELLIS_PROXY_SSL_HEADER"):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# Preloading is a commitment (every subdomain, for months, hard to undo) an operator makes
# on purpose with SECURE_HSTS_PRELOAD=1; without it, check --deploy's W021 is expected.
SILENCED_SYSTEM_CHECKS = [] if SECURE_HSTS_PRELOAD else ["security.W021"]
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "style-src": ["'self'"],
        "script-src": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
        "base-uri": ["'self'"],
        # The service worker (/sw.js) and the app manifest, both from this site only.
        "worker-src": ["'self'"],
        "manifest-src": ["'self'"],
    }
}


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}" if parts.scheme and parts.netloc else ""


# Sign-out posts a form whose answer redirects to the provider's end_session_endpoint (or
# SAML single logout service), and browsers hold a form's redirects to form-action: allow
# the provider's origin there.
CONTENT_SECURITY_POLICY["DIRECTIVES"]["form-action"] += sorted(
    {
        _origin(url)
        for url in (
            *((OIDC_ISSUER, OIDC_OP_END_SESSION_ENDPOINT) if OIDC_RP_CLIENT_ID else ()),
            SAML_IDP_METADATA_URL,
        )
    }
    - {""}
)

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "trellis.api.authentication.HashedTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_PAGINATION_CLASS": "trellis.api.pagination.StrictLimitOffsetPagination",
    "DEFAULT_CONTENT_NEGOTIATION_CLASS": "trellis.api.pagination.StrictContentNegotiation",
    "PAGE_SIZE": 100,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Trellis API",
    "DESCRIPTION": "Competency frameworks, programs and (in later versions) the whole CBME chain.",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SCHEMA_PATH_PREFIX": "/api/v1",
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "trellis.api.schema.document_errors",
    ],
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "WARNING")},
}

# Analytics (docs/operators.md): the key that makes fact-table pseudonyms stable per
# install (default: derived from SECRET_KEY), and a consortium's pooled fact file whose
# history calibrates the risk figures (used only where the file exists; the demo writes one).
TRELLIS_ANALYTICS_KEY = os.environ.get("TRELLIS_ANALYTICS_KEY", "")
TRELLIS_ANALYTICS_HISTORY = os.environ.get(
    "TRELLIS_ANALYTICS_HISTORY", str(VAR_DIR / "analytics" / "consortium.parquet")
)

# Supervision (docs/operators.md): a supervisor reads and rates a learner from the first
# day of the assignment until this many days after its last (time to finish evaluations).
SUPERVISION_ACCESS_DAYS = int(os.environ.get("SUPERVISION_ACCESS_DAYS", "28"))

# The cache (docs/operators.md) keeps records for their charts and the charts drawn. With
# several server processes it must be shared: files under TRELLIS_CACHE_DIR (default
# VAR_DIR/cache). TRELLIS_CACHE_DIR=memory keeps it in each process (the default with DEBUG,
# so the tests and the demo server write no files).
_CACHE_DIR = os.environ.get("TRELLIS_CACHE_DIR", "memory" if DEBUG else str(VAR_DIR / "cache"))
CACHES = {
    "default": (
        {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
        if _CACHE_DIR == "memory"
        else {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": _CACHE_DIR,
            "OPTIONS": {"MAX_ENTRIES": 5000},
        }
    )
}
