"""Two-factor sign-in: enrolment, the second step, replay, recovery codes, required roles."""

from __future__ import annotations

import re
import time

import pyotp
import pytest
from sqlalchemy import select

from programme.audit.models import AuditEvent
from tests.conftest import TEST_PASSWORD, sign_in


def _enrol(client) -> tuple[str, list[str]]:
    page = client.get("/account/two-factor").get_data(as_text=True)
    secret = re.search(r'data-testid="totp-secret">([A-Z2-7]+)<', page).group(1)
    response = client.post_form("/account/two-factor/confirm", {"code": pyotp.TOTP(secret).now()})
    codes = re.findall(
        r'<li class="list-group-item">([0-9a-f]{6}-[0-9a-f]{6})</li>', response.get_data(as_text=True)
    )
    return secret, codes


def test_enrolment_then_sign_in_asks_for_the_code(app, client, login_as):
    user = login_as("facilitator")
    secret, codes = _enrol(client)
    assert len(codes) == 10
    browser = app.test_client()
    response = sign_in(browser, user.email)
    assert response.headers["Location"] == "/login/two-factor"
    assert browser.get("/").status_code == 302  # not signed in yet
    # the code of the next 30-second step is accepted (a phone clock slightly ahead)
    response = browser.post_form("/login/two-factor", {"code": pyotp.TOTP(secret).at(int(time.time()) + 30)})
    assert response.status_code == 302
    assert browser.get("/").status_code == 200


def test_wrong_code_is_refused_and_audited(app, client, login_as, db):
    user = login_as("facilitator")
    _enrol(client)
    browser = app.test_client()
    sign_in(browser, user.email)
    response = browser.post_form("/login/two-factor", {"code": "000000"})
    assert "The code is not correct." in response.get_data(as_text=True)
    assert browser.get("/").status_code == 302
    failures = (
        db.session.execute(select(AuditEvent).where(AuditEvent.action == "login_failure")).scalars().all()
    )
    assert failures and failures[-1].changes["factor"] == "totp"


def test_a_code_cannot_be_used_twice(app, client, login_as):
    user = login_as("facilitator")
    secret, _codes = _enrol(client)
    # the enrolment used the current code; the same code must not sign in again
    browser = app.test_client()
    sign_in(browser, user.email)
    response = browser.post_form("/login/two-factor", {"code": pyotp.TOTP(secret).now()})
    assert "The code is not correct." in response.get_data(as_text=True)


def test_recovery_code_works_once(app, client, login_as):
    user = login_as("facilitator")
    _secret, codes = _enrol(client)
    first = app.test_client()
    sign_in(first, user.email)
    assert first.post_form("/login/two-factor", {"code": codes[0]}).status_code == 302
    second = app.test_client()
    sign_in(second, user.email)
    assert "The code is not correct." in second.post_form("/login/two-factor", {"code": codes[0]}).get_data(
        as_text=True
    )


def test_required_role_must_enrol_before_anything_else(app, client, make_user, monkeypatch):
    monkeypatch.setitem(app.config, "TOTP_REQUIRED_ROLES", ("admin", "evaluator"))
    user = make_user("evaluator")
    sign_in(client, user.email)
    assert client.get("/facilities").headers["Location"] == "/account/two-factor"
    _enrol(client)
    assert client.get("/facilities").status_code == 200


def test_required_role_cannot_turn_it_off(app, client, login_as, monkeypatch):
    login_as("admin")
    _enrol(client)
    monkeypatch.setitem(app.config, "TOTP_REQUIRED_ROLES", ("admin",))
    response = client.post_form("/account/two-factor/disable", follow_redirects=True)
    assert "cannot be turned off" in response.get_data(as_text=True)


def test_admin_reset_ends_the_users_sessions(app, client, make_user, login_as):
    target = make_user("facilitator")
    their = app.test_client()
    sign_in(their, target.email)
    _enrol(their)
    assert their.get("/").status_code == 200
    login_as("admin")
    client.post_form(f"/users/{target.id}/two-factor/reset")
    assert their.get("/").status_code == 302


def test_pending_second_factor_expires(app, client, login_as, make_user):
    user = make_user("facilitator")
    sign_in(client, user.email)
    _enrol(client)
    browser = app.test_client()
    sign_in(browser, user.email)
    with browser.session_transaction() as session:
        session["pending_second_factor"]["at"] -= 301
        session.modified = True
    response = browser.post_form("/login/two-factor", {"code": "123456"})
    assert response.headers["Location"] == "/login"


@pytest.mark.parametrize("env_value,expected", [("admin,evaluator", ("admin", "evaluator")), ("", ())])
def test_required_roles_from_the_environment(monkeypatch, env_value, expected):
    from programme import create_app

    monkeypatch.setenv("TOTP_REQUIRED_ROLES", env_value)
    app = create_app({"ENV_NAME": "testing", "SQLALCHEMY_DATABASE_URI": "sqlite://", "SECRET_KEY": "k" * 32})
    assert app.config["TOTP_REQUIRED_ROLES"] == expected


def test_password_alone_is_not_a_sign_in_for_two_factor_users(app, client, login_as, db):
    user = login_as("facilitator")
    _enrol(client)
    browser = app.test_client()
    sign_in(browser, user.email, TEST_PASSWORD)
    actions = db.session.execute(
        select(AuditEvent.action).order_by(AuditEvent.id.desc()).limit(1)
    ).scalar_one()
    assert actions == "login_password_ok"
