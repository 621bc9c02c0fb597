"""Instruments (versioned), their items and scoring rules; administrations, responses, scores.

An instrument with responses is locked: changing it makes a new version (same code, number + 1).
Scores are stored per response and subscale (and "TOTAL"), with the rule version they used, and
recomputed when a scoring rule is corrected.
"""

from __future__ import annotations

from datetime import date, datetime

import numpy as np
from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from programme.audit.services import Audited
from programme.core.models import created_at_column, one_of, version_column
from programme.extensions import db

INSTRUMENT_KINDS = ("scored", "categorical")
INSTRUMENT_STATUSES = ("draft", "active", "retired")
ITEM_TYPES = ("likert", "single_choice", "number", "text")
SCORING_METHODS = ("mean", "sum")
RESPONSE_STATUSES = ("in_progress", "awaiting_second_entry", "mismatch", "complete")
RESPONSE_MODES = ("paper", "kiosk")
MISSING_CODES = ("missing", "refused")
TOTAL_CODE = "TOTAL"


class Instrument(Audited, db.Model):
    __tablename__ = "instrument"
    __table_args__ = (
        UniqueConstraint("code", "number", name="uq_instrument_code_number"),
        one_of("kind", INSTRUMENT_KINDS, "kind_known"),
        one_of("status", INSTRUMENT_STATUSES, "status_known"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(40), index=True)
    number: Mapped[int] = mapped_column(Integer, default=1)  # version number within the code
    kind: Mapped[str] = mapped_column(String(12))
    status: Mapped[str] = mapped_column(String(10), default="draft")
    languages: Mapped[list] = mapped_column(JSON, default=list)
    # {"kk": {"name": ..., "purpose": ..., "instructions": ...}, "ru": {...}, "en": {...}}
    texts: Mapped[dict] = mapped_column(JSON, default=dict)
    # [{"name": "agree5", "choices": [{"value": 1, "texts": {"kk": ..., ...}}, ...]}, ...]
    choice_lists: Mapped[list] = mapped_column(JSON, default=list)
    # [{"code": "AFTER_RELEASE", "texts": {...}}]: headings for Table-1-style item blocks
    groups: Mapped[list] = mapped_column(JSON, default=list)
    # Raised whenever a scoring rule changes; stored scores record the version they used.
    scoring_version: Mapped[int] = mapped_column(Integer, default=1)
    created_at: Mapped[datetime] = created_at_column()
    version_id: Mapped[int] = version_column()

    items = relationship(
        "InstrumentItem",
        back_populates="instrument",
        order_by="InstrumentItem.position",
        cascade="all, delete-orphan",
    )
    subscales = relationship(
        "Subscale", back_populates="instrument", order_by="Subscale.position", cascade="all, delete-orphan"
    )

    __mapper_args__ = {"version_id_col": version_id}


class InstrumentItem(Audited, db.Model):
    __tablename__ = "instrument_item"
    __table_args__ = (
        UniqueConstraint("instrument_id", "code", name="uq_instrument_item_code"),
        one_of("item_type", ITEM_TYPES, "item_type_known"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    instrument_id: Mapped[int] = mapped_column(ForeignKey("instrument.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    code: Mapped[str] = mapped_column(String(40))
    item_type: Mapped[str] = mapped_column(String(16))
    choice_list: Mapped[str | None] = mapped_column(String(40))
    subscale_code: Mapped[str | None] = mapped_column(String(40))
    is_reverse: Mapped[bool] = mapped_column(Boolean, default=False)
    group_code: Mapped[str | None] = mapped_column(String(40))
    min_value: Mapped[float | None] = mapped_column(Float)  # Likert range or number bounds
    max_value: Mapped[float | None] = mapped_column(Float)
    texts: Mapped[dict] = mapped_column(JSON, default=dict)  # {"kk": "...", "ru": "...", "en": "..."}

    instrument = relationship("Instrument", back_populates="items")


class Subscale(Audited, db.Model):
    """A scoring rule: a subscale (or the TOTAL over all scored items)."""

    __tablename__ = "subscale"
    __table_args__ = (
        UniqueConstraint("instrument_id", "code", name="uq_subscale_code"),
        one_of("method", SCORING_METHODS, "method_known"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    instrument_id: Mapped[int] = mapped_column(ForeignKey("instrument.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer, default=0)
    code: Mapped[str] = mapped_column(String(40))
    texts: Mapped[dict] = mapped_column(JSON, default=dict)
    method: Mapped[str] = mapped_column(String(6), default="mean")
    min_answered_share: Mapped[float] = mapped_column(Float, default=0.8)
    prorate: Mapped[bool] = mapped_column(Boolean, default=False)

    instrument = relationship("Instrument", back_populates="subscales")


class Administration(Audited, db.Model):
    """An instrument given to a cohort at a timepoint (pre, post, followup_1, ...) in a window."""

    __tablename__ = "administration"
    __table_args__ = (
        UniqueConstraint("cohort_id", "instrument_id", "timepoint", name="uq_administration_timepoint"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    cohort_id: Mapped[int] = mapped_column(ForeignKey("cohort.id", ondelete="CASCADE"), index=True)
    instrument_id: Mapped[int] = mapped_column(ForeignKey("instrument.id", ondelete="RESTRICT"), index=True)
    timepoint: Mapped[str] = mapped_column(String(20), index=True)
    opens_on: Mapped[date] = mapped_column(Date)
    closes_on: Mapped[date] = mapped_column(Date)
    requires_double_entry: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = created_at_column()
    version_id: Mapped[int] = version_column()

    cohort = relationship("Cohort")
    instrument = relationship("Instrument")

    __mapper_args__ = {"version_id_col": version_id}


class Response(Audited, db.Model):
    __tablename__ = "response"
    __table_args__ = (
        UniqueConstraint(
            "administration_id", "participant_id", name="uq_response_administration_participant"
        ),
        one_of("status", RESPONSE_STATUSES, "status_known"),
        one_of("mode", RESPONSE_MODES, "mode_known"),
        # Progress counts filter by administration and status together; alone, SQLite picks the
        # status index (a third of the table) when the values are bound parameters.
        Index("ix_response_administration_status", "administration_id", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    administration_id: Mapped[int] = mapped_column(
        ForeignKey("administration.id", ondelete="CASCADE"), index=True
    )
    participant_id: Mapped[int] = mapped_column(ForeignKey("participant.id", ondelete="CASCADE"), index=True)
    status: Mapped[str] = mapped_column(String(24), default="in_progress", index=True)
    mode: Mapped[str] = mapped_column(String(6), default="paper")
    language: Mapped[str] = mapped_column(String(2), default="ru")
    answered_on: Mapped[date | None] = mapped_column(Date)
    entered_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    second_entered_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL")
    )
    completed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    version_id: Mapped[int] = version_column()

    administration = relationship("Administration")
    answers = relationship("Answer", back_populates="response", cascade="all, delete-orphan")
    scores = relationship("ResponseScore", back_populates="response", cascade="all, delete-orphan")

    __mapper_args__ = {"version_id_col": version_id}


class Answer(Audited, db.Model):
    """One item's answer; `entry` 1 is the first typing, 2 the blind second typing."""

    __tablename__ = "answer"
    __table_args__ = (
        UniqueConstraint("response_id", "item_id", "entry", name="uq_answer_response_item_entry"),
        one_of("missing_code", MISSING_CODES, "missing_code_known"),
    )
    # Free-text answers are sealed in the audit trail with the person's key (crypto-shredding).
    __audit_subject__ = ("response_id", "response")

    id: Mapped[int] = mapped_column(primary_key=True)
    response_id: Mapped[int] = mapped_column(ForeignKey("response.id", ondelete="CASCADE"), index=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("instrument_item.id", ondelete="RESTRICT"), index=True)
    entry: Mapped[int] = mapped_column(Integer, default=1)
    value_number: Mapped[float | None] = mapped_column(Float)
    value_text: Mapped[str | None] = mapped_column(Text, info={"personal": True})
    missing_code: Mapped[str | None] = mapped_column(String(8))

    response = relationship("Response", back_populates="answers")


class ResponseScore(db.Model):
    """A computed score (None when too few items were answered); recomputed, not audited."""

    __tablename__ = "response_score"
    __table_args__ = (
        UniqueConstraint("response_id", "subscale_code", name="uq_response_score_subscale"),
        Index("ix_response_score_subscale", "subscale_code"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    response_id: Mapped[int] = mapped_column(ForeignKey("response.id", ondelete="CASCADE"), index=True)
    subscale_code: Mapped[str] = mapped_column(String(40))
    score: Mapped[float | None] = mapped_column(Float)
    answered_count: Mapped[int] = mapped_column(Integer)
    item_count: Mapped[int] = mapped_column(Integer)
    scoring_version: Mapped[int] = mapped_column(Integer)

    response = relationship("Response", back_populates="scores")


class ResponseValues(db.Model):
    """A complete response in one row: the first-entry numbers of its scored items and its scores.

    A derived copy of its Answer and ResponseScore rows, written and deleted together with them
    (questionnaires.services.scores) and, like the scores, recomputed rather than audited (the
    answers are the record). The evaluation reads it for the whole country: one row per response
    instead of twenty answers and five scores. The numbers are stored as little-endian float64
    (NaN: an unanswered item, a score not computed), so thousands of rows become one numpy
    matrix without parsing any text (migration 0017; 0016 stored them as text). Deleted with its
    response by the database (ON DELETE CASCADE).
    """

    __tablename__ = "response_values"

    id: Mapped[int] = mapped_column(primary_key=True)
    response_id: Mapped[int] = mapped_column(ForeignKey("response.id", ondelete="CASCADE"), unique=True)
    item_codes: Mapped[str] = mapped_column(Text)  # "OPEN1 REASON1 ...": the instrument's order
    item_numbers: Mapped[bytes] = mapped_column(LargeBinary)  # float64s aligned with item_codes
    score_codes: Mapped[str] = mapped_column(Text)  # "OPEN REASON ... TOTAL": subscales and total
    score_numbers: Mapped[bytes] = mapped_column(LargeBinary)  # float64s aligned with score_codes

    @staticmethod
    def encode(values: dict[str, float | None], scores: dict[str, float | None]) -> dict:
        """The four columns for {item code: number or None} and {scale code: score or None}."""
        return {
            "item_codes": " ".join(values),
            "item_numbers": pack_numbers(values.values()),
            "score_codes": " ".join(scores),
            "score_numbers": pack_numbers(scores.values()),
        }


NUMBERS_DTYPE = "<f8"  # the stored format: little-endian float64, whatever the machine


def pack_numbers(values) -> bytes:
    numbers = [np.nan if value is None else float(value) for value in values]
    return np.array(numbers, dtype=NUMBERS_DTYPE).tobytes()


def unpack_numbers(blob: bytes) -> np.ndarray:
    """The numbers of one or more packed rows joined, as one float64 array (read-only)."""
    return np.frombuffer(blob, dtype=NUMBERS_DTYPE)
