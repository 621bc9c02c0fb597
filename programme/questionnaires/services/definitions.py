"""An instrument as a plain definition (the shipped "pip-instrument/1" JSON format) and back.

The builder, the XLSForm import and the shipped files all end up here: a definition is checked
once, by `check_definition`, and turned into rows by `instrument_from_definition`. Exporting reads
the rows back into the same shape, so export -> import gives the same instrument.
"""

from __future__ import annotations

import re

from flask_babel import gettext as _

from programme.questionnaires.models import (
    INSTRUMENT_KINDS,
    ITEM_TYPES,
    SCORING_METHODS,
    TOTAL_CODE,
    Instrument,
    InstrumentItem,
    Subscale,
)

LANGUAGES = ("kk", "ru", "en")
CODE_PATTERN = re.compile(r"^[A-Za-z][A-Za-z0-9_]{0,39}$")
CHOICE_VALUE_PATTERN = re.compile(r"^[A-Za-z0-9_-]{1,40}$")
TOTAL_TEXTS = {"kk": "Жалпы балл", "ru": "Общий балл", "en": "Total"}
MAX_TEXT = 2000


class DefinitionProblems(Exception):
    """Problems found in a definition, each a (where, message) pair; `where` says row/column."""

    def __init__(self, problems: list[tuple[str, str]]):
        self.problems = problems
        super().__init__("; ".join(f"{where}: {message}" for where, message in problems))


def choice_list_named(definition: dict, name: str | None) -> dict | None:
    return next((cl for cl in definition.get("choice_lists", []) if cl.get("name") == name), None)


def numeric_range(choice_list: dict) -> tuple[float, float] | None:
    """A Likert list's range, or None when a value is not a number."""
    try:
        values = [float(choice["value"]) for choice in choice_list["choices"]]
    except (TypeError, ValueError, KeyError):
        return None
    return (min(values), max(values)) if values else None


def check_definition(definition: dict, where=None, require_items: bool = True) -> None:
    """Raise DefinitionProblems listing everything wrong. `where(kind, index, field)` names places."""
    where = where or _plain_place
    problems: list[tuple[str, str]] = []

    def problem(place, message):
        problems.append((place, message))

    if not CODE_PATTERN.match(str(definition.get("code") or "")):
        problem(
            where("settings", 0, "code"), _("The code must start with a letter and use letters, digits, _.")
        )
    if definition.get("kind") not in INSTRUMENT_KINDS:
        problem(where("settings", 0, "kind"), _("The kind must be scored or categorical."))
    names = definition.get("texts", {})
    if not any((names.get(lang) or {}).get("name") for lang in LANGUAGES):
        problem(where("settings", 0, "name"), _("Give the instrument a name in at least one language."))

    list_names = set()
    for index, choice_list in enumerate(definition.get("choice_lists", [])):
        name = choice_list.get("name")
        if not CODE_PATTERN.match(str(name or "")):
            problem(where("choice_list", index, "list_name"), _("A list name must start with a letter."))
        list_names.add(name)
        seen_values = set()
        for choice_index, choice in enumerate(choice_list.get("choices", [])):
            value = str(choice.get("value"))
            if not CHOICE_VALUE_PATTERN.match(value):
                problem(
                    where("choice", (index, choice_index), "name"),
                    _("A choice value must be a short word or number."),
                )
            if value in seen_values:
                problem(
                    where("choice", (index, choice_index), "name"), _("This value appears twice in the list.")
                )
            seen_values.add(value)
            if not any(choice.get("texts", {}).get(lang) for lang in LANGUAGES):
                problem(where("choice", (index, choice_index), "label"), _("Give the choice a label."))

    subscale_codes = {s.get("code") for s in definition.get("subscales", [])}
    for index, subscale in enumerate(definition.get("subscales", [])):
        if not CODE_PATTERN.match(str(subscale.get("code") or "")) or subscale.get("code") == TOTAL_CODE:
            problem(
                where("subscale", index, "code"),
                _("A subscale code must start with a letter (TOTAL is reserved)."),
            )
        _check_rule(subscale, lambda field, i=index: where("subscale", i, field), problem)
    if definition.get("total") is not None:
        _check_rule(definition["total"], lambda field: where("subscale", -1, field), problem)

    group_codes = {g.get("code") for g in definition.get("groups", [])}
    item_codes: set[str] = set()
    for index, item in enumerate(definition.get("items", [])):
        code = item.get("code")
        if not CODE_PATTERN.match(str(code or "")):
            problem(
                where("item", index, "name"),
                _("An item code must start with a letter and use letters, digits, _."),
            )
        elif code in item_codes:
            problem(where("item", index, "name"), _("Another item already has this code."))
        item_codes.add(code)
        item_type = item.get("type")
        if item_type not in ITEM_TYPES:
            problem(where("item", index, "type"), _("Unknown question type."))
        if item_type in ("likert", "single_choice"):
            choice_list = choice_list_named(definition, item.get("choice_list"))
            if choice_list is None:
                problem(where("item", index, "type"), _("The choice list named here does not exist."))
            elif item_type == "likert" and numeric_range(choice_list) is None:
                problem(
                    where("item", index, "type"), _("A Likert item needs a list whose values are numbers.")
                )
        if item_type == "number" and None not in (item.get("min"), item.get("max")):
            if float(item["min"]) > float(item["max"]):
                problem(where("item", index, "min"), _("The minimum is above the maximum."))
        if item.get("subscale") and item["subscale"] not in subscale_codes:
            problem(where("item", index, "subscale"), _("This subscale is not defined."))
        if item.get("subscale") and item_type not in ("likert", "number"):
            problem(where("item", index, "subscale"), _("Only Likert and number items can be scored."))
        if item.get("reverse") and item_type != "likert":
            problem(where("item", index, "reverse"), _("Only Likert items can be reverse-scored."))
        if item.get("group") and item["group"] not in group_codes:
            problem(where("item", index, "group"), _("This group is not defined."))
        texts = item.get("texts", {})
        if not any(texts.get(lang) for lang in LANGUAGES):
            problem(where("item", index, "label"), _("Give the item a text in at least one language."))
        if any(len(texts.get(lang) or "") > MAX_TEXT for lang in LANGUAGES):
            problem(where("item", index, "label"), _("The text is too long (at most 2000 characters)."))
    if require_items and not definition.get("items"):
        problem(where("settings", 0, "items"), _("The instrument has no items."))
    if problems:
        raise DefinitionProblems(problems)


def _plain_place(kind: str, index, field: str) -> str:
    if isinstance(index, tuple):
        return f"{kind} {index[0] + 1}.{index[1] + 1} · {field}"
    return f"{kind} {index + 1} · {field}"


def rule_problems(rule: dict) -> list[str]:
    """What is wrong with one scoring rule (method, share answered)."""
    problems: list[str] = []
    _check_rule(rule, lambda field: field, lambda _place, message: problems.append(message))
    return problems


def _check_rule(rule: dict, place, problem) -> None:
    if rule.get("method", "mean") not in SCORING_METHODS:
        problem(place("method"), _("The scoring method must be mean or sum."))
    try:
        share = float(rule.get("min_answered_share", 0.8))
    except (TypeError, ValueError):
        share = -1
    if not 0 <= share <= 1:
        problem(place("min_answered_share"), _("The share of answered items must be between 0 and 1."))


def _item_range(definition: dict, item: dict) -> tuple[float | None, float | None]:
    if item["type"] == "likert":
        return numeric_range(choice_list_named(definition, item["choice_list"]))
    if item["type"] == "number":
        low, high = item.get("min"), item.get("max")
        return (None if low is None else float(low), None if high is None else float(high))
    return (None, None)


def _all_languages(texts: dict | None) -> dict:
    return {lang: ((texts or {}).get(lang) or "") for lang in LANGUAGES}


def normalised(definition: dict) -> dict:
    """The same definition with every text present in kk, ru and en (empty when not given)."""
    texts = definition.get("texts") or {}
    return {
        **definition,
        "texts": {
            lang: {
                field: ((texts.get(lang) or {}).get(field) or "")
                for field in ("name", "purpose", "instructions")
            }
            for lang in LANGUAGES
        },
        "choice_lists": [
            {
                "name": choice_list["name"],
                "choices": [
                    {"value": choice["value"], "texts": _all_languages(choice.get("texts"))}
                    for choice in choice_list["choices"]
                ],
            }
            for choice_list in definition.get("choice_lists", [])
        ],
        "subscales": [
            {**rule, "texts": _all_languages(rule.get("texts"))} for rule in definition.get("subscales", [])
        ],
        "items": [{**item, "texts": _all_languages(item.get("texts"))} for item in definition["items"]],
        "groups": [
            {"code": group["code"], "texts": _all_languages(group.get("texts"))}
            for group in definition.get("groups", [])
        ],
    }


def instrument_from_definition(definition: dict, number: int, status: str) -> Instrument:
    """New rows (not yet added to the session) for a checked definition."""
    definition = normalised(definition)
    instrument = Instrument(
        code=definition["code"],
        number=number,
        kind=definition["kind"],
        status=status,
        languages=list(definition.get("languages") or LANGUAGES),
        texts=definition.get("texts", {}),
        choice_lists=definition.get("choice_lists", []),
        groups=definition.get("groups", []),
        scoring_version=int(definition.get("scoring_version") or 1),
    )
    for position, subscale in enumerate(definition.get("subscales", [])):
        instrument.subscales.append(_subscale(subscale["code"], subscale, position))
    if definition.get("total") is not None:
        total = {"texts": TOTAL_TEXTS, **definition["total"]}
        instrument.subscales.append(_subscale(TOTAL_CODE, total, 99))
    for position, item in enumerate(definition["items"], start=1):
        low, high = _item_range(definition, item)
        instrument.items.append(
            InstrumentItem(
                position=position,
                code=item["code"],
                item_type=item["type"],
                choice_list=item.get("choice_list") if item["type"] in ("likert", "single_choice") else None,
                subscale_code=item.get("subscale") or None,
                is_reverse=bool(item.get("reverse")),
                group_code=item.get("group") or None,
                min_value=low,
                max_value=high,
                texts=item.get("texts", {}),
            )
        )
    return instrument


def _subscale(code: str, rule: dict, position: int) -> Subscale:
    return Subscale(
        code=code,
        position=position,
        texts=rule.get("texts", {}),
        method=rule.get("method", "mean"),
        min_answered_share=float(rule.get("min_answered_share", 0.8)),
        prorate=bool(rule.get("prorate", False)),
    )


def definition_of(instrument: Instrument) -> dict:
    """The instrument as a plain definition (the shipped JSON format)."""
    subscales = [s for s in instrument.subscales if s.code != TOTAL_CODE]
    total = next((s for s in instrument.subscales if s.code == TOTAL_CODE), None)
    return {
        "format": "pip-instrument/1",
        "code": instrument.code,
        "kind": instrument.kind,
        "languages": list(instrument.languages),
        "texts": instrument.texts,
        "choice_lists": instrument.choice_lists,
        "subscales": [_rule_of(s, with_code=True) for s in subscales],
        "total": None if total is None else _rule_of(total, with_code=False),
        "items": [
            {
                "code": item.code,
                "type": item.item_type,
                "choice_list": item.choice_list,
                "subscale": item.subscale_code,
                "reverse": item.is_reverse,
                "group": item.group_code,
                "texts": item.texts,
                **(
                    {"min": item.min_value, "max": item.max_value}
                    if item.item_type == "number" and (item.min_value, item.max_value) != (None, None)
                    else {}
                ),
            }
            for item in instrument.items
        ],
        "groups": instrument.groups,
        "scoring_version": instrument.scoring_version,
    }


def _rule_of(subscale: Subscale, with_code: bool) -> dict:
    rule = {
        "method": subscale.method,
        "min_answered_share": subscale.min_answered_share,
        "prorate": subscale.prorate,
    }
    if with_code:
        rule = {"code": subscale.code, "texts": subscale.texts, **rule}
    return rule
