"""Sign-in, sign-out and sessions."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select, update

from programme.audit.models import AuditEvent
from programme.auth.models import LoginAttempt, User
from tests.conftest import TEST_PASSWORD, sign_in

GENERIC_FAILURE = "The e-mail or password is not correct."


def test_correct_password_signs_in_and_is_audited(client, make_user, db):
    user = make_user("officer")
    response = sign_in(client, user.email)
    assert response.status_code == 302
    assert response.headers["Location"] == "/"
    actions = (
        db.session.execute(select(AuditEvent.action).where(AuditEvent.entity_id == str(user.id)))
        .scalars()
        .all()
    )
    assert "login_success" in actions


def test_unknown_account_and_wrong_password_get_the_same_answer(client, make_user, db):
    user = make_user("officer")
    wrong = sign_in(client, user.email, "not-the-password-at-all")
    unknown = sign_in(client, "nobody@test.kz", "not-the-password-at-all")
    assert wrong.status_code == unknown.status_code == 200
    assert GENERIC_FAILURE in wrong.get_data(as_text=True)
    assert GENERIC_FAILURE in unknown.get_data(as_text=True)
    failures = db.session.execute(
        select(func.count()).select_from(AuditEvent).where(AuditEvent.action == "login_failure")
    ).scalar_one()
    assert failures == 2


def test_deactivated_account_cannot_sign_in(client, make_user, db):
    user = make_user("officer")
    user.is_active_account = False
    db.session.commit()
    response = sign_in(client, user.email)
    assert GENERIC_FAILURE in response.get_data(as_text=True)


def test_repeated_failures_lock_the_account_even_with_the_right_password(app, client, make_user, db):
    user = make_user("officer")
    limit = app.config["LOGIN_MAX_FAILURES_PER_ACCOUNT"]
    for _ in range(limit):
        sign_in(client, user.email, "wrong-password-guess")
    response = sign_in(client, user.email)
    assert response.status_code == 200
    assert "Too many failed attempts" in response.get_data(as_text=True)
    assert db.session.execute(select(func.count()).select_from(LoginAttempt)).scalar_one() == limit + 1


def test_after_a_few_failures_the_next_attempt_must_wait(app, client, make_user, db, monkeypatch):
    user = make_user("officer")
    free = app.config["LOGIN_FREE_FAILURES"]
    for _ in range(free):
        assert GENERIC_FAILURE in sign_in(client, user.email, "wrong-password-guess").get_data(as_text=True)
    # the right password, but too soon after the third failure: refused without checking it
    assert "Too many failed attempts" in sign_in(client, user.email).get_data(as_text=True)
    # once the wait (1 s after 3 failures, 2 s after 4) has passed, the right password works
    db.session.execute(
        update(LoginAttempt).values(attempted_at=LoginAttempt.attempted_at - timedelta(seconds=3))
    )
    db.session.commit()
    assert sign_in(client, user.email).status_code == 302


def test_wait_doubles_and_is_capped(app):
    from programme.auth.throttle import required_wait

    free, cap = app.config["LOGIN_FREE_FAILURES"], app.config["LOGIN_MAX_DELAY_SECONDS"]
    assert required_wait(free - 1).total_seconds() == 0
    assert [required_wait(free + k).total_seconds() for k in range(4)] == [1, 2, 4, 8]
    assert required_wait(free + 30).total_seconds() == cap


def test_reaching_the_limit_is_audited_and_admins_are_told(app, client, make_user, db, monkeypatch):
    from programme.notifications.models import Notification

    monkeypatch.setitem(app.config, "LOGIN_FREE_FAILURES", 100)  # no waits: count straight to the lock
    admin = make_user("admin")
    user = make_user("officer")
    for _ in range(app.config["LOGIN_MAX_FAILURES_PER_ACCOUNT"] + 2):
        sign_in(client, user.email, "wrong-password-guess")
    locked = (
        db.session.execute(select(AuditEvent).where(AuditEvent.action == "account_locked")).scalars().all()
    )
    assert len(locked) == 1 and locked[0].changes["email"] == user.email
    notices = db.session.execute(select(Notification).where(Notification.user_id == admin.id)).scalars().all()
    assert [n.kind for n in notices] == ["account_locked"]


def test_unknown_accounts_are_throttled_the_same_way(app, client):
    for _ in range(app.config["LOGIN_MAX_FAILURES_PER_ACCOUNT"]):
        sign_in(client, "ghost@test.kz", "wrong-password-guess")
    response = sign_in(client, "ghost@test.kz", "wrong-password-guess")
    assert "Too many failed attempts" in response.get_data(as_text=True)


def test_next_parameter_accepts_only_local_paths(client, make_user):
    user = make_user("admin")
    token = client.csrf_token()
    data = {"email": user.email, "password": TEST_PASSWORD, "csrf_token": token}
    response = client.post("/login?next=https://evil.example/steal", data=data)
    assert response.headers["Location"] == "/"
    client.post_form("/logout")
    response = client.post("/login?next=//evil.example/x", data={**data, "csrf_token": client.csrf_token()})
    assert response.headers["Location"] == "/"
    client.post_form("/logout")
    response = client.post("/login?next=/facilities", data={**data, "csrf_token": client.csrf_token()})
    assert response.headers["Location"] == "/facilities"


def test_logout_ends_every_session_of_the_user(app, make_user):
    user = make_user("coordinator")
    first, second = app.test_client(), app.test_client()
    sign_in(first, user.email)
    sign_in(second, user.email)
    assert second.get("/").status_code == 200
    first.post_form("/logout")
    response = second.get("/")
    assert response.status_code == 302
    assert "/login" in response.headers["Location"]


def test_logout_requires_post(client, login_as):
    login_as("admin")
    assert client.get("/logout").status_code == 405


def test_password_change_ends_other_sessions_but_keeps_this_one(app, make_user, db):
    user = make_user("facilitator")
    this, other = app.test_client(), app.test_client()
    sign_in(this, user.email)
    sign_in(other, user.email)
    response = this.post_form(
        "/account/password",
        {"current_password": TEST_PASSWORD, "new_password": "a-much-longer-new-passphrase"},
    )
    assert response.status_code == 302
    assert this.get("/").status_code == 200
    assert other.get("/").status_code == 302
    assert sign_in(app.test_client(), user.email, "a-much-longer-new-passphrase").status_code == 302


def test_weak_new_password_is_refused_with_reasons(client, login_as):
    login_as("facilitator")
    response = client.post_form(
        "/account/password", {"current_password": TEST_PASSWORD, "new_password": "password"}
    )
    text = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Use at least 12 characters." in text
    assert "too common" in text


def test_admin_issued_password_must_be_changed_first(client, make_user):
    user = make_user("officer", must_change_password=True)
    response = sign_in(client, user.email)
    assert response.headers["Location"] == "/account/password"
    assert client.get("/facilities").headers["Location"] == "/account/password"


def test_old_hashes_are_rehashed_at_sign_in(app, client, make_user, db):
    from argon2 import PasswordHasher

    user = make_user("officer")
    user.password_hash = PasswordHasher(time_cost=1, memory_cost=512, parallelism=1).hash(TEST_PASSWORD)
    db.session.commit()
    old_hash = user.password_hash
    assert sign_in(client, user.email).status_code == 302
    db.session.refresh(user)
    assert user.password_hash != old_hash
    assert user.password_hash.startswith("$argon2id$")


def test_idle_session_expires(app, client, login_as):
    login_as("admin")
    with client.session_transaction() as session:
        session["last_seen"] -= app.config["SESSION_IDLE_MINUTES"] * 60 + 1
    response = client.get("/")
    assert response.status_code == 302
    assert "/login" in response.headers["Location"]


def test_absolute_session_limit(app, client, login_as):
    login_as("admin")
    with client.session_transaction() as session:
        session["started_at"] -= app.config["SESSION_ABSOLUTE_HOURS"] * 3600 + 1
    assert client.get("/").status_code == 302


def test_role_change_ends_sessions(app, client, login_as, db):
    user = login_as("coordinator")
    from programme.auth.services import update_user

    update_user(
        user,
        email=user.email,
        full_name=user.full_name,
        role="evaluator",
        facility_id=None,
        department_id=None,
        is_active=True,
    )
    assert client.get("/").status_code == 302


def test_language_choice_is_remembered_for_the_user(app, client, login_as, db):
    user = login_as("officer")
    client.post_form("/language", {"locale": "kk", "next": "/"})
    db.session.refresh(user)
    assert user.locale == "kk"
    other_browser = app.test_client()
    sign_in(other_browser, user.email)
    assert 'lang="kk"' in other_browser.get("/").get_data(as_text=True)


def test_session_cookie_flags(client, make_user):
    user = make_user("admin")
    response = sign_in(client, user.email)
    cookie = response.headers.get("Set-Cookie", "")
    assert "HttpOnly" in cookie
    assert "SameSite=Lax" in cookie


def test_user_record_survives_sign_in(db, make_user, client):
    user = make_user("admin")
    sign_in(client, user.email)
    db.session.refresh(user)
    assert db.session.get(User, user.id).last_login_at is not None


def test_last_seen_is_rewritten_once_a_minute_and_keeps_an_active_session_alive(app, client, login_as):
    from programme.core.security import LAST_SEEN_STEP_SECONDS

    login_as("admin")
    assert client.get("/").status_code == 200
    # Within the minute the session is unchanged, so the cookie is not signed and sent again.
    assert "Set-Cookie" not in client.get("/").headers
    with client.session_transaction() as session:
        session["last_seen"] -= LAST_SEEN_STEP_SECONDS
        seen_before = session["last_seen"]
    response = client.get("/")
    assert response.status_code == 200 and "Set-Cookie" in response.headers
    with client.session_transaction() as session:
        assert session["last_seen"] >= seen_before + LAST_SEEN_STEP_SECONDS
    # Activity every few minutes keeps a session going past the idle limit.
    idle = app.config["SESSION_IDLE_MINUTES"] * 60
    for _ in range(3):
        with client.session_transaction() as session:
            session["last_seen"] -= idle // 2
            session["started_at"] -= idle // 2
        assert client.get("/").status_code == 200
