"""A curriculum as one JSON document ("pip-curriculum/1", the starter's format): export and import.

An import is checked whole before anything is written; any problem refuses all of it, with the
list of problems.
"""

from __future__ import annotations

import json

from flask_babel import gettext as _

from programme.audit.services import record
from programme.core.services import ValidationFailed, unit_of_work
from programme.curriculum.content import (
    CURRICULUM_TEXT_FIELDS,
    PLAN_TEXT_FIELDS,
    REQUIRED_CURRICULUM_FIELDS,
    REQUIRED_PLAN_FIELDS,
    STEP_KINDS,
    concept_list,
    language_label,
)
from programme.curriculum.editing import SETTING_LIMITS
from programme.curriculum.models import CONTENT_LANGUAGES, STIMULUS_KINDS, CurriculumVersion
from programme.curriculum.starter import FORMAT, create_version_from_document

MAX_DOCUMENT_BYTES = 2 * 1024 * 1024
MAX_PLANS = 60
SHORT_FIELDS = {"title": 300, "stimulus_title": 300}
LONG_FIELD = 20_000


def export_document(version: CurriculumVersion) -> dict:
    """The version as a document another department can import."""
    plans = []
    for plan in version.plans:
        texts = {}
        for row in sorted(plan.texts, key=lambda r: CONTENT_LANGUAGES.index(r.language)):
            fields = {name: getattr(row, name) or "" for name in PLAN_TEXT_FIELDS if name != "concepts"}
            fields["concepts"] = concept_list(row.concepts)
            texts[row.language] = fields
        plans.append({"stimulus_kind": plan.stimulus_kind, "texts": texts, "steps": plan.steps or []})
    return {
        "format": FORMAT,
        "curriculum": {
            "languages": list(version.languages),
            "group_size": version.group_size,
            "session_minutes": version.session_minutes,
            "sessions_count": version.sessions_count,
            "completion_percent": version.completion_percent,
            "excused_count_as_attended": version.excused_count_as_attended,
            "texts": {
                row.language: {name: getattr(row, name) or "" for name in CURRICULUM_TEXT_FIELDS}
                for row in sorted(version.texts, key=lambda r: CONTENT_LANGUAGES.index(r.language))
            },
            "plans": plans,
        },
    }


def export_json(version: CurriculumVersion) -> str:
    return json.dumps(export_document(version), ensure_ascii=False, indent=2)


def export_for_download(version: CurriculumVersion) -> str:
    """The document, with the export written to the audit trail (exports are deliberate)."""
    # Built first: the audit row's commit expires the loaded rows.
    document = export_json(version)
    with unit_of_work():
        record("export", "curriculum_version", version.id, {"format": FORMAT})
    return document


def _is_text(value) -> bool:
    return isinstance(value, str)


def _check_texts(where: str, texts, languages, fields, required, problems: list[str]) -> None:
    if not isinstance(texts, dict):
        problems.append(_('%(where)s: "texts" must be an object by language.', where=where))
        return
    for language in texts:
        if language not in CONTENT_LANGUAGES:
            problems.append(
                _('%(where)s: unknown language "%(code)s".', where=where, code=str(language)[:10])
            )
    for language in languages:
        entry = texts.get(language)
        if not isinstance(entry, dict):
            problems.append(
                _("%(where)s: no text in %(language)s.", where=where, language=language_label(language))
            )
            continue
        for name in required:
            value = entry.get(name)
            if name == "concepts":
                continue
            if not _is_text(value) or not value.strip():
                problems.append(
                    _(
                        '%(where)s, %(language)s: "%(field)s" is missing.',
                        where=where,
                        language=language_label(language),
                        field=name,
                    )
                )
    for entry in texts.values():
        if not isinstance(entry, dict):
            continue
        for name, value in entry.items():
            if name not in fields:
                problems.append(_('%(where)s: unknown field "%(field)s".', where=where, field=str(name)[:40]))
            elif name == "concepts":
                if not (isinstance(value, list) and all(_is_text(item) for item in value)) and not _is_text(
                    value
                ):
                    problems.append(_('%(where)s: "concepts" must be a list of words.', where=where))
            elif not _is_text(value):
                problems.append(_('%(where)s: "%(field)s" must be text.', where=where, field=name))
            elif len(value) > SHORT_FIELDS.get(name, LONG_FIELD):
                problems.append(_('%(where)s: "%(field)s" is too long.', where=where, field=name))


def _check_steps(where: str, steps, languages, session_minutes, problems: list[str]) -> None:
    if not isinstance(steps, list) or not steps:
        problems.append(_('%(where)s: "steps" must be a non-empty list.', where=where))
        return
    total = 0
    for number, step in enumerate(steps, start=1):
        label = _("%(where)s, step %(n)d", where=where, n=number)
        if not isinstance(step, dict):
            problems.append(_("%(where)s: must be an object.", where=label))
            continue
        if step.get("kind") not in STEP_KINDS:
            problems.append(_("%(where)s: unknown kind of step.", where=label))
        minutes = step.get("minutes")
        if not isinstance(minutes, int) or isinstance(minutes, bool) or minutes < 1:
            problems.append(_('%(where)s: "minutes" must be a whole number above 0.', where=label))
        else:
            total += minutes
        texts = step.get("texts")
        if not isinstance(texts, dict):
            problems.append(_('%(where)s: "texts" must be an object by language.', where=label))
            continue
        for language in languages:
            guidance = (
                (texts.get(language) or {}).get("guidance") if isinstance(texts.get(language), dict) else None
            )
            if not _is_text(guidance) or not guidance.strip():
                problems.append(
                    _("%(where)s, %(language)s: no guidance.", where=label, language=language_label(language))
                )
    if isinstance(session_minutes, int) and total > session_minutes:
        problems.append(
            _(
                "%(where)s: the steps take %(total)d minutes, more than the session's %(minutes)d.",
                where=where,
                total=total,
                minutes=session_minutes,
            )
        )


def document_problems(document) -> list[str]:
    """Everything wrong with a document; an empty list means it can be imported."""
    problems: list[str] = []
    if not isinstance(document, dict):
        return [_("The file is not a curriculum document.")]
    if document.get("format") != FORMAT:
        problems.append(_('The format must be "%(format)s".', format=FORMAT))
    body = document.get("curriculum")
    if not isinstance(body, dict):
        return [*problems, _('The document has no "curriculum" object.')]
    languages = body.get("languages")
    if (
        not isinstance(languages, list)
        or not languages
        or any(code not in CONTENT_LANGUAGES for code in languages)
    ):
        problems.append(_('"languages" must list some of kk, ru, en.'))
        languages = (
            [code for code in (languages or []) if code in CONTENT_LANGUAGES]
            if isinstance(languages, list)
            else []
        )
    for name, (low, high) in SETTING_LIMITS.items():
        value = body.get(name)
        if not isinstance(value, int) or isinstance(value, bool) or not low <= value <= high:
            problems.append(
                _(
                    '"%(field)s" must be a whole number from %(low)d to %(high)d.',
                    field=name,
                    low=low,
                    high=high,
                )
            )
    if not isinstance(body.get("excused_count_as_attended", True), bool):
        problems.append(_('"excused_count_as_attended" must be true or false.'))
    _check_texts(
        _("Curriculum"),
        body.get("texts"),
        languages,
        CURRICULUM_TEXT_FIELDS,
        REQUIRED_CURRICULUM_FIELDS,
        problems,
    )
    plans = body.get("plans")
    if not isinstance(plans, list) or not plans:
        problems.append(_('"plans" must be a non-empty list.'))
        return problems
    if len(plans) > MAX_PLANS:
        problems.append(_("At most %(n)d plans can be imported.", n=MAX_PLANS))
        return problems
    if isinstance(body.get("sessions_count"), int) and body["sessions_count"] != len(plans):
        problems.append(
            _(
                '"sessions_count" is %(declared)d but there are %(plans)d plans.',
                declared=body["sessions_count"],
                plans=len(plans),
            )
        )
    for number, plan in enumerate(plans, start=1):
        where = _("Session %(n)d", n=number)
        if not isinstance(plan, dict):
            problems.append(_("%(where)s: must be an object.", where=where))
            continue
        if plan.get("stimulus_kind") not in STIMULUS_KINDS:
            problems.append(_("%(where)s: unknown kind of stimulus.", where=where))
        _check_texts(where, plan.get("texts"), languages, PLAN_TEXT_FIELDS, REQUIRED_PLAN_FIELDS, problems)
        _check_steps(where, plan.get("steps"), languages, body.get("session_minutes"), problems)
    return problems


def parse_document(raw: bytes) -> dict:
    if len(raw) > MAX_DOCUMENT_BYTES:
        raise ValidationFailed({"": [_("The file is larger than 2 MB.")]})
    try:
        document = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise ValidationFailed(
            {"": [_("The file is not valid JSON: %(error)s", error=str(error)[:200])]}
        ) from error
    return document


def import_document(document, department_id: int) -> CurriculumVersion:
    """A new draft curriculum from a checked document; nothing is written if anything is wrong."""
    problems = document_problems(document)
    if problems:
        raise ValidationFailed({"": problems})
    return create_version_from_document(document, department_id, publish=False)
