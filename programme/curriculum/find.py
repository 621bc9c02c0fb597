"""Finding curricula and plans: by status, department, language, concept tag and full text."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Select, and_, exists, or_, select
from sqlalchemy.orm import joinedload, selectinload

from programme.curriculum.models import (
    CONTENT_LANGUAGES,
    Curriculum,
    CurriculumText,
    CurriculumVersion,
    SessionPlan,
    SessionPlanText,
)
from programme.curriculum.services import visible_condition

LIST_STATUSES = ("draft", "published", "archived")


# --- finding --------------------------------------------------------------------------------------


@dataclass
class Filters:
    status: str = ""
    department_id: int | None = None
    language: str = ""
    concept: str = ""
    text: str = ""

    @classmethod
    def from_args(cls, args) -> Filters:
        status = args.get("status", "")
        language = args.get("language", "")
        try:
            department_id = int(args.get("department") or 0) or None
        except ValueError:
            department_id = None
        return cls(
            status=status if status in LIST_STATUSES else "",
            department_id=department_id,
            language=language if language in CONTENT_LANGUAGES else "",
            concept=(args.get("concept") or "").strip()[:100],
            text=(args.get("q") or "").strip()[:200],
        )


def _variants(term: str) -> set[str]:
    # SQLite folds case for ASCII only; trying the usual spellings finds Cyrillic words too.
    return {term, term.lower(), term.upper(), term.capitalize()}


def _matches(columns, term: str):
    return or_(*(column.ilike(f"%{variant}%") for column in columns for variant in _variants(term)))


def _version_has_plan_text(condition):
    return exists(
        select(SessionPlan.id)
        .join(SessionPlanText, SessionPlanText.plan_id == SessionPlan.id)
        .where(SessionPlan.curriculum_version_id == CurriculumVersion.id, condition)
    )


def _concept_condition(concept: str):
    return _matches([SessionPlanText.concepts], concept)


def _plan_text_condition(term: str):
    return _matches(
        [
            SessionPlanText.title,
            SessionPlanText.question,
            SessionPlanText.concepts,
            SessionPlanText.stimulus_title,
            SessionPlanText.stimulus_text,
        ],
        term,
    )


def _common_filters(query: Select, filters: Filters) -> Select:
    if filters.status:
        query = query.where(CurriculumVersion.status == filters.status)
    else:
        query = query.where(CurriculumVersion.status != "archived")
    if filters.department_id:
        query = query.where(Curriculum.department_id == filters.department_id)
    return query


def find_versions(user, filters: Filters) -> Select:
    """Curriculum versions matching the filters (archived ones only when asked for)."""
    query = (
        select(CurriculumVersion)
        .join(Curriculum, CurriculumVersion.curriculum_id == Curriculum.id)
        .where(visible_condition(user))
        .options(
            selectinload(CurriculumVersion.texts),
            joinedload(CurriculumVersion.curriculum).joinedload(Curriculum.department),
        )
        .order_by(Curriculum.id.desc(), CurriculumVersion.number.desc())
    )
    query = _common_filters(query, filters)
    if filters.language:
        query = query.where(
            exists(
                select(CurriculumText.id).where(
                    CurriculumText.curriculum_version_id == CurriculumVersion.id,
                    CurriculumText.language == filters.language,
                    CurriculumText.title != "",
                )
            )
        )
    if filters.concept:
        query = query.where(_version_has_plan_text(_concept_condition(filters.concept)))
    if filters.text:
        in_curriculum = exists(
            select(CurriculumText.id).where(
                CurriculumText.curriculum_version_id == CurriculumVersion.id,
                _matches([CurriculumText.title, CurriculumText.summary, CurriculumText.aims], filters.text),
            )
        )
        query = query.where(or_(in_curriculum, _version_has_plan_text(_plan_text_condition(filters.text))))
    return query


def find_plans(user, filters: Filters) -> Select:
    """Session plans matching the filters, with their version and texts loaded for the list."""
    query = (
        select(SessionPlan)
        .join(CurriculumVersion, SessionPlan.curriculum_version_id == CurriculumVersion.id)
        .join(Curriculum, CurriculumVersion.curriculum_id == Curriculum.id)
        .where(visible_condition(user))
        .options(
            selectinload(SessionPlan.texts),
            joinedload(SessionPlan.curriculum_version).selectinload(CurriculumVersion.texts),
        )
        .order_by(Curriculum.id.desc(), CurriculumVersion.number.desc(), SessionPlan.position)
    )
    query = _common_filters(query, filters)

    def has_text(condition):
        return exists(select(SessionPlanText.id).where(SessionPlanText.plan_id == SessionPlan.id, condition))

    if filters.language:
        query = query.where(
            has_text(and_(SessionPlanText.language == filters.language, SessionPlanText.title != ""))
        )
    if filters.concept:
        query = query.where(has_text(_concept_condition(filters.concept)))
    if filters.text:
        query = query.where(has_text(_plan_text_condition(filters.text)))
    return query
