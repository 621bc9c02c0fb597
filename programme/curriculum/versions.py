"""Versions: publishing (which freezes), new drafts from published versions, archiving, clones, diffs.

A cohort points at a version and its sessions at that version's plans, so a published version
never changes: editing it copies it into a new draft whose plans keep their lineage.
"""

from __future__ import annotations

import difflib
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime

from flask_babel import gettext as _
from sqlalchemy import select

from programme.core.services import ValidationFailed, unit_of_work
from programme.curriculum.content import (
    CURRICULUM_TEXT_FIELDS,
    PLAN_TEXT_FIELDS,
    PLAN_TEXT_LABELS,
    language_label,
    step_kind_label,
    texts_by_language,
)
from programme.curriculum.editing import copy_plan
from programme.curriculum.models import Curriculum, CurriculumText, CurriculumVersion, SessionPlan
from programme.curriculum.services import completeness, plan_title
from programme.extensions import db

SETTINGS = (
    "languages",
    "group_size",
    "session_minutes",
    "sessions_count",
    "completion_percent",
    "excused_count_as_attended",
)


def latest_version(curriculum: Curriculum) -> CurriculumVersion:
    return db.session.execute(
        select(CurriculumVersion)
        .where(CurriculumVersion.curriculum_id == curriculum.id)
        .order_by(CurriculumVersion.number.desc())
        .limit(1)
    ).scalar_one()


def current_draft(curriculum: Curriculum) -> CurriculumVersion | None:
    return db.session.execute(
        select(CurriculumVersion).where(
            CurriculumVersion.curriculum_id == curriculum.id, CurriculumVersion.status == "draft"
        )
    ).scalar_one_or_none()


def _copy_version(source: CurriculumVersion, target: CurriculumVersion, *, keep_lineage: bool) -> None:
    for name in SETTINGS:
        value = getattr(source, name)
        setattr(target, name, list(value) if isinstance(value, list) else value)
    for row in source.texts:
        target.texts.append(
            CurriculumText(
                language=row.language, **{name: getattr(row, name) for name in CURRICULUM_TEXT_FIELDS}
            )
        )
    for plan in source.plans:
        lineage = plan.lineage if keep_lineage else str(uuid.uuid4())
        target.plans.append(copy_plan(plan, lineage=lineage, position=plan.position))


def start_draft(curriculum: Curriculum) -> CurriculumVersion:
    """The curriculum's draft: the existing one, or a copy of the newest version as number + 1."""
    existing = current_draft(curriculum)
    if existing is not None:
        return existing
    source = latest_version(curriculum)
    with unit_of_work():
        draft = CurriculumVersion(curriculum=curriculum, number=source.number + 1, status="draft")
        db.session.add(draft)
        _copy_version(source, draft, keep_lineage=True)
    return draft


def publish_problems(version: CurriculumVersion) -> list[str]:
    """Everything that stops this version being published, said so the author can fix it."""
    problems: list[str] = []
    if version.status != "draft":
        return [_("Only a draft version can be published.")]
    report = completeness(version)
    if not version.plans:
        problems.append(_("Add at least one session plan."))
    if len(version.plans) != version.sessions_count:
        problems.append(
            _(
                "The curriculum says it has %(declared)d sessions but it has %(plans)d plans. "
                "Change the number of sessions or the plans.",
                declared=version.sessions_count,
                plans=len(version.plans),
            )
        )
    for language in version.languages:
        missing = report.curriculum.get(language)
        if missing:
            problems.append(
                _(
                    "Curriculum, %(language)s: %(fields)s missing.",
                    language=language_label(language),
                    fields=", ".join(missing),
                )
            )
    for plan in version.plans:
        if plan.total_minutes > version.session_minutes:
            problems.append(
                _(
                    "Session %(n)d: its steps take %(total)d minutes, "
                    "more than the %(minutes)d of a session.",
                    n=plan.position,
                    total=plan.total_minutes,
                    minutes=version.session_minutes,
                )
            )
        for language in version.languages:
            missing = report.plans[plan.id].get(language)
            if missing:
                problems.append(
                    _(
                        "Session %(n)d «%(title)s», %(language)s: %(fields)s missing.",
                        n=plan.position,
                        title=plan_title(plan, language),
                        language=language_label(language),
                        fields=", ".join(missing),
                    )
                )
    return problems


def publish(version: CurriculumVersion, user_id: int | None) -> CurriculumVersion:
    """Freeze a complete draft; the version it replaces is archived (cohorts keep pointing at it)."""
    problems = publish_problems(version)
    if problems:
        raise ValidationFailed({"": problems})
    earlier = db.session.execute(
        select(CurriculumVersion).where(
            CurriculumVersion.curriculum_id == version.curriculum_id,
            CurriculumVersion.status == "published",
            CurriculumVersion.id != version.id,
        )
    ).scalars()
    with unit_of_work():
        for old in earlier:
            old.status = "archived"
        version.status = "published"
        version.published_at = datetime.now(UTC)
        version.published_by_id = user_id
    return version


def archive(curriculum: Curriculum) -> None:
    """Withdraw the published version (it stays readable for the cohorts that used it)."""
    published = (
        db.session.execute(
            select(CurriculumVersion).where(
                CurriculumVersion.curriculum_id == curriculum.id, CurriculumVersion.status == "published"
            )
        )
        .scalars()
        .all()
    )
    if not published:
        raise ValidationFailed(_("There is no published version to archive."))
    with unit_of_work():
        for version in published:
            version.status = "archived"


def clone(source: CurriculumVersion, department_id: int) -> CurriculumVersion:
    """A new curriculum (draft version 1) adapted from this version, for the given department."""
    with unit_of_work():
        curriculum = Curriculum(department_id=department_id, cloned_from_id=source.curriculum_id)
        draft = CurriculumVersion(curriculum=curriculum, number=1, status="draft")
        db.session.add_all([curriculum, draft])
        _copy_version(source, draft, keep_lineage=False)
    return draft


# --- differences between two versions of a plan ---------------------------------------------------


@dataclass(frozen=True)
class FieldDiff:
    label: str
    lines: list[tuple[str, str]]  # (kind, text), kind in "same", "added", "removed"


def _plan_as_fields(plan: SessionPlan, language: str) -> dict[str, str]:
    row = texts_by_language(plan.texts).get(language)
    fields = {
        str(PLAN_TEXT_LABELS[name]): (getattr(row, name) if row else "") or "" for name in PLAN_TEXT_FIELDS
    }
    steps = []
    for number, step in enumerate(plan.steps or [], start=1):
        texts = (step.get("texts") or {}).get(language) or {}
        title = texts.get("title") or step_kind_label(step.get("kind", "other"))
        steps.append(f"{number}. {title} ({step.get('minutes')} min)")
        if texts.get("guidance"):
            steps.append(f"   {texts['guidance']}")
    fields[_("Steps")] = "\n".join(steps)
    return fields


def diff_plans(older: SessionPlan, newer: SessionPlan, language: str) -> list[FieldDiff]:
    """Line differences field by field (only fields that differ)."""
    before = _plan_as_fields(older, language)
    after = _plan_as_fields(newer, language)
    result = []
    for label, old_text in before.items():
        new_text = after.get(label, "")
        if old_text == new_text:
            continue
        lines = []
        for line in difflib.ndiff(old_text.splitlines(), new_text.splitlines()):
            code, text = line[:2], line[2:]
            if code == "  ":
                lines.append(("same", text))
            elif code == "- ":
                lines.append(("removed", text))
            elif code == "+ ":
                lines.append(("added", text))
        result.append(FieldDiff(label, lines))
    return result
