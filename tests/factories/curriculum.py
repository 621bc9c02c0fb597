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


KAZAKH_HANDOUT = (
    "Тесей кемесі: барлық тақтай ауыстырылса, бұл сол кеме ме? Ойланатын сұрақтар: әділдік, үміт, ғұмыр."
)


def _complete_plan_text(language: str, position: int) -> SessionPlanText:
    return SessionPlanText(
        language=language,
        title=f"Session {position} ({language})",
        question=f"What is justice? ({language})",
        aims=f"Aim ({language})",
        concepts=f"justice\nfairness {position}",
        stimulus_title=f"The ring of Gyges ({language})",
        stimulus_text=f"A shepherd finds a ring ({language}).",
        stimulus_source="Plato, Republic II",
        follow_up_questions=f"Why? ({language})",
        safeguarding_notes=f"SECRET-FACILITATOR-NOTE ({language})",
        materials="Flipchart",
        handout_text=KAZAKH_HANDOUT if language == "kk" else f"Handout ({language})",
    )


@pytest.fixture
def make_complete_version(db, make_department):
    """A version complete in the given languages (a draft unless told), ready to publish."""

    def factory(
        department_id: int | None = None,
        plans: int = 3,
        languages=("kk", "ru", "en"),
        status: str = "draft",
        session_minutes: int = 120,
    ) -> CurriculumVersion:
        department_id = department_id or make_department().id
        curriculum = Curriculum(department_id=department_id)
        version = CurriculumVersion(
            curriculum=curriculum,
            number=1,
            status=status,
            languages=list(languages),
            sessions_count=plans,
            session_minutes=session_minutes,
        )
        for language in languages:
            version.texts.append(
                CurriculumText(
                    language=language, title=f"Course ({language})", summary="Summary", aims="Aims"
                )
            )
        for position in range(1, plans + 1):
            steps = [
                {
                    "kind": kind,
                    "minutes": minutes,
                    "texts": {lang: {"title": "", "guidance": f"Do {kind} ({lang})"} for lang in languages},
                }
                for kind, minutes in (("check_in", 10), ("stimulus", 20), ("enquiry", 60))
            ]
            version.plans.append(
                SessionPlan(
                    position=position,
                    lineage=str(uuid.uuid4()),
                    stimulus_kind="thought_experiment",
                    steps=steps,
                    texts=[_complete_plan_text(language, position) for language in languages],
                )
            )
        db.session.add(curriculum)
        db.session.commit()
        return version

    return factory
