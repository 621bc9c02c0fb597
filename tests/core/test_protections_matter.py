"""Each protection test fails when its protection is switched off (so the tests are not vacuous)."""

from __future__ import annotations

import pytest
from flask import Blueprint, render_template_string

from programme import create_app
from programme.core.permissions import requires, signed_in
from tests.core.test_payloads import RAW_MARKERS, SCRIPT
from tests.core.test_routes import assert_security_headers


def _app(app, **overrides):
    return create_app(
        {
            "ENV_NAME": "testing",
            "SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"],
            "SECRET_KEY": "p" * 32,
            **overrides,
        }
    )


def test_without_csrf_protection_a_tokenless_post_would_pass(app):
    unprotected = _app(app, WTF_CSRF_ENABLED=False)
    response = unprotected.test_client().post(
        "/login", data={"email": "x@test.kz", "password": "whatever-long"}
    )
    assert response.status_code == 200  # the CSRF test expects 400 here: it would fail


def test_without_the_header_hook_the_header_check_fails(app):
    bare = _app(app)
    bare.after_request_funcs[None] = []  # switch the security headers off
    response = bare.test_client().get("/login")
    with pytest.raises(AssertionError):
        assert_security_headers(response, "auth.login")


def test_unescaped_output_would_be_caught(app):
    leaky = _app(app)
    blueprint = Blueprint("leaky", __name__)

    @blueprint.route("/leaky")
    @signed_in
    def leaky_view():
        return render_template_string("<p>{{ text|safe }}</p>", text=SCRIPT)

    @blueprint.route("/escaped")
    @requires("admin")
    def escaped_view():
        return render_template_string("<p>{{ text }}</p>", text=SCRIPT)

    leaky.register_blueprint(blueprint)
    with leaky.test_request_context():
        leaked = leaky_view.__wrapped__()
        escaped = escaped_view.__wrapped__()
    assert any(marker in leaked for marker in RAW_MARKERS)  # the payload test's check would fire
    assert not any(marker in escaped for marker in RAW_MARKERS)


def test_without_a_scope_check_the_post_walk_finds_the_leak(
    app, client, demo_data, make_user, login_as, monkeypatch
):
    """Officers' participant loader stops filtering by facility: the POST scope walk must fail."""
    from programme.extensions import db
    from programme.participants import services as participant_services
    from programme.participants.models import Participant
    from tests.core.test_object_scope import post_walk

    monkeypatch.setattr(
        participant_services, "get_participant_or_404", lambda user, pid: db.get_or_404(Participant, pid)
    )
    other = make_user("officer")
    me = login_as("officer")
    leaks, _posted = post_walk(app, client, me, other)
    leaked = {endpoint for endpoint, *_rest in leaks}
    assert {"participants.edit_participant", "participants.record_consent"} <= leaked, leaks
