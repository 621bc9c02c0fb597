"""Configuration read from the environment, with safe defaults for the embedded (SQLite) mode.

Every setting can be given as an environment variable of the same name. `PIP_ENV` selects the
mode: `development` (default, embedded SQLite, demo allowed), `production` (refuses to start
without an explicit SECRET_KEY or with debug on) or `testing`.
"""

from __future__ import annotations

import os
import secrets
from datetime import timedelta
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_INSTANCE = PROJECT_ROOT / "instance"
LANGUAGES = ("kk", "ru", "en")


class ConfigError(RuntimeError):
    """The configuration is unsafe or incomplete; the app must not start."""


def _env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _env_int(name: str, default: int) -> int:
    value = os.environ.get(name)
    return int(value) if value not in (None, "") else default


def instance_secret_key(instance_path: Path) -> str:
    """Return the key stored in instance/secret_key, creating it once (mode 0600)."""
    key_file = instance_path / "secret_key"
    if key_file.exists():
        return key_file.read_text(encoding="ascii").strip()
    instance_path.mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(48)
    fd = os.open(key_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="ascii") as handle:
        handle.write(key)
    return key


class Config:
    ENV_NAME = "development"
    DEBUG = False
    TESTING = False
    SECRET_KEY: str | None = None
    SQLALCHEMY_DATABASE_URI: str | None = None
    SQLALCHEMY_ENGINE_OPTIONS: dict = {"pool_pre_ping": True}
    SQLITE_BUSY_TIMEOUT_MS = 15000

    # Sessions: signed cookie plus a per-user session version checked on every request.
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE = False
    SESSION_COOKIE_NAME = "pip_session"
    PERMANENT_SESSION_LIFETIME = timedelta(hours=12)
    SESSION_IDLE_MINUTES = 30
    SESSION_ABSOLUTE_HOURS = 12
    REMEMBER_COOKIE_DURATION = timedelta(seconds=0)

    WTF_CSRF_TIME_LIMIT = None  # the token lives as long as the session, which has its own limits
    MAX_CONTENT_LENGTH = 10 * 1024 * 1024

    BABEL_DEFAULT_LOCALE = "ru"
    BABEL_DEFAULT_TIMEZONE = "Asia/Almaty"
    LANGUAGES = LANGUAGES

    BOOTSTRAP_SERVE_LOCAL = True

    # Login throttling (counted in the database so several app servers share it).
    LOGIN_WINDOW_MINUTES = 15
    LOGIN_FREE_FAILURES = 3  # failures before each next attempt must wait 1, 2, 4 ... seconds
    LOGIN_MAX_DELAY_SECONDS = 60
    LOGIN_MAX_FAILURES_PER_ACCOUNT = 10  # then locked until the failures leave the window
    LOGIN_MAX_FAILURES_PER_ADDRESS = 50
    # Sign-in forms one address may submit per minute (programme.core.ratelimit; 0 = no cap).
    # Counted in Redis when REDIS_URL is set (shared by every app server), else per process.
    LOGIN_REQUESTS_PER_MINUTE = 30
    REDIS_URL: str | None = None
    RATELIMIT_KEY_PREFIX = "pip:ratelimit:"

    # argon2id parameters (OWASP: m=19 MiB, t=2, p=1 is the floor; ours are above it).
    ARGON2_TIME_COST = 3
    ARGON2_MEMORY_KIB = 65536
    ARGON2_PARALLELISM = 2
    PASSWORD_MIN_LENGTH = 12
    # Roles that must use two-factor sign-in. Off in the embedded demo so the demo accounts work
    # without an authenticator app; production requires it of admins and evaluators.
    TOTP_REQUIRED_ROLES: tuple[str, ...] = ()
    TOTP_ISSUER = "Philosophy in Prison"

    DEMO_ALLOWED = True
    HSTS = False
    TRUSTED_PROXIES = 0  # reverse proxies in front of the app (X-Forwarded-For hops to trust)
    SMALL_CELL_MINIMUM = 5
    RETENTION_DAYS = 365  # after follow-up ends, names and facility numbers are removed
    PER_PAGE = 50
    BENCH_QUERY_HEADER = False  # benchmark only: X-Query-Count response header
    # Figure cache (programme.core.cache): Redis when a URL is given, else in each process.
    CACHE_ENABLED = True
    CACHE_REDIS_URL: str | None = None
    CACHE_KEY_PREFIX = "pip:figures:"
    CACHE_TIMEOUT = 24 * 3600


class DevelopmentConfig(Config):
    pass


class TestingConfig(Config):
    ENV_NAME = "testing"
    TESTING = True
    # Cheap hashing keeps the suite fast; production parameters are tested separately.
    ARGON2_TIME_COST = 1
    ARGON2_MEMORY_KIB = 1024
    ARGON2_PARALLELISM = 1
    # The suite signs in hundreds of times a minute from one address; the cap's own tests
    # switch it on.
    LOGIN_REQUESTS_PER_MINUTE = 0


class ProductionConfig(Config):
    ENV_NAME = "production"
    TOTP_REQUIRED_ROLES = ("admin", "evaluator")
    SESSION_COOKIE_SECURE = True
    DEMO_ALLOWED = False
    HSTS = True


CONFIGS = {
    "development": DevelopmentConfig,
    "testing": TestingConfig,
    "production": ProductionConfig,
}


def load_config(app, overrides: dict | None = None) -> None:
    """Fill app.config from the class for PIP_ENV, the environment, then explicit overrides."""
    overrides = dict(overrides or {})
    env_name = overrides.pop("ENV_NAME", None) or os.environ.get("PIP_ENV", "development")
    if env_name not in CONFIGS:
        raise ConfigError(f"PIP_ENV must be one of {sorted(CONFIGS)}, not {env_name!r}")
    app.config.from_object(CONFIGS[env_name])

    environ = os.environ
    if environ.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = environ["SECRET_KEY"]
    if environ.get("DATABASE_URL"):
        app.config["SQLALCHEMY_DATABASE_URI"] = environ["DATABASE_URL"]
    app.config["DEBUG"] = _env_bool("FLASK_DEBUG", app.config["DEBUG"])
    app.config["SESSION_IDLE_MINUTES"] = _env_int("SESSION_IDLE_MINUTES", app.config["SESSION_IDLE_MINUTES"])
    app.config["SESSION_ABSOLUTE_HOURS"] = _env_int(
        "SESSION_ABSOLUTE_HOURS", app.config["SESSION_ABSOLUTE_HOURS"]
    )
    app.config["SMALL_CELL_MINIMUM"] = _env_int("SMALL_CELL_MINIMUM", app.config["SMALL_CELL_MINIMUM"])
    app.config["RETENTION_DAYS"] = _env_int("RETENTION_DAYS", app.config["RETENTION_DAYS"])
    if "TOTP_REQUIRED_ROLES" in environ:
        roles = environ["TOTP_REQUIRED_ROLES"].replace(" ", "")
        app.config["TOTP_REQUIRED_ROLES"] = tuple(role for role in roles.split(",") if role)
    if environ.get("TRUSTED_PROXIES"):
        app.config["TRUSTED_PROXIES"] = _env_int("TRUSTED_PROXIES", 0)
    if "SESSION_COOKIE_SECURE" in environ:
        app.config["SESSION_COOKIE_SECURE"] = _env_bool("SESSION_COOKIE_SECURE", False)
    redis_url = environ.get("CACHE_REDIS_URL") or environ.get("REDIS_URL")
    if redis_url:
        app.config["CACHE_REDIS_URL"] = redis_url
    app.config["CACHE_ENABLED"] = _env_bool("CACHE_ENABLED", app.config["CACHE_ENABLED"])
    if environ.get("REDIS_URL"):
        app.config["REDIS_URL"] = environ["REDIS_URL"]
    if environ.get("RATELIMIT_KEY_PREFIX"):
        app.config["RATELIMIT_KEY_PREFIX"] = environ["RATELIMIT_KEY_PREFIX"]
    app.config["LOGIN_REQUESTS_PER_MINUTE"] = _env_int(
        "LOGIN_REQUESTS_PER_MINUTE", app.config["LOGIN_REQUESTS_PER_MINUTE"]
    )
    app.config["BENCH_QUERY_HEADER"] = _env_bool("BENCH_QUERY_HEADER", app.config["BENCH_QUERY_HEADER"])
    app.config.update(overrides)

    if env_name == "production":
        if not app.config.get("SECRET_KEY"):
            raise ConfigError("production mode needs SECRET_KEY set in the environment")
        if app.config["DEBUG"]:
            raise ConfigError("production mode refuses to run with debug on")
        if not app.config.get("SQLALCHEMY_DATABASE_URI"):
            raise ConfigError("production mode needs DATABASE_URL set in the environment")

    instance_path = Path(app.instance_path)
    if not app.config.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = instance_secret_key(instance_path)
    if not app.config.get("SQLALCHEMY_DATABASE_URI"):
        instance_path.mkdir(parents=True, exist_ok=True)
        app.config["SQLALCHEMY_DATABASE_URI"] = f"sqlite:///{instance_path / 'programme.db'}"
    if app.config["SQLALCHEMY_DATABASE_URI"].startswith("postgresql"):
        # LIFO: the connection used last serves the next request, with its prepared statements;
        # the others stay idle (a server-side idle timeout may close them). A connection the
        # server closed is noticed at checkout without a round trip (core/database.py), in place
        # of pre-ping's SELECT 1 on every request.
        app.config["SQLALCHEMY_ENGINE_OPTIONS"] = {
            **app.config["SQLALCHEMY_ENGINE_OPTIONS"],
            "pool_use_lifo": True,
            "pool_pre_ping": False,
        }
    app.config["ENV_NAME"] = env_name
    app.config["PERMANENT_SESSION_LIFETIME"] = timedelta(hours=app.config["SESSION_ABSOLUTE_HOURS"])
