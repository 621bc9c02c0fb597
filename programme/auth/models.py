"""User accounts and login attempts."""

from __future__ import annotations

from datetime import datetime

from flask_login import UserMixin
from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    func,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from programme.audit.services import Audited
from programme.core.permissions import COORDINATOR, FACILITATOR, OFFICER, ROLES
from programme.extensions import db

_ROLE_LIST = ", ".join(f"'{role}'" for role in ROLES)


class User(Audited, UserMixin, db.Model):
    __tablename__ = "user_account"
    __audit_redact__ = frozenset({"password_hash", "totp_secret", "recovery_code_hashes"})
    # Sign-ins and sign-outs are audited as events of their own; these columns only follow them.
    __audit_ignore__ = frozenset({"version_id", "last_login_at", "totp_last_step", "session_version"})
    __table_args__ = (
        CheckConstraint(f"role IN ({_ROLE_LIST})", name="role_known"),
        CheckConstraint(f"role <> '{OFFICER}' OR facility_id IS NOT NULL", name="officer_has_facility"),
        CheckConstraint(
            f"role NOT IN ('{COORDINATOR}', '{FACILITATOR}') OR department_id IS NOT NULL",
            name="department_staff_have_department",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(255), unique=True)
    full_name: Mapped[str] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(20), index=True)
    facility_id: Mapped[int | None] = mapped_column(
        ForeignKey("facility.id", ondelete="RESTRICT"), index=True
    )
    department_id: Mapped[int | None] = mapped_column(
        ForeignKey("department.id", ondelete="RESTRICT"), index=True
    )
    password_hash: Mapped[str] = mapped_column(String(255))
    is_active_account: Mapped[bool] = mapped_column("is_active", Boolean, default=True)
    must_change_password: Mapped[bool] = mapped_column(Boolean, default=False)
    # Raised on logout, password change, deactivation and role change: every older session ends.
    session_version: Mapped[int] = mapped_column(Integer, default=1)
    locale: Mapped[str | None] = mapped_column(String(5))
    # Two-factor sign-in (TOTP, RFC 6238): the shared secret, the last time step accepted (no
    # replay of a code), and SHA-256 hashes of the unused one-time recovery codes.
    totp_secret: Mapped[str | None] = mapped_column(String(64))
    totp_last_step: Mapped[int | None] = mapped_column(Integer)
    recovery_code_hashes: Mapped[list] = mapped_column(JSON, default=list)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    last_login_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    version_id: Mapped[int] = mapped_column(Integer, default=1)

    facility = relationship("Facility", lazy="joined")
    department = relationship("Department", lazy="joined")

    __mapper_args__ = {"version_id_col": version_id}

    @property
    def is_active(self) -> bool:  # Flask-Login reads this
        return self.is_active_account

    def get_id(self) -> str:
        # The session version travels in the session: bumping it invalidates every old session.
        return f"{self.id}:{self.session_version}"

    @property
    def has_two_factor(self) -> bool:
        return bool(self.totp_secret)

    def __repr__(self) -> str:
        return f"<User {self.email} {self.role}>"


class LoginAttempt(db.Model):
    """One sign-in attempt; counted per account and per address to throttle guessing."""

    __tablename__ = "login_attempt"
    __table_args__ = (
        Index("ix_login_attempt_email_at", "email", "attempted_at"),
        Index("ix_login_attempt_addr_at", "remote_addr", "attempted_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(255))
    remote_addr: Mapped[str] = mapped_column(String(64))
    attempted_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    succeeded: Mapped[bool] = mapped_column(Boolean)
