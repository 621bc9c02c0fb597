"""People in custody taking part (or, flagged, in the comparison group), consent and enrolment.

The study code is the pseudonym: evaluators and exports only ever see it. Names, facility
numbers and exact dates are for the person's own facility (and admins, audited).
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    SmallInteger,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from programme.audit.services import Audited
from programme.core.models import created_at_column, one_of, version_column
from programme.extensions import db

GENDERS = ("female", "male", "other")
EDUCATION_LEVELS = ("none", "primary", "basic_secondary", "secondary", "vocational", "higher")
OFFENCE_CATEGORIES = ("violent", "property", "drugs", "economic", "traffic", "other")
ENROLMENT_STATUSES = ("enrolled", "waitlisted", "completed", "withdrawn")
WITHDRAWAL_REASONS = ("released", "transferred", "voluntary", "disciplinary", "health")
WITHDRAWAL_CHOICES = ("stop_taking_part", "exclude_data")


class Participant(Audited, db.Model):
    __tablename__ = "participant"
    __table_args__ = (
        UniqueConstraint("facility_id", "facility_number", name="uq_participant_facility_number"),
        Index("ix_participant_facility_name", "facility_id", "full_name"),
        # The dashboards count a facility's registry (not the comparison group); with only the
        # single-column indexes SQLite walks every non-comparison person in the country.
        Index("ix_participant_facility_comparison", "facility_id", "is_comparison"),
    )
    __audit_redact__ = frozenset()
    # Columns marked personal enter the audit trail sealed with this person's key (crypto-shredding).
    __audit_subject__ = "id"

    id: Mapped[int] = mapped_column(primary_key=True)
    study_code: Mapped[str] = mapped_column(String(16), unique=True)
    facility_id: Mapped[int] = mapped_column(ForeignKey("facility.id", ondelete="RESTRICT"), index=True)
    # None once anonymised
    full_name: Mapped[str | None] = mapped_column(String(200), info={"personal": True})
    facility_number: Mapped[str | None] = mapped_column(String(40), info={"personal": True})
    birth_year: Mapped[int | None] = mapped_column(SmallInteger)
    gender: Mapped[str | None] = mapped_column(String(10))
    languages: Mapped[list] = mapped_column(JSON, default=list)
    education_level: Mapped[str | None] = mapped_column(String(20))
    offence_category: Mapped[str | None] = mapped_column(String(20), index=True)
    is_repeat_conviction: Mapped[bool | None] = mapped_column(Boolean)
    sentence_start: Mapped[date | None] = mapped_column(Date, info={"personal": True})
    expected_release: Mapped[date | None] = mapped_column(Date, index=True, info={"personal": True})
    notes: Mapped[str] = mapped_column(Text, default="", info={"personal": True})
    # People registered only to compare outcomes with participants (issue: recidivism follow-up).
    is_comparison: Mapped[bool] = mapped_column(Boolean, default=False, index=True)
    created_at: Mapped[datetime] = created_at_column()
    version_id: Mapped[int] = version_column()

    facility = relationship("Facility")
    consents = relationship("Consent", back_populates="participant", order_by="Consent.consented_on")
    enrolments = relationship("Enrolment", back_populates="participant")

    __mapper_args__ = {"version_id_col": version_id}


class ParticipantTransfer(Audited, db.Model):
    __tablename__ = "participant_transfer"

    id: Mapped[int] = mapped_column(primary_key=True)
    participant_id: Mapped[int] = mapped_column(ForeignKey("participant.id", ondelete="CASCADE"), index=True)
    from_facility_id: Mapped[int] = mapped_column(ForeignKey("facility.id", ondelete="RESTRICT"), index=True)
    to_facility_id: Mapped[int] = mapped_column(ForeignKey("facility.id", ondelete="RESTRICT"), index=True)
    transferred_on: Mapped[date] = mapped_column(Date)
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))

    from_facility = relationship("Facility", foreign_keys=[from_facility_id], lazy="joined")
    to_facility = relationship("Facility", foreign_keys=[to_facility_id], lazy="joined")


class Consent(Audited, db.Model):
    """A consent given on a date under a form version; withdrawn later with the person's choice."""

    __tablename__ = "consent"
    __table_args__ = (
        one_of("withdrawal_choice", WITHDRAWAL_CHOICES, "withdrawal_choice_known"),
        # "Holds a consent not withdrawn" is probed once per person by the registry counts and
        # scopes: covering, it needs no table lookup.
        Index("ix_consent_participant_withdrawn", "participant_id", "withdrawn_on"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    participant_id: Mapped[int] = mapped_column(ForeignKey("participant.id", ondelete="CASCADE"), index=True)
    consented_on: Mapped[date] = mapped_column(Date)
    form_version: Mapped[str] = mapped_column(String(40))
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    withdrawn_on: Mapped[date | None] = mapped_column(Date)
    withdrawal_choice: Mapped[str | None] = mapped_column(String(20))

    participant = relationship("Participant", back_populates="consents")

    @property
    def is_active(self) -> bool:
        return self.withdrawn_on is None


class Enrolment(Audited, db.Model):
    __tablename__ = "enrolment"
    __table_args__ = (
        UniqueConstraint("participant_id", "cohort_id", name="uq_enrolment_participant_cohort"),
        one_of("status", ENROLMENT_STATUSES, "status_known"),
        one_of("withdrawal_reason", WITHDRAWAL_REASONS, "withdrawal_reason_known"),
        Index("ix_enrolment_cohort_status", "cohort_id", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    participant_id: Mapped[int] = mapped_column(ForeignKey("participant.id", ondelete="CASCADE"), index=True)
    cohort_id: Mapped[int] = mapped_column(ForeignKey("cohort.id", ondelete="CASCADE"), index=True)
    status: Mapped[str] = mapped_column(String(12), default="enrolled")
    enrolled_on: Mapped[date] = mapped_column(Date)
    waitlist_position: Mapped[int | None] = mapped_column(Integer)
    withdrawn_on: Mapped[date | None] = mapped_column(Date)
    withdrawal_reason: Mapped[str | None] = mapped_column(String(20))
    # Attendance rate when the cohort ended (share of held sessions attended), kept for evaluation.
    final_attendance_rate: Mapped[float | None] = mapped_column()
    completed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    version_id: Mapped[int] = version_column()

    participant = relationship("Participant", back_populates="enrolments")
    cohort = relationship("Cohort")

    __mapper_args__ = {"version_id_col": version_id}
