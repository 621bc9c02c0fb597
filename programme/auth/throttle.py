"""Slowing down password guessing: counted in the database, so every app server shares it.

After a few failures an account (or an address) must wait before its next attempt, the wait
doubling with each failure; at the limit it is locked until its failures leave the window. The
moment an account reaches the limit, an audit row is written and the admins are notified.
Attempts refused this way count as failures too, so hammering only locks sooner.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from flask import current_app
from sqlalchemy import and_, func, select

from programme.audit.services import record
from programme.auth.models import LoginAttempt, User
from programme.extensions import db


@dataclass(frozen=True)
class Attempts:
    """Failures in the window before this attempt."""

    account_failures: int
    address_failures: int
    last_account_failure: datetime | None


def recent_attempts(email: str, remote_addr: str, now: datetime) -> Attempts:
    since = now - timedelta(minutes=current_app.config["LOGIN_WINDOW_MINUTES"])
    failed = and_(LoginAttempt.succeeded.is_(False), LoginAttempt.attempted_at >= since)
    by_account = and_(failed, LoginAttempt.email == email)
    by_address = and_(failed, LoginAttempt.remote_addr == remote_addr)
    row = db.session.execute(
        select(
            select(func.count(LoginAttempt.id)).where(by_account).scalar_subquery(),
            select(func.count(LoginAttempt.id)).where(by_address).scalar_subquery(),
            select(func.max(LoginAttempt.attempted_at)).where(by_account).scalar_subquery(),
        )
    ).one()
    last = row[2]
    if last is not None and last.tzinfo is None:
        last = last.replace(tzinfo=UTC)  # SQLite gives naive UTC back
    return Attempts(row[0], row[1], last)


def required_wait(failures: int) -> timedelta:
    """No wait for the first few failures, then 1, 2, 4 ... seconds, capped."""
    config = current_app.config
    free = config["LOGIN_FREE_FAILURES"]
    if failures < free:
        return timedelta(0)
    return timedelta(seconds=min(2 ** (failures - free), config["LOGIN_MAX_DELAY_SECONDS"]))


def is_refused(attempts: Attempts, now: datetime) -> bool:
    config = current_app.config
    if attempts.account_failures >= config["LOGIN_MAX_FAILURES_PER_ACCOUNT"]:
        return True
    if attempts.address_failures >= config["LOGIN_MAX_FAILURES_PER_ADDRESS"]:
        return True
    if attempts.last_account_failure is None:
        return False
    return now < attempts.last_account_failure + required_wait(attempts.account_failures)


def note_failure(email: str, remote_addr: str, attempts: Attempts) -> None:
    """After a failed attempt: at the moment the account reaches the limit, audit and alert."""
    if attempts.account_failures + 1 != current_app.config["LOGIN_MAX_FAILURES_PER_ACCOUNT"]:
        return
    from programme.notifications.services import add_notifications

    failures = attempts.account_failures + 1
    details = {"email": email, "failures": failures, "address": remote_addr}
    record("account_locked", "user_account", None, details)
    admins = db.session.execute(
        select(User.id).where(User.role == "admin", User.is_active_account.is_(True))
    ).scalars()
    add_notifications(admins, "account_locked", {"email": email, "count": failures, "address": remote_addr})
