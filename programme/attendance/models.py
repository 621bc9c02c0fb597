"""Attendance marks: one per enrolled person per session."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from programme.audit.services import Audited
from programme.core.models import one_of, utcnow, version_column
from programme.extensions import db

ATTENDANCE_STATUSES = ("present", "late", "excused", "absent")
ABSENCE_REASONS = ("court", "medical", "visit", "transfer", "lockdown", "refused", "other")


class AttendanceMark(Audited, db.Model):
    __tablename__ = "attendance_mark"
    __table_args__ = (
        UniqueConstraint("session_id", "participant_id", name="uq_attendance_mark_session_participant"),
        one_of("status", ATTENDANCE_STATUSES, "status_known"),
        one_of("reason", ABSENCE_REASONS, "reason_known"),
        Index("ix_attendance_mark_participant_status", "participant_id", "status"),
    )
    __audit_subject__ = "participant_id"  # the note is sealed in the audit trail (crypto-shredding)

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(
        ForeignKey("programme_session.id", ondelete="CASCADE"), index=True
    )
    participant_id: Mapped[int] = mapped_column(ForeignKey("participant.id", ondelete="CASCADE"), index=True)
    status: Mapped[str] = mapped_column(String(8))
    reason: Mapped[str | None] = mapped_column(String(10))
    note: Mapped[str] = mapped_column(Text, default="", info={"personal": True})
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    recorded_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    version_id: Mapped[int] = version_column()

    __mapper_args__ = {"version_id_col": version_id}
