"""Headers, CSRF and error pages on every route."""

from __future__ import annotations

import re

from flask import url_for

from tests.route_params import fill

POST_ONLY_OR_FORMS = re.compile(r"POST")


def test_security_headers_on_pages(client, login_as):
    login_as("admin")
    response = client.get("/")
    csp = response.headers["Content-Security-Policy"]
    for directive in (
        "default-src 'self'",
        "base-uri 'none'",
        "frame-ancestors 'none'",
        "form-action 'self'",
        "script-src 'self'",
    ):
        assert directive in csp
    assert "unsafe-inline" not in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "same-origin"
    assert response.headers["Cache-Control"] == "no-store"
    assert "Permissions-Policy" in response.headers


def test_pages_have_no_inline_script(client, login_as):
    login_as("admin")
    for url in ("/", "/users", "/facilities", "/audit", "/login"):
        page = client.get(url, follow_redirects=True).get_data(as_text=True)
        for tag in re.findall(r"<script[^>]*>", page):
            assert "src=" in tag, (url, tag)
        assert " onclick=" not in page and " onchange=" not in page


def test_every_post_endpoint_refuses_a_missing_csrf_token(app, client, demo_data, login_as):
    user = login_as("admin")
    for rule in app.url_map.iter_rules():
        if "POST" not in rule.methods:
            continue
        with app.test_request_context():
            url = url_for(rule.endpoint, **fill(rule, user))
        response = client.post(url, data={})
        assert response.status_code == 400, (rule.endpoint, response.status_code)
        assert "The form has expired" in response.get_data(as_text=True)


def test_not_found_page_is_translated_and_styled(client, login_as, db):
    user = login_as("admin")
    user.locale = "ru"
    db.session.commit()
    response = client.get("/no-such-page")
    assert response.status_code == 404
    assert 'lang="ru"' in response.get_data(as_text=True)


def test_healthz_reports_the_database(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok", "database": "up"}
