"""Changing drafts: curriculum settings and texts, plans, steps, order, duplicates, moves.

Only draft versions change; a published or archived version is frozen (see versions.py for
starting a new draft from it).
"""

from __future__ import annotations

import copy
import uuid

from flask_babel import gettext as _
from flask_babel import ngettext

from programme.core.services import ValidationFailed, check_version, unit_of_work
from programme.curriculum.content import (
    CURRICULUM_TEXT_FIELDS,
    PLAN_TEXT_FIELDS,
    STATUS_LABELS,
    STEP_KINDS,
    default_steps,
    texts_by_language,
)
from programme.curriculum.models import (
    CONTENT_LANGUAGES,
    STIMULUS_KINDS,
    Curriculum,
    CurriculumText,
    CurriculumVersion,
    SessionPlan,
    SessionPlanText,
)
from programme.extensions import db

SETTING_LIMITS = {
    "group_size": (1, 40),
    "session_minutes": (15, 480),
    "sessions_count": (1, 60),
    "completion_percent": (1, 100),
}
MAX_STEPS = 20
MAX_TEXT = 20_000


def require_draft(version: CurriculumVersion) -> None:
    if version.status != "draft":
        raise ValidationFailed(
            _(
                "This version is %(status)s and cannot change. Start a new draft version to edit it.",
                status=str(STATUS_LABELS.get(version.status, version.status)).lower(),
            )
        )


def _check_language(language: str) -> None:
    if language not in CONTENT_LANGUAGES:
        raise ValidationFailed(_("Choose Kazakh, Russian or English."))


def _clean_settings(values: dict) -> dict:
    problems: dict[str, list[str]] = {}
    clean: dict = {}
    for name, (low, high) in SETTING_LIMITS.items():
        if name not in values:
            continue
        try:
            number = int(values[name])
        except (TypeError, ValueError):
            number = None
        if number is None or not low <= number <= high:
            problems[name] = [_("Enter a whole number from %(low)d to %(high)d.", low=low, high=high)]
        else:
            clean[name] = number
    if "languages" in values:
        languages = [code for code in CONTENT_LANGUAGES if code in (values["languages"] or [])]
        if not languages:
            problems["languages"] = [_("Choose at least one language.")]
        clean["languages"] = languages
    if "excused_count_as_attended" in values:
        clean["excused_count_as_attended"] = bool(values["excused_count_as_attended"])
    if problems:
        raise ValidationFailed(problems)
    return clean


def _set_texts(rows, owner_append, language: str, values: dict, fields, factory):
    by_language = texts_by_language(rows)
    row = by_language.get(language)
    if row is None:
        row = factory(language=language)
        owner_append(row)
    for name in fields:
        if name in values:
            text = (values[name] or "").replace("\r\n", "\n").strip()
            setattr(row, name, text[:300] if name in ("title", "stimulus_title") else text[:MAX_TEXT])
    return row


def _check_plan_minutes(version: CurriculumVersion, plans) -> None:
    over = [plan.position for plan in plans if plan.total_minutes > version.session_minutes]
    if over:
        raise ValidationFailed.on(
            "session_minutes",
            _(
                "Sessions %(positions)s have steps longer than %(minutes)d minutes. "
                "Shorten their steps first, or keep the session longer.",
                positions=", ".join(str(p) for p in over),
                minutes=version.session_minutes,
            ),
        )


def create_curriculum(department_id: int, values: dict, language: str) -> CurriculumVersion:
    """A new curriculum with a first draft version holding its texts in one language."""
    _check_language(language)
    settings = _clean_settings(values)
    if not (values.get("title") or "").strip():
        raise ValidationFailed.on("title", _("Give the curriculum a title."))
    with unit_of_work():
        curriculum = Curriculum(department_id=department_id)
        version = CurriculumVersion(curriculum=curriculum, number=1, status="draft", **settings)
        _set_texts(
            version.texts, version.texts.append, language, values, CURRICULUM_TEXT_FIELDS, CurriculumText
        )
        db.session.add(curriculum)
    return version


def update_curriculum(
    version: CurriculumVersion, values: dict, language: str, token: int | None = None
) -> CurriculumVersion:
    require_draft(version)
    check_version(version, token)
    _check_language(language)
    settings = _clean_settings(values)
    if "session_minutes" in settings:
        probe = CurriculumVersion(session_minutes=settings["session_minutes"])
        _check_plan_minutes(probe, version.plans)
    with unit_of_work():
        for name, value in settings.items():
            setattr(version, name, value)
        _set_texts(
            version.texts, version.texts.append, language, values, CURRICULUM_TEXT_FIELDS, CurriculumText
        )
    return version


# --- plans ----------------------------------------------------------------------------------------


def _renumber(plans) -> None:
    for position, plan in enumerate(plans, start=1):
        if plan.position != position:
            plan.position = position


def create_plan(version: CurriculumVersion, values: dict, language: str) -> SessionPlan:
    require_draft(version)
    _check_language(language)
    kind = values.get("stimulus_kind") or "text"
    if kind not in STIMULUS_KINDS:
        raise ValidationFailed.on("stimulus_kind", _("Choose a kind of stimulus from the list."))
    if not (values.get("title") or "").strip():
        raise ValidationFailed.on("title", _("Give the session a title."))
    with unit_of_work():
        plan = SessionPlan(
            position=len(version.plans) + 1,
            lineage=str(uuid.uuid4()),
            stimulus_kind=kind,
            steps=default_steps(version.session_minutes),
        )
        version.plans.append(plan)
        _set_texts(plan.texts, plan.texts.append, language, values, PLAN_TEXT_FIELDS, SessionPlanText)
    return plan


def update_plan(plan: SessionPlan, values: dict, language: str, token: int | None = None) -> SessionPlan:
    require_draft(plan.curriculum_version)
    check_version(plan, token)
    _check_language(language)
    kind = values.get("stimulus_kind", plan.stimulus_kind)
    if kind not in STIMULUS_KINDS:
        raise ValidationFailed.on("stimulus_kind", _("Choose a kind of stimulus from the list."))
    with unit_of_work():
        plan.stimulus_kind = kind
        _set_texts(plan.texts, plan.texts.append, language, values, PLAN_TEXT_FIELDS, SessionPlanText)
    return plan


def clean_steps(rows: list[dict], session_minutes: int) -> list[dict]:
    """Check a submitted sequence of steps; blank rows are dropped. Raises with every problem."""
    problems: list[str] = []
    kept = []
    for number, row in enumerate(rows, start=1):
        minutes_raw = row.get("minutes")
        title = (row.get("title") or "").strip()
        guidance = (row.get("guidance") or "").strip()
        if minutes_raw in (None, "") and not title and not guidance:
            continue
        try:
            minutes = int(minutes_raw)
        except (TypeError, ValueError):
            minutes = None
        if minutes is None or not 1 <= minutes <= session_minutes:
            problems.append(
                _("Step %(n)d: enter its minutes, from 1 to %(max)d.", n=number, max=session_minutes)
            )
            continue
        kind = row.get("kind") if row.get("kind") in STEP_KINDS else "other"
        kept.append({"kind": kind, "minutes": minutes, "title": title[:200], "guidance": guidance[:MAX_TEXT]})
    if not kept and not problems:
        problems.append(_("A session needs at least one step."))
    if len(kept) > MAX_STEPS:
        problems.append(_("Use at most %(n)d steps.", n=MAX_STEPS))
    total = sum(step["minutes"] for step in kept)
    if total > session_minutes:
        problems.append(
            ngettext(
                "The steps add up to %(total)d minutes but a session lasts %(num)d minute.",
                "The steps add up to %(total)d minutes but a session lasts %(num)d minutes.",
                session_minutes,
                total=total,
            )
            + " "
            + _("Shorten the steps by %(over)d minutes in all.", over=total - session_minutes)
        )
    if problems:
        raise ValidationFailed({"": problems})
    return kept


def update_steps(plan: SessionPlan, rows: list[dict], language: str, token: int | None = None) -> SessionPlan:
    """Replace the sequence of steps; titles and guidance are written in one language.

    Rows keep their index: row i carries over the other languages' texts of the step that was at i.
    """
    version = plan.curriculum_version
    require_draft(version)
    check_version(plan, token)
    _check_language(language)
    kept = clean_steps(rows, version.session_minutes)
    old_steps = plan.steps or []
    new_steps = []
    for index, step in enumerate(kept):
        previous = old_steps[index] if index < len(old_steps) else {}
        texts = copy.deepcopy(previous.get("texts") or {})
        texts[language] = {"title": step["title"], "guidance": step["guidance"]}
        new_steps.append({"kind": step["kind"], "minutes": step["minutes"], "texts": texts})
    with unit_of_work():
        plan.steps = new_steps  # a new list: JSON columns notice reassignment, not mutation
    return plan


def move_plan(plan: SessionPlan, direction: str) -> None:
    version = plan.curriculum_version
    require_draft(version)
    plans = list(version.plans)
    index = plans.index(plan)
    target = index - 1 if direction == "up" else index + 1
    if not 0 <= target < len(plans):
        return
    plans[index], plans[target] = plans[target], plans[index]
    with unit_of_work():
        _renumber(plans)


def copy_plan(plan: SessionPlan, *, lineage: str, position: int) -> SessionPlan:
    return SessionPlan(
        position=position,
        lineage=lineage,
        stimulus_kind=plan.stimulus_kind,
        steps=copy.deepcopy(plan.steps or []),
        texts=[
            SessionPlanText(language=row.language, **{name: getattr(row, name) for name in PLAN_TEXT_FIELDS})
            for row in plan.texts
        ],
    )


def duplicate_plan(plan: SessionPlan) -> SessionPlan:
    """A copy placed right after the original, as a new plan (its own lineage)."""
    version = plan.curriculum_version
    require_draft(version)
    plans = list(version.plans)
    duplicate = copy_plan(plan, lineage=str(uuid.uuid4()), position=plan.position + 1)
    with unit_of_work():
        plans.insert(plans.index(plan) + 1, duplicate)
        version.plans.append(duplicate)
        _renumber(plans)
    return duplicate


def transfer_plan(plan: SessionPlan, target: CurriculumVersion) -> SessionPlan:
    """Move a plan to the end of another draft curriculum."""
    source = plan.curriculum_version
    require_draft(source)
    require_draft(target)
    if target.id == source.id:
        raise ValidationFailed(_("Choose another curriculum."))
    if plan.total_minutes > target.session_minutes:
        raise ValidationFailed(
            _(
                "This session's steps take %(total)d minutes; sessions of that curriculum last %(minutes)d.",
                total=plan.total_minutes,
                minutes=target.session_minutes,
            )
        )
    with unit_of_work():
        remaining = [p for p in source.plans if p.id != plan.id]
        position = len(target.plans) + 1
        plan.curriculum_version = target  # leaves source.plans, joins target.plans
        plan.position = position
        _renumber(remaining)
    return plan


def delete_plan(plan: SessionPlan) -> None:
    version = plan.curriculum_version
    require_draft(version)
    with unit_of_work():
        remaining = [p for p in version.plans if p.id != plan.id]
        version.plans.remove(plan)
        _renumber(remaining)
