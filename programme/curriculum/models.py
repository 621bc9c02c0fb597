"""Curricula and their versions; session plans belong to one version.

Publishing freezes a version; editing a published curriculum works on a new draft version, so a
cohort that ran version 2 keeps pointing at exactly the plans of version 2.

Texts live per language (kk, ru, en) in *_text tables: domain content is stored in the
database, not in message catalogues.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Boolean, DateTime, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from programme.audit.services import Audited
from programme.core.models import created_at_column, one_of, version_column
from programme.extensions import db

VERSION_STATUSES = ("draft", "published", "archived")
CONTENT_LANGUAGES = ("kk", "ru", "en")
STIMULUS_KINDS = ("thought_experiment", "story", "fable", "text", "picture")


class Curriculum(Audited, db.Model):
    __tablename__ = "curriculum"

    id: Mapped[int] = mapped_column(primary_key=True)
    department_id: Mapped[int] = mapped_column(ForeignKey("department.id", ondelete="RESTRICT"), index=True)
    # The curriculum this one was cloned from, if any (adaptation for another facility or language).
    cloned_from_id: Mapped[int | None] = mapped_column(ForeignKey("curriculum.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = created_at_column()
    version_id: Mapped[int] = version_column()

    department = relationship("Department")
    versions = relationship(
        "CurriculumVersion", back_populates="curriculum", order_by="CurriculumVersion.number"
    )

    __mapper_args__ = {"version_id_col": version_id}


class CurriculumVersion(Audited, db.Model):
    __tablename__ = "curriculum_version"
    __table_args__ = (
        UniqueConstraint("curriculum_id", "number", name="uq_curriculum_version_number"),
        one_of("status", VERSION_STATUSES, "status_known"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    curriculum_id: Mapped[int] = mapped_column(ForeignKey("curriculum.id", ondelete="CASCADE"), index=True)
    number: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(12), default="draft", index=True)
    # Languages this version declares complete-able, e.g. ["kk", "ru", "en"].
    languages: Mapped[list] = mapped_column(JSON, default=lambda: list(CONTENT_LANGUAGES))
    group_size: Mapped[int] = mapped_column(Integer, default=12)
    session_minutes: Mapped[int] = mapped_column(Integer, default=120)
    sessions_count: Mapped[int] = mapped_column(Integer, default=10)
    # Completion rule: share of held sessions attended, and whether excused absences count.
    completion_percent: Mapped[int] = mapped_column(Integer, default=75)
    excused_count_as_attended: Mapped[bool] = mapped_column(Boolean, default=True)
    published_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    published_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = created_at_column()
    version_id: Mapped[int] = version_column()

    curriculum = relationship("Curriculum", back_populates="versions")
    texts = relationship("CurriculumText", back_populates="curriculum_version", cascade="all, delete-orphan")
    plans = relationship(
        "SessionPlan",
        back_populates="curriculum_version",
        order_by="SessionPlan.position",
        cascade="all, delete-orphan",
    )

    __mapper_args__ = {"version_id_col": version_id}


class CurriculumText(Audited, db.Model):
    __tablename__ = "curriculum_text"
    __table_args__ = (UniqueConstraint("curriculum_version_id", "language", name="uq_curriculum_text_lang"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    curriculum_version_id: Mapped[int] = mapped_column(
        ForeignKey("curriculum_version.id", ondelete="CASCADE"), index=True
    )
    language: Mapped[str] = mapped_column(String(2))
    title: Mapped[str] = mapped_column(String(300), default="")
    summary: Mapped[str] = mapped_column(Text, default="")
    aims: Mapped[str] = mapped_column(Text, default="")

    curriculum_version = relationship("CurriculumVersion", back_populates="texts")


class SessionPlan(Audited, db.Model):
    __tablename__ = "session_plan"
    __table_args__ = (
        Index("ix_session_plan_version_position", "curriculum_version_id", "position"),
        one_of("stimulus_kind", STIMULUS_KINDS, "stimulus_kind_known"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    curriculum_version_id: Mapped[int] = mapped_column(
        ForeignKey("curriculum_version.id", ondelete="CASCADE"), index=True
    )
    position: Mapped[int] = mapped_column(Integer)
    # Stable across versions (copied into each new draft), so two versions of a plan can be compared.
    lineage: Mapped[str] = mapped_column(String(36), index=True)
    stimulus_kind: Mapped[str] = mapped_column(String(20), default="text")
    # The timed sequence: [{"kind": "check_in", "minutes": 10,
    #                       "texts": {"kk": {"title": ..., "guidance": ...}, ...}}, ...]
    steps: Mapped[list] = mapped_column(JSON, default=list)
    version_id: Mapped[int] = version_column()

    curriculum_version = relationship("CurriculumVersion", back_populates="plans")
    texts = relationship("SessionPlanText", back_populates="plan", cascade="all, delete-orphan")

    __mapper_args__ = {"version_id_col": version_id}

    @property
    def total_minutes(self) -> int:
        return sum(int(step.get("minutes") or 0) for step in self.steps or [])


class SessionPlanText(Audited, db.Model):
    __tablename__ = "session_plan_text"
    __table_args__ = (UniqueConstraint("plan_id", "language", name="uq_session_plan_text_lang"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("session_plan.id", ondelete="CASCADE"), index=True)
    language: Mapped[str] = mapped_column(String(2))
    title: Mapped[str] = mapped_column(String(300), default="")
    question: Mapped[str] = mapped_column(Text, default="")
    aims: Mapped[str] = mapped_column(Text, default="")
    # Key concepts as tags, one per line (searchable; see PlanConcept for filtering).
    concepts: Mapped[str] = mapped_column(Text, default="")
    stimulus_title: Mapped[str] = mapped_column(String(300), default="")
    stimulus_text: Mapped[str] = mapped_column(Text, default="")
    stimulus_source: Mapped[str] = mapped_column(Text, default="")
    follow_up_questions: Mapped[str] = mapped_column(Text, default="")
    safeguarding_notes: Mapped[str] = mapped_column(Text, default="")
    materials: Mapped[str] = mapped_column(Text, default="")
    handout_text: Mapped[str] = mapped_column(Text, default="")

    plan = relationship("SessionPlan", back_populates="texts")
