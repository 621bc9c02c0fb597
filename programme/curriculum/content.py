"""What the fields of curricula and plans are called, which are required, and reading them per language.

Texts are stored per language; a reader sees their own language and, where a field is empty
there, another language's text marked as a fallback.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import lazy_gettext as _l

from programme.core.i18n import LANGUAGE_LABELS
from programme.curriculum.models import CONTENT_LANGUAGES, STIMULUS_KINDS

CURRICULUM_TEXT_FIELDS = ("title", "summary", "aims")
CURRICULUM_TEXT_LABELS = {"title": _l("Title"), "summary": _l("Summary"), "aims": _l("Aims")}

PLAN_TEXT_FIELDS = (
    "title",
    "question",
    "aims",
    "concepts",
    "stimulus_title",
    "stimulus_text",
    "stimulus_source",
    "follow_up_questions",
    "safeguarding_notes",
    "materials",
    "handout_text",
)
PLAN_TEXT_LABELS = {
    "title": _l("Title"),
    "question": _l("Philosophical question or theme"),
    "aims": _l("Aims"),
    "concepts": _l("Key concepts"),
    "stimulus_title": _l("Stimulus title"),
    "stimulus_text": _l("Stimulus"),
    "stimulus_source": _l("Source and attribution"),
    "follow_up_questions": _l("Follow-up questions for the facilitator"),
    "safeguarding_notes": _l("Safeguarding notes"),
    "materials": _l("Materials needed"),
    "handout_text": _l("Participants' handout"),
}
# A language of a plan is complete when these fields are filled in and every step has guidance.
REQUIRED_PLAN_FIELDS = (
    "title",
    "question",
    "aims",
    "stimulus_title",
    "stimulus_text",
    "follow_up_questions",
    "handout_text",
)
REQUIRED_CURRICULUM_FIELDS = ("title", "summary", "aims")

STATUS_LABELS = {"draft": _l("Draft"), "published": _l("Published"), "archived": _l("Archived")}

STIMULUS_KIND_LABELS = {
    "thought_experiment": _l("Thought experiment"),
    "story": _l("Story"),
    "fable": _l("Fable"),
    "text": _l("Text"),
    "picture": _l("Picture description"),
}
assert set(STIMULUS_KIND_LABELS) == set(STIMULUS_KINDS)

# The community-of-inquiry sequence (GUIDE §4) with its typical minutes in a 120-minute session.
STEP_KINDS = {
    "check_in": (_l("Welcome and check-in"), 10),
    "warm_up": (_l("Warm-up"), 10),
    "stimulus": (_l("Stimulus"), 10),
    "thinking_time": (_l("Thinking time"), 10),
    "question_making": (_l("Question making"), 15),
    "choosing_question": (_l("Choosing a question"), 10),
    "enquiry": (_l("Enquiry"), 45),
    "last_words": (_l("Last words"), 10),
    "other": (_l("Other activity"), 0),
}
STANDARD_SESSION_MINUTES = 120


def language_label(code: str) -> str:
    return str(LANGUAGE_LABELS.get(code, code))


def step_kind_label(kind: str) -> str:
    return str(STEP_KINDS.get(kind, STEP_KINDS["other"])[0])


def default_steps(session_minutes: int) -> list[dict]:
    """The standard sequence, its minutes scaled to the session length (never more than it)."""
    scale = session_minutes / STANDARD_SESSION_MINUTES
    return [
        {"kind": kind, "minutes": max(1, int(minutes * scale)), "texts": {}}
        for kind, (_label, minutes) in STEP_KINDS.items()
        if minutes
    ]


@dataclass(frozen=True)
class Shown:
    """A text as shown to a reader: the value and the language it is in (a fallback if not theirs)."""

    value: str
    language: str
    is_fallback: bool


def fallback_order(locale: str, languages) -> list[str]:
    first = [locale] if locale in CONTENT_LANGUAGES else []
    rest = [code for code in ("ru", "kk", "en") if code != locale]
    declared = [code for code in rest if code in (languages or ())]
    return first + declared + [code for code in rest if code not in declared]


def texts_by_language(rows) -> dict:
    return {row.language: row for row in rows}


def pick(rows, field: str, locale: str, languages=CONTENT_LANGUAGES) -> Shown:
    """The field in the reader's language, or the first other language that has it."""
    by_language = texts_by_language(rows)
    for code in fallback_order(locale, languages):
        row = by_language.get(code)
        value = getattr(row, field, "") if row is not None else ""
        if value and value.strip():
            return Shown(value, code, code != locale)
    return Shown("", locale, False)


def step_text(step: dict, field: str, locale: str, languages=CONTENT_LANGUAGES) -> Shown:
    texts = step.get("texts") or {}
    for code in fallback_order(locale, languages):
        value = (texts.get(code) or {}).get(field) or ""
        if value.strip():
            return Shown(value, code, code != locale)
    if field == "title":
        return Shown(step_kind_label(step.get("kind", "other")), locale, False)
    return Shown("", locale, False)


def concept_list(concepts: str) -> list[str]:
    return [line.strip() for line in (concepts or "").splitlines() if line.strip()]


def missing_plan_fields(plan, language: str) -> list[str]:
    """Labels of the required fields of a plan still empty in one language."""
    row = texts_by_language(plan.texts).get(language)
    missing = [
        str(PLAN_TEXT_LABELS[name])
        for name in REQUIRED_PLAN_FIELDS
        if row is None or not (getattr(row, name) or "").strip()
    ]
    if not plan.steps:
        missing.append(str(_l("Steps")))
    for number, step in enumerate(plan.steps or [], start=1):
        guidance = ((step.get("texts") or {}).get(language) or {}).get("guidance") or ""
        if not guidance.strip():
            missing.append(str(_l("Guidance for step %(n)d", n=number)))
    return missing


def missing_curriculum_fields(version, language: str) -> list[str]:
    row = texts_by_language(version.texts).get(language)
    return [
        str(CURRICULUM_TEXT_LABELS[name])
        for name in REQUIRED_CURRICULUM_FIELDS
        if row is None or not (getattr(row, name) or "").strip()
    ]
