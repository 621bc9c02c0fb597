"""Who may use what: the one place for access rules.

Every view carries an access rule set by one of the decorators below. A before-request hook
refuses any endpoint that has none (deny by default), and a test walks `app.url_map` so a view
without a rule fails the suite. Object scope (an officer's facility, a coordinator's department)
is applied inside the queries of each domain's services, so another facility's row is a 404.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import wraps

from flask import abort, current_app, redirect, request, url_for
from flask_babel import lazy_gettext as _l
from flask_login import current_user

ADMIN = "admin"
COORDINATOR = "coordinator"
FACILITATOR = "facilitator"
OFFICER = "officer"
EVALUATOR = "evaluator"
ROLES = (ADMIN, COORDINATOR, FACILITATOR, OFFICER, EVALUATOR)
ROLE_LABELS = {
    ADMIN: _l("Administrator"),
    COORDINATOR: _l("Coordinator"),
    FACILITATOR: _l("Facilitator"),
    OFFICER: _l("Education officer"),
    EVALUATOR: _l("Evaluator"),
}

PUBLIC = "public"
ANY_SIGNED_IN = "signed_in"


@dataclass(frozen=True)
class AccessRule:
    """What a view declares: `public`, any signed-in user, or a set of roles."""

    kind: str
    roles: frozenset[str] = frozenset()

    def allows(self, user) -> bool:
        if self.kind == PUBLIC:
            return True
        if not user.is_authenticated:
            return False
        if self.kind == ANY_SIGNED_IN:
            return True
        return user.role in self.roles

    def allowed_roles(self) -> frozenset[str]:
        if self.kind in (PUBLIC, ANY_SIGNED_IN):
            return frozenset(ROLES)
        return self.roles


def _declare(view: Callable, rule: AccessRule) -> Callable:
    @wraps(view)
    def guarded(*args, **kwargs):
        if rule.kind != PUBLIC and not current_user.is_authenticated:
            return redirect(url_for("auth.login", next=request.full_path.rstrip("?")))
        if not rule.allows(current_user):
            abort(403)
        return view(*args, **kwargs)

    guarded.access_rule = rule
    return guarded


def requires(*roles: str) -> Callable[[Callable], Callable]:
    """Only the named roles may use this view; others get 403, anonymous users the login page."""
    unknown = set(roles) - set(ROLES)
    if not roles or unknown:
        raise ValueError(f"requires() needs known roles, got {roles!r}")

    def decorator(view: Callable) -> Callable:
        return _declare(view, AccessRule("roles", frozenset(roles)))

    return decorator


def signed_in(view: Callable) -> Callable:
    """Any signed-in user, whatever the role (own profile, language, logout)."""
    return _declare(view, AccessRule(ANY_SIGNED_IN))


def public(view: Callable) -> Callable:
    """No sign-in needed (login page, static files, health check)."""
    return _declare(view, AccessRule(PUBLIC))


def access_rule_of(endpoint: str) -> AccessRule | None:
    view = current_app.view_functions.get(endpoint)
    return getattr(view, "access_rule", None)


def deny_undeclared_endpoints() -> None:
    """before_request hook: an endpoint without a declared rule is refused to everyone."""
    if request.endpoint is None:
        return  # 404 / 405 handled by Flask
    if access_rule_of(request.endpoint) is None:
        current_app.logger.error("endpoint %s has no access rule; refused", request.endpoint)
        abort(403)


def declare_public_endpoint(app, endpoint: str) -> None:
    """Mark a view registered by an extension (static files) as public."""
    app.view_functions[endpoint] = public(app.view_functions[endpoint])


def has_role(*roles: str) -> bool:
    return current_user.is_authenticated and current_user.role in roles
