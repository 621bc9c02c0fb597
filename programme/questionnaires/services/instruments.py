"""Instruments: versions, the lock once responses exist, the builder's changes, shipped files."""

from __future__ import annotations

import copy
import json
from pathlib import Path

from flask_babel import gettext as _
from sqlalchemy import Select, func, select
from sqlalchemy.orm import selectinload

from programme.audit.services import record
from programme.core.services import ValidationFailed, unit_of_work
from programme.extensions import db
from programme.questionnaires.models import (
    TOTAL_CODE,
    Administration,
    Instrument,
    InstrumentItem,
    Response,
    Subscale,
)
from programme.questionnaires.services.definitions import (
    LANGUAGES,
    DefinitionProblems,
    check_definition,
    definition_of,
    instrument_from_definition,
    rule_problems,
)

SHIPPED_DIR = Path(__file__).resolve().parent.parent / "instruments"
SHIPPED_FILES = ("reflection.json", "resocialisation_survey.json")


def list_instruments() -> Select:
    return (
        select(Instrument)
        .options(selectinload(Instrument.items))
        .order_by(Instrument.code, Instrument.number.desc())
    )


def get_instrument_or_404(instrument_id: int) -> Instrument:
    return db.get_or_404(Instrument, instrument_id)


def is_locked(instrument: Instrument) -> bool:
    """An instrument with any response is locked: its content can no longer change."""
    query = (
        select(Response.id)
        .join(Administration, Response.administration_id == Administration.id)
        .where(Administration.instrument_id == instrument.id)
        .limit(1)
    )
    return db.session.execute(query).first() is not None


def locked_instrument_ids(instrument_ids) -> set[int]:
    query = (
        select(Administration.instrument_id)
        .join(Response, Response.administration_id == Administration.id)
        .where(Administration.instrument_id.in_(list(instrument_ids)))
        .distinct()
    )
    return set(db.session.execute(query).scalars())


def next_number(code: str) -> int:
    highest = db.session.execute(select(func.max(Instrument.number)).where(Instrument.code == code)).scalar()
    return (highest or 0) + 1


def name_of(instrument: Instrument, locale: str) -> str:
    for lang in (locale, "ru", "kk", "en"):
        name = (instrument.texts.get(lang) or {}).get("name")
        if name:
            return name
    return instrument.code


def create_from_definition(definition: dict, status: str = "draft") -> Instrument:
    """A new instrument (version 1, or the next version when the code exists) from a definition."""
    check_definition(definition)
    with unit_of_work():
        instrument = instrument_from_definition(definition, next_number(definition["code"]), status)
        db.session.add(instrument)
    return instrument


def new_version(instrument: Instrument) -> Instrument:
    """A draft copy with the next number: how a locked instrument is changed."""
    with unit_of_work():
        revised = _draft_copy(instrument)
    return revised


def _draft_copy(instrument: Instrument) -> Instrument:
    definition = copy.deepcopy(definition_of(instrument))
    revised = instrument_from_definition(definition, next_number(instrument.code), "draft")
    db.session.add(revised)
    return revised


def _apply(instrument: Instrument, change) -> tuple[Instrument, bool]:
    """Change the definition of an instrument (or of its new version when it is locked), check
    it, save it: in one transaction, so a refused change leaves no new version (nor its audit
    rows) behind."""
    made_new = is_locked(instrument)
    with unit_of_work():
        target = _draft_copy(instrument) if made_new else instrument
        definition = copy.deepcopy(definition_of(target))
        change(definition)
        try:
            check_definition(definition, require_items=False)
        except DefinitionProblems as problems:
            raise ValidationFailed(
                {"": [f"{where}: {message}" for where, message in problems.problems]}
            ) from None
        _replace_content(target, definition)
    return target, made_new


def _replace_content(instrument: Instrument, definition: dict) -> None:
    fresh = instrument_from_definition(definition, instrument.number, instrument.status)
    instrument.kind = fresh.kind
    instrument.texts = fresh.texts
    instrument.choice_lists = fresh.choice_lists
    instrument.groups = fresh.groups
    instrument.languages = fresh.languages
    existing = {item.code: item for item in instrument.items}
    keep = []
    for new_item in fresh.items:
        item = existing.get(new_item.code) or InstrumentItem(code=new_item.code)
        for field in ("position", "item_type", "choice_list", "subscale_code", "is_reverse", "group_code"):
            setattr(item, field, getattr(new_item, field))
        for field in ("min_value", "max_value", "texts"):
            setattr(item, field, getattr(new_item, field))
        keep.append(item)
    instrument.items[:] = keep
    rules = {s.code: s for s in instrument.subscales}
    kept_rules = []
    for new_rule in fresh.subscales:
        rule = rules.get(new_rule.code) or Subscale(code=new_rule.code)
        for field in ("position", "texts", "method", "min_answered_share", "prorate"):
            setattr(rule, field, getattr(new_rule, field))
        kept_rules.append(rule)
    instrument.subscales[:] = kept_rules
    db.session.flush()


def create_instrument(values: dict) -> Instrument:
    code = (values.get("code") or "").strip().upper()
    if db.session.execute(select(Instrument.id).where(Instrument.code == code)).first():
        raise ValidationFailed.on("code", _("An instrument with this code exists: make a new version of it."))
    definition = {
        "code": code,
        "kind": values.get("kind"),
        "languages": list(LANGUAGES),
        "texts": _texts_from(values),
        "choice_lists": [],
        "subscales": [],
        "total": None,
        "items": [],
        "groups": [],
    }
    try:
        check_definition({**definition, "items": [{"code": "X", "type": "text", "texts": {"en": "x"}}]})
    except DefinitionProblems as problems:
        raise ValidationFailed({"": [message for _where, message in problems.problems]}) from None
    with unit_of_work():
        instrument = Instrument(
            code=code,
            number=1,
            kind=definition["kind"],
            status="draft",
            languages=list(LANGUAGES),
            texts=definition["texts"],
            choice_lists=[],
            groups=[],
        )
        db.session.add(instrument)
    return instrument


def _texts_from(values: dict) -> dict:
    return {
        lang: {
            "name": (values.get(f"name_{lang}") or "").strip(),
            "purpose": (values.get(f"purpose_{lang}") or "").strip(),
            "instructions": (values.get(f"instructions_{lang}") or "").strip(),
        }
        for lang in LANGUAGES
    }


def update_texts(instrument: Instrument, values: dict) -> tuple[Instrument, bool]:
    def change(definition):
        definition["texts"] = _texts_from(values)

    return _apply(instrument, change)


def save_item(instrument: Instrument, original_code: str | None, values: dict) -> tuple[Instrument, bool]:
    """Add an item (original_code None) or change one; `position` places it (1 = first)."""
    new_item = {
        "code": (values.get("code") or "").strip(),
        "type": values.get("item_type"),
        "choice_list": values.get("choice_list") or None,
        "subscale": values.get("subscale_code") or None,
        "reverse": bool(values.get("is_reverse")),
        "group": values.get("group_code") or None,
        "texts": {lang: (values.get(f"text_{lang}") or "").strip() for lang in LANGUAGES},
    }
    if values.get("item_type") == "number":
        new_item["min"] = values.get("min_value")
        new_item["max"] = values.get("max_value")

    def change(definition):
        items = definition["items"]
        index = next((i for i, item in enumerate(items) if item["code"] == original_code), None)
        if index is not None:
            items.pop(index)
        position = values.get("position")
        at = len(items) if not position else max(0, min(len(items), int(position) - 1))
        if position is None and index is not None:
            at = index
        items.insert(at, new_item)

    return _apply(instrument, change)


def delete_item(instrument: Instrument, code: str) -> tuple[Instrument, bool]:
    def change(definition):
        definition["items"] = [item for item in definition["items"] if item["code"] != code]

    return _apply(instrument, change)


def save_choice_list(instrument: Instrument, name: str, lines: str) -> tuple[Instrument, bool]:
    """A choice list from lines "value; Kazakh label; Russian label; English label"."""
    choices = []
    for number, line in enumerate(lines.splitlines(), start=1):
        if not line.strip():
            continue
        parts = [part.strip() for part in line.split(";")]
        if len(parts) != 4:
            raise ValidationFailed.on(
                "lines", _("Line %(n)d: write value; Kazakh; Russian; English (four parts).", n=number)
            )
        value: object = parts[0]
        if parts[0].lstrip("-").isdigit():
            value = int(parts[0])
        choices.append({"value": value, "texts": dict(zip(LANGUAGES, parts[1:], strict=True))})
    if not choices:
        raise ValidationFailed.on("lines", _("Write at least one choice."))

    def change(definition):
        lists = [cl for cl in definition["choice_lists"] if cl["name"] != name]
        lists.append({"name": name.strip(), "choices": choices})
        definition["choice_lists"] = lists

    return _apply(instrument, change)


def save_group(instrument: Instrument, code: str, values: dict) -> tuple[Instrument, bool]:
    texts = {lang: (values.get(f"text_{lang}") or "").strip() for lang in LANGUAGES}

    def change(definition):
        groups = [g for g in definition["groups"] if g["code"] != code]
        groups.append({"code": code.strip(), "texts": texts})
        definition["groups"] = groups

    return _apply(instrument, change)


def save_subscale(instrument: Instrument, original_code: str | None, values: dict) -> tuple[Instrument, bool]:
    """A scoring rule. Correcting an existing rule never locks: it bumps the scoring version and
    every stored score of this instrument is recomputed. Adding a subscale changes the content."""
    code = (values.get("code") or "").strip().upper()
    rule = {
        "method": values.get("method") or "mean",
        "min_answered_share": values.get("min_answered_share"),
        "prorate": bool(values.get("prorate")),
    }
    if original_code is not None and code == original_code:
        return correct_rule(instrument, code, rule, values), False
    texts = {lang: (values.get(f"text_{lang}") or "").strip() for lang in LANGUAGES}

    def change(definition):
        if code == TOTAL_CODE:
            definition["total"] = rule
            return
        subscales = [s for s in definition["subscales"] if s["code"] not in (original_code, code)]
        subscales.append({"code": code, "texts": texts, **rule})
        definition["subscales"] = subscales
        for item in definition["items"]:
            if original_code and item.get("subscale") == original_code:
                item["subscale"] = code

    return _apply(instrument, change)


def correct_rule(instrument: Instrument, code: str, rule: dict, values: dict) -> Instrument:
    from programme.questionnaires.services.scores import recompute_scores

    subscale = next((s for s in instrument.subscales if s.code == code), None)
    if subscale is None:
        raise ValidationFailed.on("code", _("This instrument has no such subscale."))
    problems = rule_problems(rule)
    if problems:
        raise ValidationFailed({"": problems})
    with unit_of_work():
        changed = (
            subscale.method != rule["method"]
            or abs(subscale.min_answered_share - float(rule["min_answered_share"])) > 1e-9
            or subscale.prorate != rule["prorate"]
        )
        subscale.method = rule["method"]
        subscale.min_answered_share = float(rule["min_answered_share"])
        subscale.prorate = rule["prorate"]
        if code != TOTAL_CODE:
            subscale.texts = {lang: (values.get(f"text_{lang}") or "").strip() for lang in LANGUAGES}
        if changed:
            instrument.scoring_version += 1
    if changed:
        recompute_scores(instrument)
    return instrument


def set_status(instrument: Instrument, status: str) -> Instrument:
    """Publish a draft (older active versions of the code retire) or retire a version."""
    if status == "active":
        if not instrument.items:
            raise ValidationFailed(_("An instrument without items cannot be published."))
        try:
            check_definition(definition_of(instrument))
        except DefinitionProblems as problems:
            raise ValidationFailed({"": [f"{w}: {m}" for w, m in problems.problems]}) from None
    with unit_of_work():
        if status == "active":
            others = db.session.execute(
                select(Instrument).where(
                    Instrument.code == instrument.code,
                    Instrument.id != instrument.id,
                    Instrument.status == "active",
                )
            ).scalars()
            for other in others:
                other.status = "retired"
        instrument.status = status
    return instrument


def delete_draft(instrument: Instrument) -> None:
    if instrument.status != "draft" or is_locked(instrument):
        raise ValidationFailed(_("Only a draft without responses can be deleted."))
    used = db.session.execute(
        select(Administration.id).where(Administration.instrument_id == instrument.id).limit(1)
    ).first()
    if used:
        raise ValidationFailed(_("This draft is used by an administration and cannot be deleted."))
    with unit_of_work():
        db.session.delete(instrument)


def shipped_definitions() -> list[dict]:
    return [json.loads((SHIPPED_DIR / name).read_text(encoding="utf-8")) for name in SHIPPED_FILES]


def import_shipped() -> list[Instrument]:
    """Load the two shipped instruments (active) unless an instrument with their code exists."""
    created = []
    for definition in shipped_definitions():
        exists = db.session.execute(
            select(Instrument.id).where(Instrument.code == definition["code"])
        ).first()
        if exists:
            continue
        created.append(create_from_definition(definition, status="active"))
    if created:
        with unit_of_work():
            record("import", "instrument", None, {"codes": [i.code for i in created]}, "shipped instruments")
    return created


def active_instruments() -> list[Instrument]:
    return list(
        db.session.execute(
            select(Instrument).where(Instrument.status == "active").order_by(Instrument.code)
        ).scalars()
    )
