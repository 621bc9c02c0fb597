"""Cohorts, their dated sessions, facilitators (profiles, passes, availability), closures, logs.

Times are stored in UTC (`starts_at`, `ends_at`) and shown in the facility's time zone.
"""

from __future__ import annotations

from datetime import date, datetime, time

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    DateTime,
    FetchedValue,
    ForeignKey,
    Index,
    Integer,
    SmallInteger,
    String,
    Text,
    Time,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from programme.audit.services import Audited
from programme.core.models import created_at_column, one_of, version_column
from programme.extensions import db

COHORT_STATUSES = ("planned", "running", "completed", "cancelled")
SESSION_STATUSES = ("scheduled", "held", "cancelled", "moved")
ASSIGNMENT_ROLES = ("lead", "co")
# The database's name for a facilitator booked twice (constraint on PostgreSQL, trigger message on
# SQLite), recognised in IntegrityError messages by services/assignment.py.
DOUBLE_BOOKING = "ex_session_assignment_no_overlap"


class Cohort(Audited, db.Model):
    """One run of a published curriculum version at one facility."""

    __tablename__ = "cohort"
    __table_args__ = (
        one_of("status", COHORT_STATUSES, "status_known"),
        one_of("language", ("kk", "ru", "en"), "language_known"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    facility_id: Mapped[int] = mapped_column(ForeignKey("facility.id", ondelete="RESTRICT"), index=True)
    department_id: Mapped[int] = mapped_column(ForeignKey("department.id", ondelete="RESTRICT"), index=True)
    curriculum_version_id: Mapped[int] = mapped_column(
        ForeignKey("curriculum_version.id", ondelete="RESTRICT"), index=True
    )
    language: Mapped[str] = mapped_column(String(2))
    capacity: Mapped[int] = mapped_column(Integer, default=12)
    room: Mapped[str] = mapped_column(String(100), default="")
    start_date: Mapped[date] = mapped_column(Date, index=True)
    # Weekly pattern: ISO weekdays (1 = Monday ... 7 = Sunday), local start time, duration.
    weekdays: Mapped[list] = mapped_column(JSON, default=list)
    start_time: Mapped[time] = mapped_column(Time)
    duration_minutes: Mapped[int] = mapped_column(Integer, default=120)
    status: Mapped[str] = mapped_column(String(12), default="planned", index=True)
    created_at: Mapped[datetime] = created_at_column()
    version_id: Mapped[int] = version_column()

    facility = relationship("Facility")
    department = relationship("Department")
    curriculum_version = relationship("CurriculumVersion")
    sessions = relationship(
        "ProgrammeSession", back_populates="cohort", order_by="ProgrammeSession.starts_at"
    )

    __mapper_args__ = {"version_id_col": version_id}


class ProgrammeSession(Audited, db.Model):
    """One dated meeting of a cohort ("session" alone is taken by the database session)."""

    __tablename__ = "programme_session"
    __table_args__ = (
        one_of("status", SESSION_STATUSES, "status_known"),
        Index("ix_programme_session_cohort_starts", "cohort_id", "starts_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    cohort_id: Mapped[int] = mapped_column(ForeignKey("cohort.id", ondelete="CASCADE"), index=True)
    plan_id: Mapped[int | None] = mapped_column(
        ForeignKey("session_plan.id", ondelete="RESTRICT"), index=True
    )
    sequence: Mapped[int] = mapped_column(Integer)  # 1-based order within the cohort
    starts_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)
    ends_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    room: Mapped[str] = mapped_column(String(100), default="")
    status: Mapped[str] = mapped_column(String(12), default="scheduled", index=True)
    cancel_reason: Mapped[str] = mapped_column(String(200), default="")
    version_id: Mapped[int] = version_column()

    cohort = relationship("Cohort", back_populates="sessions")
    plan = relationship("SessionPlan")
    assignments = relationship("SessionAssignment", back_populates="session", cascade="all, delete-orphan")

    __mapper_args__ = {"version_id_col": version_id}


class SessionAssignment(Audited, db.Model):
    """A facilitator's part in one session.

    The database itself refuses a facilitator booked on two overlapping sessions (not cancelled),
    so two coordinators assigning at the same moment cannot both succeed, whatever the app checks
    saw. Migration 0012 sets this up; the why:

    - PostgreSQL: the session's interval is copied onto the assignment (`starts_at`, `ends_at`,
      `session_cancelled`) and an EXCLUDE USING gist constraint (btree_gist) forbids two rows of
      one user whose intervals overlap. Exclusion constraints are checked against rows of
      concurrent, uncommitted transactions too (the second inserter waits, then fails), which a
      check before the insert cannot do. Triggers keep the copy true: a new assignment takes the
      session's times under a FOR SHARE lock of the session row (a concurrent move either commits
      first and is copied, or waits and then updates this row), and a moved or cancelled session
      updates its assignments.
    - SQLite: writes are serialised (BEGIN IMMEDIATE for requests), so triggers that
      RAISE(ABORT) on an overlap before the row is written are enough; the same copy is kept.

    The columns are written only by those triggers (hence nullable: SQLite fills them just after
    the insert). The travel buffer between facilities stays an application rule
    (services/conflicts.py).
    """

    __tablename__ = "session_assignment"
    __table_args__ = (
        UniqueConstraint("session_id", "role", name="uq_session_assignment_role"),
        UniqueConstraint("session_id", "user_id", name="uq_session_assignment_user"),
        one_of("role", ASSIGNMENT_ROLES, "role_known"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(
        ForeignKey("programme_session.id", ondelete="CASCADE"), index=True
    )
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="RESTRICT"), index=True)
    role: Mapped[str] = mapped_column(String(4))
    # Copies of the session's times and state, kept by database triggers (see the class comment).
    starts_at: Mapped[datetime | None] = mapped_column(
        DateTime(timezone=True), server_default=FetchedValue(), server_onupdate=FetchedValue()
    )
    ends_at: Mapped[datetime | None] = mapped_column(
        DateTime(timezone=True), server_default=FetchedValue(), server_onupdate=FetchedValue()
    )
    session_cancelled: Mapped[bool | None] = mapped_column(
        Boolean, server_default=FetchedValue(), server_onupdate=FetchedValue()
    )

    session = relationship("ProgrammeSession", back_populates="assignments")
    user = relationship("User")


class FacilitatorProfile(Audited, db.Model):
    __tablename__ = "facilitator_profile"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"), unique=True)
    languages: Mapped[list] = mapped_column(JSON, default=list)  # e.g. ["kk", "ru"]
    training_date: Mapped[date | None] = mapped_column(Date)
    max_sessions_per_week: Mapped[int] = mapped_column(Integer, default=3)
    # Secret for the personal iCal feed URL; replaced to revoke the old URL.
    calendar_token: Mapped[str | None] = mapped_column(String(64), unique=True)
    version_id: Mapped[int] = version_column()

    user = relationship("User")

    __mapper_args__ = {"version_id_col": version_id}


class AccessPass(Audited, db.Model):
    """Permission for a facilitator to enter one facility, valid for a date range (inclusive)."""

    __tablename__ = "access_pass"
    __table_args__ = (Index("ix_access_pass_user_facility", "user_id", "facility_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"), index=True)
    facility_id: Mapped[int] = mapped_column(ForeignKey("facility.id", ondelete="RESTRICT"), index=True)
    number: Mapped[str] = mapped_column(String(60))
    valid_from: Mapped[date] = mapped_column(Date)
    valid_until: Mapped[date] = mapped_column(Date)


class AvailabilitySlot(Audited, db.Model):
    """A weekly time window when a facilitator can run sessions (local time of the facility)."""

    __tablename__ = "availability_slot"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"), index=True)
    weekday: Mapped[int] = mapped_column(SmallInteger)  # ISO 1..7
    start_time: Mapped[time] = mapped_column(Time)
    end_time: Mapped[time] = mapped_column(Time)


class AvailabilityException(Audited, db.Model):
    """Dates a facilitator is away (holidays, exam weeks), inclusive."""

    __tablename__ = "availability_exception"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"), index=True)
    start_date: Mapped[date] = mapped_column(Date)
    end_date: Mapped[date] = mapped_column(Date)
    reason: Mapped[str] = mapped_column(String(200), default="")


class FacilityClosure(Audited, db.Model):
    """A closure or lockdown of a facility for a date range (inclusive)."""

    __tablename__ = "facility_closure"

    id: Mapped[int] = mapped_column(primary_key=True)
    facility_id: Mapped[int] = mapped_column(ForeignKey("facility.id", ondelete="CASCADE"), index=True)
    start_date: Mapped[date] = mapped_column(Date, index=True)
    end_date: Mapped[date] = mapped_column(Date)
    reason: Mapped[str] = mapped_column(String(200))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = created_at_column()


class SessionLog(Audited, db.Model):
    """What happened in a held session, written by its facilitator."""

    __tablename__ = "session_log"

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(
        ForeignKey("programme_session.id", ondelete="CASCADE"), unique=True
    )
    author_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    chosen_question: Mapped[str] = mapped_column(Text, default="")
    themes: Mapped[str] = mapped_column(Text, default="")
    engagement: Mapped[int | None] = mapped_column(SmallInteger)  # 1..5
    incidents: Mapped[str] = mapped_column(Text, default="")
    reflection: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = created_at_column()
    version_id: Mapped[int] = version_column()

    __mapper_args__ = {"version_id_col": version_id}
