"""Releases and follow-up checks after release (reconviction outcomes)."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Boolean, Date, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from programme.audit.services import Audited
from programme.core.models import created_at_column, one_of, version_column
from programme.extensions import db

RELEASE_TYPES = ("end_of_sentence", "conditional_early", "probation", "amnesty", "other")
CHECK_SOURCES = ("probation", "court_records", "self_report", "other")
CHECK_OUTCOMES = (
    "no_new_conviction",
    "reconvicted",
    "returned_to_custody",
    "deceased",
    "left_country",
    "lost_to_follow_up",
)


class Release(Audited, db.Model):
    __tablename__ = "release"
    __table_args__ = (one_of("release_type", RELEASE_TYPES, "release_type_known"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    participant_id: Mapped[int] = mapped_column(ForeignKey("participant.id", ondelete="CASCADE"), unique=True)
    released_on: Mapped[date] = mapped_column(Date, index=True)
    release_type: Mapped[str] = mapped_column(String(20))
    probation_region: Mapped[str | None] = mapped_column(String(30))
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = created_at_column()
    version_id: Mapped[int] = version_column()

    participant = relationship("Participant")

    __mapper_args__ = {"version_id_col": version_id}


class FollowUpCheck(Audited, db.Model):
    __tablename__ = "followup_check"
    __table_args__ = (
        one_of("source", CHECK_SOURCES, "source_known"),
        one_of("outcome", CHECK_OUTCOMES, "outcome_known"),
        Index("ix_followup_check_due_open", "checked_on", "due_on"),
        # One scheduled check per person and follow-up point (6, 12, 24 months...).
        UniqueConstraint("participant_id", "months_after_release", name="uq_followup_check_point"),
    )
    __audit_subject__ = "participant_id"  # notes are sealed in the audit trail (crypto-shredding)

    id: Mapped[int] = mapped_column(primary_key=True)
    participant_id: Mapped[int] = mapped_column(ForeignKey("participant.id", ondelete="CASCADE"), index=True)
    months_after_release: Mapped[int] = mapped_column()
    due_on: Mapped[date] = mapped_column(Date, index=True)
    checked_on: Mapped[date | None] = mapped_column(Date)
    source: Mapped[str | None] = mapped_column(String(20))
    outcome: Mapped[str | None] = mapped_column(String(24))
    offence_date: Mapped[date | None] = mapped_column(Date)
    conviction_date: Mapped[date | None] = mapped_column(Date)
    offence_category: Mapped[str | None] = mapped_column(String(20))
    is_custodial: Mapped[bool | None] = mapped_column(Boolean)
    notes: Mapped[str] = mapped_column(Text, default="", info={"personal": True})
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    version_id: Mapped[int] = version_column()

    participant = relationship("Participant")

    __mapper_args__ = {"version_id_col": version_id}
