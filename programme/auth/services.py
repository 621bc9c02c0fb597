"""Accounts: sign-in with throttling, password changes, and the admin's user management."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import func, select, update

from programme.audit.services import Actor, record
from programme.auth import throttle
from programme.auth.models import LoginAttempt, User
from programme.auth.passwords import (
    hash_password,
    needs_rehash,
    password_problems,
    spend_verification_time,
    verify_password,
)
from programme.core.permissions import COORDINATOR, FACILITATOR, OFFICER, ROLES
from programme.core.services import ValidationFailed, check_version, unit_of_work
from programme.extensions import db


def normalise_email(email: str) -> str:
    return (email or "").strip().lower()


def find_user_by_email(email: str) -> User | None:
    return db.session.execute(select(User).where(User.email == normalise_email(email))).scalar_one_or_none()


# --- sign-in -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class SignInResult:
    user: User | None
    throttled: bool = False
    # The password was right; a second factor (TOTP or recovery code) must follow.
    needs_second_factor: bool = False

    @property
    def succeeded(self) -> bool:
        return self.user is not None


def _actor(user: User) -> Actor:
    """A sign-in is done by the person signing in, though nobody is signed in yet."""
    return Actor(user.id, user.email)


def _note_login(user: User, now: datetime) -> None:
    """Bookkeeping, not an edit: written without the row's version check, so one person signing in
    from two devices at the same moment is not refused as "changed by someone else"."""
    db.session.execute(
        update(User)
        .where(User.id == user.id)
        .values(last_login_at=now)
        .execution_options(synchronize_session="fetch")
    )


def sign_in(email: str, password: str, remote_addr: str) -> SignInResult:
    """Check credentials; record the attempt and its audit row whatever the outcome.

    The caller gets the same answer for an unknown account, a wrong password and an inactive
    account, and each takes one password verification, so neither message nor timing tells
    whether the account exists.
    """
    email = normalise_email(email)[:255]
    now = datetime.now(UTC)
    with unit_of_work():
        attempts = throttle.recent_attempts(email, remote_addr, now)
        if throttle.is_refused(attempts, now):
            db.session.add(
                LoginAttempt(email=email, remote_addr=remote_addr, attempted_at=now, succeeded=False)
            )
            record("login_throttled", "user_account", None, {"email": email})
            throttle.note_failure(email, remote_addr, attempts)
            return SignInResult(None, throttled=True)
        user = find_user_by_email(email)
        if user is None:
            spend_verification_time(password)
            valid = False
        else:
            valid = verify_password(user.password_hash, password) and user.is_active_account
        db.session.add(LoginAttempt(email=email, remote_addr=remote_addr, attempted_at=now, succeeded=valid))
        if not valid:
            record("login_failure", "user_account", user.id if user else None, {"email": email})
            throttle.note_failure(email, remote_addr, attempts)
            return SignInResult(None)
        if needs_rehash(user.password_hash):
            user.password_hash = hash_password(password)
        if user.has_two_factor:
            record("login_password_ok", "user_account", user.id, {"email": email}, actor=_actor(user))
            return SignInResult(user, needs_second_factor=True)
        _note_login(user, now)
        record("login_success", "user_account", user.id, {"email": email}, actor=_actor(user))
        return SignInResult(user)


def complete_second_factor(user: User, code: str, remote_addr: str) -> SignInResult:
    """Check the second factor of a sign-in whose password was right; throttled like passwords."""
    from programme.auth import twofactor

    now = datetime.now(UTC)
    with unit_of_work():
        attempts = throttle.recent_attempts(user.email, remote_addr, now)
        if throttle.is_refused(attempts, now):
            db.session.add(
                LoginAttempt(email=user.email, remote_addr=remote_addr, attempted_at=now, succeeded=False)
            )
            record("login_throttled", "user_account", user.id, {"email": user.email, "factor": "totp"})
            return SignInResult(None, throttled=True)
        valid = user.is_active_account and twofactor.verify(user, code)
        db.session.add(
            LoginAttempt(email=user.email, remote_addr=remote_addr, attempted_at=now, succeeded=valid)
        )
        if not valid:
            record("login_failure", "user_account", user.id, {"email": user.email, "factor": "totp"})
            return SignInResult(None)
        _note_login(user, now)
        record(
            "login_success",
            "user_account",
            user.id,
            {"email": user.email, "factor": "totp"},
            actor=_actor(user),
        )
        return SignInResult(user)


def end_all_sessions(user: User) -> None:
    """Invalidate every session of this user (they all carry the old session version)."""
    user.session_version += 1


def sign_out(user: User) -> None:
    with unit_of_work():
        end_all_sessions(user)
        record("logout", "user_account", user.id)


# --- passwords ----------------------------------------------------------------------------------


def _require_good_password(password: str, email: str, field: str) -> None:
    problems = password_problems(password, email)
    if problems:
        raise ValidationFailed({field: problems})


def change_own_password(user: User, current_password: str, new_password: str) -> None:
    if not verify_password(user.password_hash, current_password):
        raise ValidationFailed.on("current_password", _("The current password is not correct."))
    if current_password == new_password:
        raise ValidationFailed.on("new_password", _("Choose a password different from the current one."))
    _require_good_password(new_password, user.email, "new_password")
    with unit_of_work():
        user.password_hash = hash_password(new_password)
        user.must_change_password = False
        end_all_sessions(user)


def reset_password(user: User, new_password: str) -> None:
    """Admin sets a temporary password; the user must change it at the next sign-in."""
    _require_good_password(new_password, user.email, "password")
    with unit_of_work():
        user.password_hash = hash_password(new_password)
        user.must_change_password = True
        end_all_sessions(user)


def set_locale(user: User, locale: str) -> None:
    if locale not in current_app.config["LANGUAGES"]:
        raise ValidationFailed.on("locale", _("Unknown language."))
    with unit_of_work():
        user.locale = locale


# --- user management ----------------------------------------------------------------------------


def _check_scope(role: str, facility_id: int | None, department_id: int | None) -> dict:
    """Officers belong to one facility, department staff to one department, others to neither."""
    if role not in ROLES:
        raise ValidationFailed.on("role", _("Choose a role from the list."))
    if role == OFFICER and not facility_id:
        raise ValidationFailed.on("facility_id", _("An education officer needs a facility."))
    if role in (COORDINATOR, FACILITATOR) and not department_id:
        raise ValidationFailed.on("department_id", _("Coordinators and facilitators need a department."))
    return {
        "facility_id": facility_id if role == OFFICER else None,
        "department_id": department_id if role in (COORDINATOR, FACILITATOR) else None,
    }


def _require_unique_email(email: str, user_id: int | None = None) -> None:
    existing = find_user_by_email(email)
    if existing is not None and existing.id != user_id:
        raise ValidationFailed.on("email", _("Another account already uses this e-mail address."))


def create_user(
    *,
    email: str,
    full_name: str,
    role: str,
    password: str,
    facility_id: int | None = None,
    department_id: int | None = None,
    locale: str | None = None,
    must_change_password: bool = True,
) -> User:
    email = normalise_email(email)
    scope = _check_scope(role, facility_id, department_id)
    _require_unique_email(email)
    _require_good_password(password, email, "password")
    with unit_of_work():
        user = User(
            email=email,
            full_name=full_name.strip(),
            role=role,
            password_hash=hash_password(password),
            locale=locale,
            must_change_password=must_change_password,
            is_active_account=True,
            session_version=1,
            **scope,
        )
        db.session.add(user)
    return user


def update_user(
    user: User,
    *,
    email: str,
    full_name: str,
    role: str,
    facility_id: int | None,
    department_id: int | None,
    is_active: bool,
    version_id: int | None = None,
) -> User:
    check_version(user, version_id)
    email = normalise_email(email)
    scope = _check_scope(role, facility_id, department_id)
    _require_unique_email(email, user.id)
    with unit_of_work():
        # A change of role, scope or status must not leave old sessions with old powers.
        if (
            role != user.role
            or scope["facility_id"] != user.facility_id
            or scope["department_id"] != user.department_id
            or (user.is_active_account and not is_active)
        ):
            end_all_sessions(user)
        user.email = email
        user.full_name = full_name.strip()
        user.role = role
        user.facility_id = scope["facility_id"]
        user.department_id = scope["department_id"]
        user.is_active_account = is_active
    return user


def list_users(role: str | None = None, search: str | None = None):
    query = select(User).order_by(User.role, User.full_name)
    if role:
        query = query.where(User.role == role)
    if search:
        pattern = f"%{search.strip().lower()}%"
        query = query.where(func.lower(User.full_name).like(pattern) | User.email.like(pattern))
    return query
