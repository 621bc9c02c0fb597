"""Reading curricula: who sees what, finding, completeness, and the interface for other domains.

Everyone signed in reads published (and archived) versions; drafts are seen by the owning
department and admins. Coordinators of the owning department and admins edit. The rules are
applied in the queries, so another department's draft is a 404.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import func, literal, or_, select
from sqlalchemy.orm import joinedload, selectinload

from programme.core.permissions import ADMIN, COORDINATOR
from programme.curriculum.content import (
    fallback_order,
    missing_curriculum_fields,
    missing_plan_fields,
    pick,
)
from programme.curriculum.models import (
    CONTENT_LANGUAGES,
    Curriculum,
    CurriculumVersion,
    SessionPlan,
    SessionPlanText,
)
from programme.extensions import db

# --- who may see and edit -----------------------------------------------------------------------


def _own_department(user) -> bool:
    return user.role in (COORDINATOR, "facilitator") and user.department_id is not None


def visible_condition(user):
    """SQL condition on CurriculumVersion (joined to Curriculum): what this user may read."""
    if user.role == ADMIN:
        return literal(True)
    if _own_department(user):
        return or_(CurriculumVersion.status != "draft", Curriculum.department_id == user.department_id)
    return CurriculumVersion.status != "draft"


def editable_condition(user):
    """SQL condition on Curriculum: what this user may change."""
    if user.role == ADMIN:
        return literal(True)
    if user.role == COORDINATOR and user.department_id is not None:
        return Curriculum.department_id == user.department_id
    return literal(False)


def can_edit(user, curriculum: Curriculum) -> bool:
    if user.role == ADMIN:
        return True
    return user.role == COORDINATOR and user.department_id == curriculum.department_id


def get_curriculum_or_404(user, curriculum_id: int) -> Curriculum:
    """A curriculum of which this user may read at least one version."""
    query = (
        select(Curriculum)
        .join(CurriculumVersion, CurriculumVersion.curriculum_id == Curriculum.id)
        .where(Curriculum.id == curriculum_id, visible_condition(user))
        .limit(1)
    )
    return db.first_or_404(query)


def get_editable_curriculum_or_404(user, curriculum_id: int) -> Curriculum:
    return db.first_or_404(select(Curriculum).where(Curriculum.id == curriculum_id, editable_condition(user)))


def visible_versions(user, curriculum_id: int) -> list[CurriculumVersion]:
    """The versions of one curriculum this user may read, newest first, with their texts."""
    return list(
        db.session.execute(
            select(CurriculumVersion)
            .join(Curriculum)
            .where(CurriculumVersion.curriculum_id == curriculum_id, visible_condition(user))
            .options(selectinload(CurriculumVersion.texts))
            .order_by(CurriculumVersion.number.desc())
        ).scalars()
    )


def choose_version(versions: list[CurriculumVersion], number: int | None) -> CurriculumVersion | None:
    """The asked-for version, else the newest draft-or-published one, else the newest."""
    if number is not None:
        return next((v for v in versions if v.number == number), None)
    current = [v for v in versions if v.status in ("draft", "published")]
    return (current or versions or [None])[0]


def load_version_with_plans(version_id: int) -> CurriculumVersion:
    """One version with its texts, plans and plan texts, in a fixed number of queries."""
    return db.session.execute(
        select(CurriculumVersion)
        .where(CurriculumVersion.id == version_id)
        .options(
            joinedload(CurriculumVersion.curriculum).joinedload(Curriculum.department),
            selectinload(CurriculumVersion.texts),
            selectinload(CurriculumVersion.plans).selectinload(SessionPlan.texts),
        )
        .execution_options(populate_existing=True)
    ).scalar_one()


def get_plan_or_404(user, plan_id: int) -> SessionPlan:
    """A plan this user may read, with its version, curriculum and texts loaded."""
    query = (
        select(SessionPlan)
        .join(CurriculumVersion, SessionPlan.curriculum_version_id == CurriculumVersion.id)
        .join(Curriculum, CurriculumVersion.curriculum_id == Curriculum.id)
        .where(SessionPlan.id == plan_id, visible_condition(user))
        .options(
            selectinload(SessionPlan.texts),
            joinedload(SessionPlan.curriculum_version)
            .joinedload(CurriculumVersion.curriculum)
            .joinedload(Curriculum.department),
            joinedload(SessionPlan.curriculum_version).selectinload(CurriculumVersion.texts),
        )
    )
    return db.first_or_404(query)


def get_editable_plan_or_404(user, plan_id: int) -> SessionPlan:
    query = (
        select(SessionPlan)
        .join(CurriculumVersion, SessionPlan.curriculum_version_id == CurriculumVersion.id)
        .join(Curriculum, CurriculumVersion.curriculum_id == Curriculum.id)
        .where(SessionPlan.id == plan_id, editable_condition(user))
        .options(
            selectinload(SessionPlan.texts),
            joinedload(SessionPlan.curriculum_version).joinedload(CurriculumVersion.curriculum),
            joinedload(SessionPlan.curriculum_version).selectinload(CurriculumVersion.texts),
        )
    )
    return db.first_or_404(query)


@dataclass(frozen=True)
class PlanLink:
    """A plan as the navigation shows it: where it is and its title in the reader's language."""

    id: int
    title: str


def sibling_plans(plan: SessionPlan, language: str) -> list[PlanLink]:
    """The plans of the same version, in order, for navigation: ids and titles only, one query.

    Loading the whole plans would read every plan's steps (JSON with guidance in three languages)
    and every text of every plan, to show fifteen titles.
    """
    rows = db.session.execute(
        select(SessionPlan.id, SessionPlanText.language, SessionPlanText.title)
        .outerjoin(SessionPlanText, SessionPlanText.plan_id == SessionPlan.id)
        .where(SessionPlan.curriculum_version_id == plan.curriculum_version_id)
        .order_by(SessionPlan.position, SessionPlan.id)
    ).all()
    titles: dict[int, list] = {}
    for row in rows:
        titles.setdefault(row.id, []).extend([row] if row.language else [])
    languages = plan.curriculum_version.languages
    return [
        PlanLink(plan_id, pick(texts, "title", language, languages).value)
        for plan_id, texts in titles.items()
    ]


def plan_versions(user, plan: SessionPlan) -> list[tuple[SessionPlan, CurriculumVersion]]:
    """Every readable version of this plan (same lineage within the curriculum), newest first."""
    rows = db.session.execute(
        select(SessionPlan, CurriculumVersion)
        .join(CurriculumVersion, SessionPlan.curriculum_version_id == CurriculumVersion.id)
        .join(Curriculum, CurriculumVersion.curriculum_id == Curriculum.id)
        .where(
            SessionPlan.lineage == plan.lineage,
            CurriculumVersion.curriculum_id == plan.curriculum_version.curriculum_id,
            visible_condition(user),
        )
        .order_by(CurriculumVersion.number.desc())
    ).all()
    return [(row[0], row[1]) for row in rows]


def editable_drafts(user, exclude_version_id: int | None = None) -> list[CurriculumVersion]:
    """Draft versions this user may move plans into."""
    query = (
        select(CurriculumVersion)
        .join(Curriculum)
        .where(CurriculumVersion.status == "draft", editable_condition(user))
        .options(selectinload(CurriculumVersion.texts))
        .order_by(CurriculumVersion.curriculum_id)
    )
    if exclude_version_id:
        query = query.where(CurriculumVersion.id != exclude_version_id)
    return list(db.session.execute(query).scalars())


# --- completeness ---------------------------------------------------------------------------------


@dataclass
class Completeness:
    """Which languages of a version and of each plan are complete, and what is missing."""

    languages: list[str]
    curriculum: dict[str, list[str]] = field(default_factory=dict)  # language -> missing labels
    plans: dict[int, dict[str, list[str]]] = field(default_factory=dict)

    def plan_is_complete(self, plan_id: int, language: str) -> bool:
        return not self.plans.get(plan_id, {}).get(language)

    def language_is_complete(self, language: str) -> bool:
        return not self.curriculum.get(language) and all(
            not missing.get(language) for missing in self.plans.values()
        )


def completeness(version: CurriculumVersion) -> Completeness:
    """Computed from loaded rows (see load_version_with_plans): no queries of its own."""
    result = Completeness(languages=list(CONTENT_LANGUAGES))
    for language in CONTENT_LANGUAGES:
        result.curriculum[language] = missing_curriculum_fields(version, language)
    for plan in version.plans:
        result.plans[plan.id] = {
            language: missing_plan_fields(plan, language) for language in CONTENT_LANGUAGES
        }
    return result


def completeness_of_plan(plan: SessionPlan) -> dict[str, list[str]]:
    """Missing required fields of one plan, by language."""
    return {language: missing_plan_fields(plan, language) for language in CONTENT_LANGUAGES}


# --- interface for other domains ------------------------------------------------------------------


def plan_title(plan: SessionPlan, locale: str) -> str:
    """A plan's title in this language, or in another one if it has none there."""
    return pick(plan.texts, "title", locale).value


def version_title(version: CurriculumVersion, locale: str) -> str:
    return pick(version.texts, "title", locale).value


def published_versions(department_id: int | None = None) -> list[CurriculumVersion]:
    """Published versions (of one department, or all), with texts and plans, for choosing a course."""
    query = (
        select(CurriculumVersion)
        .join(Curriculum)
        .where(CurriculumVersion.status == "published")
        .options(
            selectinload(CurriculumVersion.texts),
            selectinload(CurriculumVersion.plans).selectinload(SessionPlan.texts),
        )
        .order_by(Curriculum.id, CurriculumVersion.number)
    )
    if department_id is not None:
        query = query.where(Curriculum.department_id == department_id)
    return list(db.session.execute(query).scalars())


def reader_languages(locale: str, version: CurriculumVersion) -> list[str]:
    return fallback_order(locale, version.languages)


def curriculum_counts(user) -> dict[str, int]:
    """Counts for the dashboard panel, in one query."""
    visible = select(func.count(CurriculumVersion.id)).join(Curriculum).where(visible_condition(user))
    row = db.session.execute(
        select(
            visible.where(CurriculumVersion.status == "published").scalar_subquery().label("published"),
            visible.where(CurriculumVersion.status == "draft").scalar_subquery().label("drafts"),
        )
    ).one()
    return {"published": row.published, "drafts": row.drafts}
