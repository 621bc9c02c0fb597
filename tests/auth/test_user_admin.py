from __future__ import annotations

from sqlalchemy import func, select

from programme.audit.models import AuditEvent
from programme.auth.models import User
from tests.conftest import sign_in


def _new_user_form(**overrides):
    form = {
        "email": "New.Officer@Test.kz",
        "full_name": "Жаңа Қызметкер",
        "role": "officer",
        "facility_id": "0",
        "department_id": "0",
        "is_active": "y",
        "password": "temporary-pass-phrase-1",
    }
    form.update(overrides)
    return form


def test_admin_creates_an_officer_who_must_change_password(client, login_as, make_facility, app, db):
    login_as("admin")
    facility = make_facility()
    response = client.post_form("/users/new", _new_user_form(facility_id=str(facility.id)))
    assert response.status_code == 302
    user = db.session.execute(select(User).where(User.email == "new.officer@test.kz")).scalar_one()
    assert user.facility_id == facility.id
    assert user.must_change_password
    other = app.test_client()
    assert (
        sign_in(other, "new.officer@test.kz", "temporary-pass-phrase-1").headers["Location"]
        == "/account/password"
    )


def test_officer_without_facility_is_refused_and_nothing_saved(client, login_as, db):
    login_as("admin")
    before = db.session.execute(select(func.count(User.id))).scalar_one()
    response = client.post_form("/users/new", _new_user_form())
    assert "An education officer needs a facility." in response.get_data(as_text=True)
    assert db.session.execute(select(func.count(User.id))).scalar_one() == before


def test_duplicate_email_is_refused(client, login_as, make_user):
    login_as("admin")
    make_user("evaluator", email="taken@test.kz")
    response = client.post_form("/users/new", _new_user_form(email="TAKEN@test.kz", role="evaluator"))
    assert "Another account already uses this e-mail address." in response.get_data(as_text=True)


def test_deactivating_a_user_signs_them_out(app, client, login_as, make_user, db):
    login_as("admin")
    target = make_user("evaluator")
    their_browser = app.test_client()
    sign_in(their_browser, target.email)
    assert their_browser.get("/").status_code == 200
    form = {
        "email": target.email,
        "full_name": target.full_name,
        "role": "evaluator",
        "facility_id": "0",
        "department_id": "0",
        "version_id": str(target.version_id),
    }
    response = client.post_form(f"/users/{target.id}/edit", form)
    assert response.status_code == 302
    assert their_browser.get("/").status_code == 302


def test_admin_password_reset_forces_a_change(app, client, login_as, make_user):
    login_as("admin")
    target = make_user("facilitator")
    response = client.post_form(f"/users/{target.id}/password", {"password": "another-temporary-phrase"})
    assert response.status_code == 302
    other = app.test_client()
    assert sign_in(other, target.email, "another-temporary-phrase").headers["Location"] == "/account/password"


def test_non_admins_cannot_manage_users(client, login_as):
    login_as("coordinator")
    assert client.get("/users").status_code == 403
    assert client.post_form("/users/new", _new_user_form()).status_code == 403


def test_cli_creates_an_admin(app, db):
    result = app.test_cli_runner().invoke(
        args=[
            "users",
            "create",
            "--role",
            "admin",
            "--email",
            "Chief@Test.kz",
            "--password",
            "a-long-cli-passphrase",
        ]
    )
    assert result.exit_code == 0, result.output
    user = db.session.execute(select(User).where(User.email == "chief@test.kz")).scalar_one()
    assert user.role == "admin"
    actor = db.session.execute(
        select(AuditEvent.actor_label).where(AuditEvent.entity_type == "user_account")
    ).scalar_one()
    assert actor == "cli:users-create"


def test_cli_refuses_a_weak_password(app, db):
    result = app.test_cli_runner().invoke(
        args=["users", "create", "--role", "admin", "--email", "a@test.kz", "--password", "short"]
    )
    assert result.exit_code != 0
    assert "12" in result.output
