"""Instruments as XLSForm-style spreadsheets (the format KoboToolbox and ODK users know).

Sheets:
- `survey`: type, name, label::Kazakh (kk), label::Russian (ru), label::English (en), appearance,
  subscale, reverse, group, min, max. Types: `select_one <list>` (with appearance `likert` for a
  Likert scale), `integer`/`decimal`, `text`, and `begin_group`/`end_group` rows whose labels are
  the group's heading.
- `choices`: list_name, name, label::... (one row per choice).
- `settings`: form_id (the code), version, kind (scored/categorical), scoring_version,
  form_title::..., purpose::..., instructions::...
- `scoring`: subscale, label::..., method (mean/sum), min_answered_share, prorate; a row `TOTAL`
  holds the rule for the total score.

A file with problems is refused as a whole, with the sheet, row and column of each problem.
"""

from __future__ import annotations

from io import BytesIO

from flask_babel import gettext as _
from openpyxl import Workbook, load_workbook
from openpyxl.utils import get_column_letter

from programme.questionnaires.models import TOTAL_CODE, Instrument
from programme.questionnaires.services.definitions import (
    LANGUAGES,
    DefinitionProblems,
    check_definition,
    definition_of,
)

LANGUAGE_COLUMNS = {"kk": "Kazakh (kk)", "ru": "Russian (ru)", "en": "English (en)"}
SURVEY_COLUMNS = (
    "type",
    "name",
    *(f"label::{LANGUAGE_COLUMNS[lang]}" for lang in LANGUAGES),
    "appearance",
    "subscale",
    "reverse",
    "group",
    "min",
    "max",
)
CHOICE_COLUMNS = ("list_name", "name", *(f"label::{LANGUAGE_COLUMNS[lang]}" for lang in LANGUAGES))
TEXT_FIELDS = ("form_title", "purpose", "instructions")
SETTINGS_COLUMNS = (
    "form_id",
    "version",
    "kind",
    "scoring_version",
    *(f"{field}::{LANGUAGE_COLUMNS[lang]}" for field in TEXT_FIELDS for lang in LANGUAGES),
)
SCORING_COLUMNS = (
    "subscale",
    *(f"label::{LANGUAGE_COLUMNS[lang]}" for lang in LANGUAGES),
    "method",
    "min_answered_share",
    "prorate",
)
MAX_BYTES = 2 * 1024 * 1024
MAX_ROWS = 1000
MAX_COLUMNS = 40
MAX_CELL = 2000
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
TRUE_WORDS = {"yes", "true", "1", "y", "да", "иә"}
FALSE_WORDS = {"no", "false", "0", "n", "", "нет", "жоқ"}


class XLSFormProblems(Exception):
    def __init__(self, problems: list[str]):
        self.problems = problems
        super().__init__("; ".join(problems))


# --- export --------------------------------------------------------------------------------


def _cell(value):
    """Text that a spreadsheet would run as a formula is prefixed with an apostrophe."""
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


def export_xlsform(instrument: Instrument) -> bytes:
    definition = definition_of(instrument)
    workbook = Workbook()
    survey = workbook.active
    survey.title = "survey"
    survey.append(SURVEY_COLUMNS)
    groups = {group["code"]: group for group in definition["groups"]}
    current_group = None
    for item in definition["items"]:
        if item["group"] != current_group:
            if current_group is not None:
                survey.append(["end_group", current_group])
            if item["group"] is not None:
                texts = groups[item["group"]]["texts"]
                survey.append(
                    ["begin_group", item["group"], *(_cell(texts.get(lang, "")) for lang in LANGUAGES)]
                )
            current_group = item["group"]
        survey.append(_survey_row(item))
    if current_group is not None:
        survey.append(["end_group", current_group])
    for group in definition["groups"]:
        if not any(item["group"] == group["code"] for item in definition["items"]):
            survey.append(
                ["begin_group", group["code"], *(_cell(group["texts"].get(lang, "")) for lang in LANGUAGES)]
            )
            survey.append(["end_group", group["code"]])

    choices = workbook.create_sheet("choices")
    choices.append(CHOICE_COLUMNS)
    for choice_list in definition["choice_lists"]:
        for choice in choice_list["choices"]:
            choices.append(
                [
                    choice_list["name"],
                    choice["value"],
                    *(_cell(choice["texts"].get(lang, "")) for lang in LANGUAGES),
                ]
            )

    settings = workbook.create_sheet("settings")
    settings.append(SETTINGS_COLUMNS)
    texts = definition["texts"]
    settings.append(
        [
            definition["code"],
            instrument.number,
            definition["kind"],
            definition["scoring_version"],
            *(
                _cell((texts.get(lang) or {}).get("name" if field == "form_title" else field, ""))
                for field in TEXT_FIELDS
                for lang in LANGUAGES
            ),
        ]
    )

    scoring = workbook.create_sheet("scoring")
    scoring.append(SCORING_COLUMNS)
    for rule in definition["subscales"]:
        scoring.append(
            [rule["code"], *(_cell(rule["texts"].get(lang, "")) for lang in LANGUAGES), *_rule_cells(rule)]
        )
    if definition["total"] is not None:
        scoring.append([TOTAL_CODE, "", "", "", *_rule_cells(definition["total"])])
    buffer = BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _rule_cells(rule: dict) -> list:
    return [rule["method"], rule["min_answered_share"], "yes" if rule["prorate"] else "no"]


def _survey_row(item: dict) -> list:
    if item["type"] in ("likert", "single_choice"):
        kind = f"select_one {item['choice_list']}"
    else:
        kind = {"number": "decimal", "text": "text"}[item["type"]]
    return [
        kind,
        item["code"],
        *(_cell(item["texts"].get(lang, "")) for lang in LANGUAGES),
        "likert" if item["type"] == "likert" else "",
        item["subscale"] or "",
        "yes" if item["reverse"] else "",
        item["group"] or "",
        item.get("min") if item.get("min") is not None else "",
        item.get("max") if item.get("max") is not None else "",
    ]


# --- import --------------------------------------------------------------------------------


class _Sheet:
    """A sheet's rows as dicts by header, remembering where each value came from."""

    def __init__(self, name: str, worksheet, problems: list[str]):
        self.name = name
        self.problems = problems
        rows = list(worksheet.iter_rows(values_only=True, max_row=MAX_ROWS + 2, max_col=MAX_COLUMNS + 1))
        if worksheet.max_row and worksheet.max_row > MAX_ROWS + 1:
            problems.append(_("Sheet %(sheet)s: more than %(n)d rows.", sheet=name, n=MAX_ROWS))
        if worksheet.max_column and worksheet.max_column > MAX_COLUMNS:
            problems.append(_("Sheet %(sheet)s: more than %(n)d columns.", sheet=name, n=MAX_COLUMNS))
        header = [str(value).strip() if value is not None else "" for value in (rows[0] if rows else ())]
        self.columns = {title: index for index, title in enumerate(header) if title}
        self.rows: list[tuple[int, dict]] = []
        for number, values in enumerate(rows[1 : MAX_ROWS + 1], start=2):
            row = {}
            for title, index in self.columns.items():
                value = values[index] if index < len(values) else None
                if isinstance(value, str):
                    value = value.strip()
                    if len(value) > MAX_CELL:
                        self.problem(
                            number, title, _("The text is longer than %(n)d characters.", n=MAX_CELL)
                        )
                        value = value[:MAX_CELL]
                    if value.startswith("'") and value[1:2] in FORMULA_START:
                        value = value[1:]
                row[title] = value
            if any(value not in (None, "") for value in row.values()):
                self.rows.append((number, row))

    def place(self, row: int, title: str) -> str:
        index = self.columns.get(title)
        column = get_column_letter(index + 1) if index is not None else "?"
        return _(
            "Sheet %(sheet)s, row %(row)d, column %(column)s (%(title)s)",
            sheet=self.name,
            row=row,
            column=column,
            title=title,
        )

    def problem(self, row: int, title: str, message: str) -> None:
        self.problems.append(f"{self.place(row, title)}: {message}")

    def require(self, *titles: str) -> bool:
        missing = [title for title in titles if title not in self.columns]
        for title in missing:
            self.problems.append(
                _("Sheet %(sheet)s: the column %(title)s is missing.", sheet=self.name, title=title)
            )
        return not missing


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _labels(row: dict, prefix: str = "label") -> dict:
    return {lang: _text(row.get(f"{prefix}::{LANGUAGE_COLUMNS[lang]}")) for lang in LANGUAGES}


def _choice_value(value):
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, int | float) and float(value).is_integer():
        return int(value)
    text = _text(value)
    return int(text) if text.lstrip("-").isdigit() else text


def _flag(sheet: _Sheet, number: int, title: str, value) -> bool:
    word = _text(value).lower()
    if word in TRUE_WORDS:
        return True
    if word not in FALSE_WORDS:
        sheet.problem(number, title, _("Write yes or no."))
    return False


def _number(sheet: _Sheet, number: int, title: str, value) -> float | None:
    if value in (None, ""):
        return None
    try:
        return float(str(value).replace(",", "."))
    except ValueError:
        sheet.problem(number, title, _("Write a number."))
        return None


def read_xlsform(data: bytes) -> tuple[dict, int | None]:
    """The definition in a spreadsheet, and the version number it says; XLSFormProblems if not."""
    if len(data) > MAX_BYTES:
        raise XLSFormProblems([_("The file is larger than 2 MB.")])
    try:
        workbook = load_workbook(BytesIO(data), read_only=True, data_only=True)
    except Exception:  # noqa: BLE001 - any unreadable upload gets the same answer
        raise XLSFormProblems([_("This is not an .xlsx spreadsheet.")]) from None
    problems: list[str] = []
    try:
        sheets = {}
        for name in ("survey", "choices", "settings", "scoring"):
            if name in workbook.sheetnames:
                sheets[name] = _Sheet(name, workbook[name], problems)
            elif name in ("survey", "settings"):
                problems.append(_("The sheet %(sheet)s is missing.", sheet=name))
    finally:
        workbook.close()
    if problems:
        raise XLSFormProblems(problems)
    definition, places, version = _definition(sheets, problems)
    if not problems:
        try:
            check_definition(
                definition, where=lambda kind, index, field: _where(sheets, places, kind, index, field)
            )
        except DefinitionProblems as found:
            problems.extend(f"{where}: {message}" for where, message in found.problems)
    if problems:
        raise XLSFormProblems(problems)
    return definition, version


def _definition(sheets: dict, problems: list[str]):
    survey, settings = sheets["survey"], sheets["settings"]
    choices, scoring = sheets.get("choices"), sheets.get("scoring")
    places = {"item": [], "choice": {}, "choice_list": [], "subscale": [], "total": None}
    survey.require("type", "name")
    settings.require("form_id", "kind")
    if problems:
        raise XLSFormProblems(problems)
    if not settings.rows:
        raise XLSFormProblems([_("Sheet settings: the row under the titles is empty.")])
    settings_row_number, settings_row = settings.rows[0]
    version = _number(settings, settings_row_number, "version", settings_row.get("version"))
    scoring_version = _number(
        settings, settings_row_number, "scoring_version", settings_row.get("scoring_version")
    )
    texts = {
        lang: {
            "name": _text(settings_row.get(f"form_title::{LANGUAGE_COLUMNS[lang]}")),
            "purpose": _text(settings_row.get(f"purpose::{LANGUAGE_COLUMNS[lang]}")),
            "instructions": _text(settings_row.get(f"instructions::{LANGUAGE_COLUMNS[lang]}")),
        }
        for lang in LANGUAGES
    }
    choice_lists: list[dict] = []
    if choices is not None and choices.require("list_name", "name"):
        by_name: dict[str, dict] = {}
        for number, row in choices.rows:
            name = _text(row.get("list_name"))
            if name not in by_name:
                by_name[name] = {"name": name, "choices": []}
                choice_lists.append(by_name[name])
                places["choice_list"].append(number)
            list_index = choice_lists.index(by_name[name])
            places["choice"][(list_index, len(by_name[name]["choices"]))] = number
            by_name[name]["choices"].append({"value": _choice_value(row.get("name")), "texts": _labels(row)})

    groups: list[dict] = []
    items: list[dict] = []
    open_group = None
    for number, row in survey.rows:
        kind = _text(row.get("type"))
        name = _text(row.get("name"))
        if kind in ("begin_group", "begin group"):
            known = next((g for g in groups if g["code"] == name), None)
            if known is None:
                groups.append({"code": name, "texts": _labels(row)})
            elif known["texts"] != _labels(row):
                survey.problem(number, "name", _("This group was opened before with other labels."))
            open_group = name
            continue
        if kind in ("end_group", "end group"):
            open_group = None
            continue
        item = {
            "code": name,
            "texts": _labels(row),
            "subscale": _text(row.get("subscale")) or None,
            "reverse": _flag(survey, number, "reverse", row.get("reverse")),
            "group": _text(row.get("group")) or open_group,
            "choice_list": None,
        }
        if kind.startswith("select_one"):
            item["choice_list"] = kind.removeprefix("select_one").strip()
            item["type"] = "likert" if _text(row.get("appearance")).lower() == "likert" else "single_choice"
        elif kind in ("integer", "decimal"):
            item["type"] = "number"
            low = _number(survey, number, "min", row.get("min"))
            high = _number(survey, number, "max", row.get("max"))
            if (low, high) != (None, None):
                item["min"], item["max"] = low, high
        elif kind == "text":
            item["type"] = "text"
        else:
            survey.problem(
                number,
                "type",
                _(
                    "Unknown type %(type)s: use select_one <list>, integer, decimal or text.",
                    type=kind or "—",
                ),
            )
            continue
        items.append(item)
        places["item"].append(number)

    subscales: list[dict] = []
    total = None
    if scoring is not None and scoring.require("subscale"):
        for number, row in scoring.rows:
            rule = {
                "method": _text(row.get("method")) or "mean",
                "min_answered_share": _number(
                    scoring, number, "min_answered_share", row.get("min_answered_share")
                ),
                "prorate": _flag(scoring, number, "prorate", row.get("prorate")),
            }
            if rule["min_answered_share"] is None:
                rule["min_answered_share"] = 0.8
            code = _text(row.get("subscale"))
            if code.upper() == TOTAL_CODE:
                total = rule
                places["total"] = number
            else:
                subscales.append({"code": code, "texts": _labels(row), **rule})
                places["subscale"].append(number)
    definition = {
        "format": "pip-instrument/1",
        "code": _text(settings_row.get("form_id")),
        "kind": _text(settings_row.get("kind")),
        "languages": list(LANGUAGES),
        "texts": texts,
        "choice_lists": choice_lists,
        "subscales": subscales,
        "total": total,
        "items": items,
        "groups": groups,
        "scoring_version": int(scoring_version) if scoring_version else 1,
    }
    places["settings_row"] = settings_row_number
    return definition, places, int(version) if version else None


ITEM_COLUMNS = {
    "name": "name",
    "type": "type",
    "label": f"label::{LANGUAGE_COLUMNS['en']}",
    "subscale": "subscale",
    "reverse": "reverse",
    "group": "group",
    "min": "min",
}
SETTINGS_FIELDS = {"code": "form_id", "kind": "kind", "name": f"form_title::{LANGUAGE_COLUMNS['en']}"}


def _where(sheets: dict, places: dict, kind: str, index, field: str) -> str:
    if kind == "item":
        return sheets["survey"].place(places["item"][index], ITEM_COLUMNS.get(field, field))
    if kind in ("choice", "choice_list"):
        row = places["choice"][index] if kind == "choice" else places["choice_list"][index]
        title = f"label::{LANGUAGE_COLUMNS['en']}" if field == "label" else field
        return sheets["choices"].place(row, title)
    if kind == "subscale":
        row = places["total"] if index == -1 else places["subscale"][index]
        return sheets["scoring"].place(row, "subscale" if field == "code" else field)
    if field == "items":
        return _("Sheet survey")
    return sheets["settings"].place(places["settings_row"], SETTINGS_FIELDS.get(field, field))
