"""Response headers and session lifetime checks applied to every request."""

from __future__ import annotations

from datetime import UTC, datetime

from flask import current_app, g, request, session
from flask_login import current_user, logout_user

CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "frame-ancestors 'none'",
        "form-action 'self'",
    ]
)
PERMISSIONS_POLICY = "camera=(), microphone=(), geolocation=(), payment=(), usb=()"
# The session's "last seen" is rewritten at most once a minute: rewriting it on every request
# re-signed and re-sent the session cookie with every page. A stale value only makes an idle
# session end up to a minute early, never late.
LAST_SEEN_STEP_SECONDS = 60


def _now_ts() -> int:
    return int(datetime.now(UTC).timestamp())


def enforce_session_timeouts():
    """End a session that was idle too long or is older than the absolute limit."""
    if not current_user.is_authenticated:
        return None
    now = _now_ts()
    idle_limit = current_app.config["SESSION_IDLE_MINUTES"] * 60
    absolute_limit = current_app.config["SESSION_ABSOLUTE_HOURS"] * 3600
    started = session.get("started_at", now)
    last_seen = session.get("last_seen", now)
    if now - last_seen > idle_limit or now - started > absolute_limit:
        logout_user()
        session.clear()
        g.session_expired = True
        return None
    if now - last_seen >= LAST_SEEN_STEP_SECONDS or "last_seen" not in session:
        session["last_seen"] = now
    return None


def mark_session_start() -> None:
    now = _now_ts()
    session["started_at"] = now
    session["last_seen"] = now


def set_security_headers(response):
    headers = response.headers
    headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
    headers.setdefault("X-Content-Type-Options", "nosniff")
    headers.setdefault("X-Frame-Options", "DENY")
    headers.setdefault("Referrer-Policy", "same-origin")
    headers.setdefault("Permissions-Policy", PERMISSIONS_POLICY)
    headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
    if current_app.config.get("HSTS"):
        headers.setdefault("Strict-Transport-Security", "max-age=31536000; includeSubDomains")
    # Anything behind a sign-in may hold personal data: never store it in a cache.
    is_static = request.endpoint in ("static", "bootstrap.static")
    if not is_static:
        headers["Cache-Control"] = "no-store"
        headers["Pragma"] = "no-cache"
    return response
