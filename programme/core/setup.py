"""Extensions, request hooks and template helpers shared by every page."""

from __future__ import annotations

from pathlib import Path

from flask import Flask, g, request, url_for
from flask_babel import format_date, format_datetime, format_decimal, get_locale
from flask_bootstrap import Bootstrap5
from flask_login import current_user
from werkzeug.middleware.proxy_fix import ProxyFix

from programme.config import PROJECT_ROOT
from programme.core.database import configure_engine, release_dead_connections
from programme.core.errors import register_error_handlers
from programme.core.i18n import LANGUAGE_NAMES, localized, select_locale, select_timezone
from programme.core.messages import keep_each_message_once
from programme.core.permissions import ROLE_LABELS, declare_public_endpoint, deny_undeclared_endpoints
from programme.core.ratelimit import limit_sign_in_requests
from programme.core.registry import nav_for
from programme.core.security import enforce_session_timeouts, set_security_headers
from programme.extensions import babel, csrf, db, login_manager, migrate

TRANSLATIONS_ROOT = PROJECT_ROOT / "translations"


def translation_directories() -> str:
    """One catalogue per domain (translations/<domain>/<lang>/LC_MESSAGES)."""
    if not TRANSLATIONS_ROOT.exists():
        return str(TRANSLATIONS_ROOT)
    return ";".join(str(path) for path in sorted(Path(TRANSLATIONS_ROOT).iterdir()) if path.is_dir())


def _page_url(number: int) -> str:
    """The current page's URL with its query kept and `page` set (for the pager)."""
    arguments = {**request.args.to_dict(), "page": max(1, number)}
    return url_for(request.endpoint, **(request.view_args or {}), **arguments)


def _count_queries_per_request(app: Flask) -> None:
    """Benchmark only: an X-Query-Count header with the SQL statements the request ran."""
    from programme.core.querycount import count_queries

    @app.before_request
    def _start_counting():
        g.bench_queries = count_queries(db.engine)
        g.bench_query_log = g.bench_queries.__enter__()

    @app.after_request
    def _report_count(response):
        log = g.pop("bench_query_log", None)
        counter = g.pop("bench_queries", None)
        if counter is not None:
            counter.__exit__(None, None, None)
            response.headers["X-Query-Count"] = str(log.count)
        return response


def init_core(app: Flask) -> None:
    if app.config.get("TRUSTED_PROXIES"):
        hops = int(app.config["TRUSTED_PROXIES"])
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops)
    db.init_app(app)
    with app.app_context():
        configure_engine(db.engine, app.config["SQLITE_BUSY_TIMEOUT_MS"])
    release_dead_connections(app, db)
    migrate.init_app(
        app, db, directory=str(PROJECT_ROOT / "migrations"), render_as_batch=True, compare_type=True
    )
    csrf.init_app(app)
    app.config["BABEL_TRANSLATION_DIRECTORIES"] = translation_directories()
    babel.init_app(app, locale_selector=select_locale, timezone_selector=select_timezone)
    Bootstrap5(app)
    declare_public_endpoint(app, "static")
    declare_public_endpoint(app, "bootstrap.static")

    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.session_protection = "basic"
    # Flask-Login's own message is not translated through our catalogue; the login page says enough.
    login_manager.login_message = None

    from programme.audit.services import install_listener

    install_listener()
    register_error_handlers(app)
    keep_each_message_once(app)

    if app.config.get("BENCH_QUERY_HEADER"):  # first, so it counts every other hook's queries
        _count_queries_per_request(app)
    app.before_request(deny_undeclared_endpoints)
    app.before_request(enforce_session_timeouts)
    app.before_request(limit_sign_in_requests)
    app.after_request(set_security_headers)

    @app.teardown_appcontext
    def _drop_actor(_exc):
        g.pop("audit_actor", None)

    app.jinja_env.globals["page_url"] = _page_url

    @app.context_processor
    def _template_helpers():
        locale = str(get_locale() or "ru")
        return {
            "nav_items": nav_for(current_user),
            "current_locale": locale,
            "language_names": LANGUAGE_NAMES,
            "role_labels": ROLE_LABELS,
            "localized": lambda obj, field: localized(obj, field, locale),
            "format_date": format_date,
            "format_datetime": format_datetime,
            "format_decimal": format_decimal,
            "request_path": request.full_path.rstrip("?") if request else "/",
        }
