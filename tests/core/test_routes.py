"""Every route declares who may use it, and the declaration holds for every role."""

from __future__ import annotations

import pytest
from flask import Blueprint, url_for

from programme import create_app
from programme.core.permissions import ROLES, access_rule_of, requires
from tests.route_params import fill

SKIP_ENDPOINTS = {"static", "bootstrap.static"}  # public files, checked in test_static_is_public


def undeclared_endpoints(app) -> list[str]:
    with app.app_context():
        return sorted(
            rule.endpoint for rule in app.url_map.iter_rules() if access_rule_of(rule.endpoint) is None
        )


def build_url(app, rule, user) -> str:
    with app.test_request_context():
        return url_for(rule.endpoint, **fill(rule, user))


def assert_security_headers(response, endpoint: str) -> None:
    """Every answer, page or file, carries the headers; nothing with personal data is cached."""
    headers = response.headers
    assert "frame-ancestors 'none'" in headers.get("Content-Security-Policy", ""), endpoint
    assert headers.get("X-Content-Type-Options") == "nosniff", endpoint
    assert headers.get("Referrer-Policy") == "same-origin", endpoint
    assert "Permissions-Policy" in headers, endpoint
    assert headers.get("Cache-Control") == "no-store", endpoint


def get_rules(app):
    return [
        rule
        for rule in app.url_map.iter_rules()
        if "GET" in rule.methods and rule.endpoint not in SKIP_ENDPOINTS
    ]


def test_every_endpoint_declares_who_may_use_it(app):
    assert undeclared_endpoints(app) == []


def test_a_view_without_a_rule_is_caught_and_refused(app):
    """The check above fails for a new view that forgets its rule, and the view is refused."""
    forgetful = create_app(
        {
            "ENV_NAME": "testing",
            "SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"],
            "SECRET_KEY": "x" * 32,
        }
    )
    blueprint = Blueprint("forgetful", __name__)

    @blueprint.route("/forgotten")
    def forgotten_view():
        return "secret"

    @blueprint.route("/remembered")
    @requires("admin")
    def remembered_view():
        return "fine"

    forgetful.register_blueprint(blueprint)
    assert undeclared_endpoints(forgetful) == ["forgetful.forgotten_view"]
    response = forgetful.test_client().get("/forgotten")
    assert response.status_code == 403
    assert b"secret" not in response.data


def test_anonymous_users_are_sent_to_sign_in(app, client, demo_data):
    for rule in get_rules(app):
        access = access_rule_of(rule.endpoint)
        url = build_url(app, rule, None)
        response = client.get(url)
        if access.kind == "public":
            assert response.status_code in (200, 302), (rule.endpoint, response.status_code)
        else:
            assert response.status_code == 302, (rule.endpoint, response.status_code)
            assert "/login" in response.headers["Location"], rule.endpoint


@pytest.mark.parametrize("role", ROLES)
def test_each_role_gets_what_its_rules_declare(app, client, demo_data, login_as, role):
    user = login_as(role)
    for rule in get_rules(app):
        if rule.endpoint == "auth.logout":
            continue
        access = access_rule_of(rule.endpoint)
        url = build_url(app, rule, user)
        response = client.get(url)
        assert_security_headers(response, rule.endpoint)
        if role in access.allowed_roles():
            assert response.status_code in (200, 302), (role, rule.endpoint, response.status_code)
            if response.status_code == 302:
                assert "/login" not in response.headers["Location"], (role, rule.endpoint)
        else:
            assert response.status_code in (403, 404), (role, rule.endpoint, response.status_code)


def test_static_is_public(client):
    assert client.get("/static/css/app.css").status_code == 200
