"""Factories for curricula: a published version with plans, as scheduling and later domains need."""

from __future__ import annotations

import uuid

import pytest

from programme.curriculum.models import (
    Curriculum,
    CurriculumText,
    CurriculumVersion,
    SessionPlan,
    SessionPlanText,
)


@pytest.fixture
def make_curriculum_version(db, make_department):
    def factory(department_id: int | None = None, plans: int = 10, status: str = "published", **values):
        department_id = department_id or make_department().id
        curriculum = Curriculum(department_id=department_id)
        version = CurriculumVersion(
            curriculum=curriculum, number=1, status=status, sessions_count=plans, **values
        )
        for language in ("kk", "ru", "en"):
            version.texts.append(CurriculumText(language=language, title=f"Course ({language})"))
        for position in range(1, plans + 1):
            version.plans.append(
                SessionPlan(
                    position=position,
                    lineage=str(uuid.uuid4()),
                    stimulus_kind="story",
                    steps=[{"kind": "enquiry", "minutes": 90, "texts": {}}],
                    texts=[
                        SessionPlanText(language=lang, title=f"Session {position} ({lang})")
                        for lang in ("kk", "ru", "en")
                    ],
                )
            )
        db.session.add(curriculum)
        db.session.commit()
        return version

    return factory
