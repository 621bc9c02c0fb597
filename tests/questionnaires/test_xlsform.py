"""XLSForm-style import and export: a round trip gives the same instrument; problems are refused
with their sheet, row and column."""

from __future__ import annotations

from io import BytesIO

import pytest
from openpyxl import Workbook, load_workbook
from sqlalchemy import func, select

from programme.questionnaires.models import Instrument
from programme.questionnaires.services.definitions import definition_of
from programme.questionnaires.services.instruments import create_from_definition
from programme.questionnaires.services.xlsform import XLSFormProblems, export_xlsform, read_xlsform


def _content(instrument) -> dict:
    definition = definition_of(instrument)
    definition.pop("code")
    return definition


@pytest.mark.parametrize("code", ["REFLECT", "RESOC"])
def test_export_then_import_gives_the_same_instrument(shipped_instruments, code):
    original = shipped_instruments[code]
    definition, version = read_xlsform(export_xlsform(original))
    assert version == original.number
    imported = create_from_definition(definition)
    assert (imported.code, imported.number) == (code, 2)
    assert _content(imported) == _content(original)
    assert [
        (i.code, i.item_type, i.is_reverse, i.subscale_code, i.group_code, i.min_value, i.max_value)
        for i in imported.items
    ] == [
        (i.code, i.item_type, i.is_reverse, i.subscale_code, i.group_code, i.min_value, i.max_value)
        for i in original.items
    ]


def test_round_trip_keeps_number_items_groups_and_risky_text(db):
    definition = {
        "code": "MIXED",
        "kind": "scored",
        "languages": ["kk", "ru", "en"],
        "texts": {"en": {"name": "=cmd|' /C calc'!A0", "purpose": "", "instructions": ""}},
        "choice_lists": [
            {"name": "agree7", "choices": [{"value": v, "texts": {"en": str(v)}} for v in range(1, 8)]}
        ],
        "subscales": [
            {"code": "A", "texts": {"en": "A"}, "method": "sum", "min_answered_share": 0.5, "prorate": True}
        ],
        "total": {"method": "mean", "min_answered_share": 1.0, "prorate": False},
        "items": [
            {"code": "AGE", "type": "number", "texts": {"en": "Age"}, "min": 18, "max": 90},
            {
                "code": "A1",
                "type": "likert",
                "choice_list": "agree7",
                "subscale": "A",
                "reverse": True,
                "group": "G",
                "texts": {"en": "-starts with a minus", "ru": "Вопрос"},
            },
            {"code": "NOTE", "type": "text", "texts": {"kk": "Пікіріңіз"}},
        ],
        "groups": [{"code": "G", "texts": {"en": "Heading", "kk": "Тақырып"}}],
    }
    original = create_from_definition(definition)
    data = export_xlsform(original)
    sheet = load_workbook(BytesIO(data))["settings"]
    assert str(sheet["G2"].value).startswith("'=")  # not a formula in a spreadsheet
    imported = create_from_definition(read_xlsform(data)[0])
    assert _content(imported) == _content(original)


def _workbook(survey_rows, choices_rows=None, settings_row=None) -> bytes:
    workbook = Workbook()
    survey = workbook.active
    survey.title = "survey"
    survey.append(["type", "name", "label::English (en)", "appearance", "subscale", "reverse"])
    for row in survey_rows:
        survey.append(row)
    choices = workbook.create_sheet("choices")
    choices.append(["list_name", "name", "label::English (en)"])
    for row in choices_rows or [["agree", 1, "No"], ["agree", 2, "Maybe"], ["agree", 3, "Yes"]]:
        choices.append(row)
    settings = workbook.create_sheet("settings")
    settings.append(["form_id", "version", "kind", "form_title::English (en)"])
    settings.append(settings_row or ["TRY", 1, "scored", "A try"])
    scoring = workbook.create_sheet("scoring")
    scoring.append(["subscale", "label::English (en)", "method", "min_answered_share", "prorate"])
    scoring.append(["S", "Sub", "mean", 0.8, "no"])
    buffer = BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def test_a_good_sheet_imports(db):
    definition, _version = read_xlsform(
        _workbook(
            [
                ["select_one agree", "Q1", "First", "likert", "S", "yes"],
                ["text", "Q2", "Say more", "", "", ""],
            ]
        )
    )
    instrument = create_from_definition(definition)
    assert [i.item_type for i in instrument.items] == ["likert", "text"]
    assert instrument.items[0].is_reverse and instrument.items[0].max_value == 3


def test_problems_are_refused_with_row_and_column(db):
    data = _workbook(
        [
            ["select_one agree", "Q1", "First", "likert", "S", "yes"],
            ["select_one nolist", "Q2", "Second", "", "", ""],
            ["calculate", "Q3", "Third", "", "", ""],
            ["select_one agree", "Q1", "Again", "likert", "NOPE", "perhaps"],
        ]
    )
    with pytest.raises(XLSFormProblems) as refused:
        read_xlsform(data)
    problems = "\n".join(refused.value.problems)
    assert "row 4, column A (type)" in problems  # calculate: unknown type
    assert "row 5, column F (reverse)" in problems  # perhaps is not yes/no
    # The definition is not checked while the sheet itself has problems; fix them and look again.
    fixed = _workbook(
        [
            ["select_one agree", "Q1", "First", "likert", "S", "yes"],
            ["select_one nolist", "Q2", "Second", "", "", ""],
            ["select_one agree", "Q1", "Again", "likert", "NOPE", "no"],
        ]
    )
    with pytest.raises(XLSFormProblems) as refused:
        read_xlsform(fixed)
    problems = "\n".join(refused.value.problems)
    assert "Sheet survey, row 3, column A (type)" in problems  # the list does not exist
    assert "Sheet survey, row 4, column B (name)" in problems  # Q1 twice
    assert "Sheet survey, row 4, column E (subscale)" in problems  # NOPE is not defined
    assert db.session.execute(select(func.count(Instrument.id))).scalar_one() == 0


def test_settings_problems_name_their_cell(db):
    with pytest.raises(XLSFormProblems) as refused:
        read_xlsform(_workbook([["text", "Q1", "Say", "", "", ""]], settings_row=["1bad", 1, "weird", "x"]))
    problems = "\n".join(refused.value.problems)
    assert "Sheet settings, row 2, column A (form_id)" in problems
    assert "Sheet settings, row 2, column C (kind)" in problems


def test_missing_sheet_and_column_are_named(db):
    workbook = Workbook()
    workbook.active.title = "survey"
    workbook.active.append(["name", "label::English (en)"])
    buffer = BytesIO()
    workbook.save(buffer)
    with pytest.raises(XLSFormProblems) as refused:
        read_xlsform(buffer.getvalue())
    assert any("settings" in problem for problem in refused.value.problems)


def test_not_a_spreadsheet_is_refused():
    with pytest.raises(XLSFormProblems) as refused:
        read_xlsform(b"PK\x03\x04 not really a zip")
    assert refused.value.problems == ["This is not an .xlsx spreadsheet."]


def test_too_many_rows_are_refused(db):
    rows = [["text", f"Q{i}", "Text", "", "", ""] for i in range(1, 1003)]
    with pytest.raises(XLSFormProblems) as refused:
        read_xlsform(_workbook(rows))
    assert any("more than 1000 rows" in problem for problem in refused.value.problems)
