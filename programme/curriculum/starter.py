"""Loading a curriculum document (format "pip-curriculum/1") into a new draft or published version.

The starter curriculum shipped in starter/starter_curriculum.json uses this format; so do the
JSON exports departments share with each other.
"""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import select

from programme.core.services import unit_of_work
from programme.curriculum.models import (
    Curriculum,
    CurriculumText,
    CurriculumVersion,
    SessionPlan,
    SessionPlanText,
)
from programme.extensions import db

STARTER_PATH = Path(__file__).parent / "starter" / "starter_curriculum.json"
FORMAT = "pip-curriculum/1"
PLAN_TEXT_FIELDS = (
    "title",
    "question",
    "aims",
    "stimulus_title",
    "stimulus_text",
    "stimulus_source",
    "follow_up_questions",
    "safeguarding_notes",
    "materials",
    "handout_text",
)


def load_starter_document() -> dict:
    return json.loads(STARTER_PATH.read_text(encoding="utf-8"))


def _plan_texts(texts: dict) -> list[SessionPlanText]:
    rows = []
    for language, fields in texts.items():
        concepts = fields.get("concepts") or []
        if isinstance(concepts, list):
            concepts = "\n".join(concepts)
        rows.append(
            SessionPlanText(
                language=language,
                concepts=concepts,
                **{name: fields.get(name, "") for name in PLAN_TEXT_FIELDS},
            )
        )
    return rows


def _clean_step(step: dict) -> dict:
    """Only the known keys of a step, so a shared document cannot smuggle other data in."""
    texts = {
        language: {"title": str(entry.get("title") or ""), "guidance": str(entry.get("guidance") or "")}
        for language, entry in (step.get("texts") or {}).items()
        if isinstance(entry, dict)
    }
    return {"kind": step.get("kind", "other"), "minutes": int(step.get("minutes") or 0), "texts": texts}


def create_version_from_document(document: dict, department_id: int, *, publish: bool) -> CurriculumVersion:
    """Create a curriculum with one version holding the document's plans (checked by the caller)."""
    body = document["curriculum"]
    with unit_of_work():
        curriculum = Curriculum(department_id=department_id)
        version = CurriculumVersion(
            curriculum=curriculum,
            number=1,
            status="published" if publish else "draft",
            languages=list(body.get("languages") or ["kk", "ru", "en"]),
            group_size=body.get("group_size", 12),
            session_minutes=body.get("session_minutes", 120),
            sessions_count=body.get("sessions_count", len(body.get("plans", []))),
            completion_percent=body.get("completion_percent", 75),
            excused_count_as_attended=body.get("excused_count_as_attended", True),
            published_at=datetime.now(UTC) if publish else None,
        )
        for language, fields in body.get("texts", {}).items():
            version.texts.append(
                CurriculumText(
                    language=language,
                    title=fields.get("title", ""),
                    summary=fields.get("summary", ""),
                    aims=fields.get("aims", ""),
                )
            )
        for position, plan in enumerate(body.get("plans", []), start=1):
            version.plans.append(
                SessionPlan(
                    position=position,
                    lineage=str(uuid.uuid4()),
                    stimulus_kind=plan.get("stimulus_kind", "text"),
                    steps=[_clean_step(step) for step in plan.get("steps", [])],
                    texts=_plan_texts(plan.get("texts", {})),
                )
            )
        db.session.add(curriculum)
    return version


def find_starter_version(department_id: int) -> CurriculumVersion | None:
    """The department's published copy of the starter curriculum, found by its English title."""
    title = load_starter_document()["curriculum"]["texts"]["en"]["title"]
    return db.session.execute(
        select(CurriculumVersion)
        .join(Curriculum)
        .join(CurriculumText, CurriculumText.curriculum_version_id == CurriculumVersion.id)
        .where(
            Curriculum.department_id == department_id,
            CurriculumVersion.status == "published",
            CurriculumText.language == "en",
            CurriculumText.title == title,
        )
        .order_by(CurriculumVersion.number.desc())
        .limit(1)
    ).scalar_one_or_none()


def import_starter(department_id: int) -> CurriculumVersion:
    """Publish the starter curriculum for a department unless it already has it (idempotent)."""
    existing = find_starter_version(department_id)
    if existing is not None:
        return existing
    return create_version_from_document(load_starter_document(), department_id, publish=True)
