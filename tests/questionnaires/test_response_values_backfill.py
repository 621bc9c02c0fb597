"""Migrations 0016 and 0017 fill ResponseValues for the responses that existed before them
(0016 as text, 0017 packs it), exactly as the scoring service writes them for new ones; 0017's
downgrade gives 0016's text back."""

from __future__ import annotations

import importlib.util
from datetime import date
from pathlib import Path

from sqlalchemy import select

from programme.questionnaires.models import ResponseValues
from programme.questionnaires.services.entry import enter_paper_form

VERSIONS = Path(__file__).resolve().parents[2] / "migrations" / "versions"


def _migration(file_name: str):
    spec = importlib.util.spec_from_file_location(file_name.removesuffix(".py"), VERSIONS / file_name)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_backfill_writes_what_the_scoring_service_writes(
    db, make_user, make_cohort, make_instrument, make_administration, make_expected_people
):
    cohort = make_cohort()
    administration = make_administration(
        cohort, make_instrument(reverse=("OPEN3",)), opens_on=date(2026, 9, 20), closes_on=date(2026, 10, 20)
    )
    people = make_expected_people(cohort, 3)
    officer = make_user("officer", facility_id=cohort.facility_id)
    forms = [
        {"OPEN1": "4", "OPEN2": "5", "OPEN3": "2", "SELF1": "3", "SELF2": "m", "SELF3": "r"},
        {"OPEN1": "1", "OPEN2": "2", "OPEN3": "3", "SELF1": "4", "SELF2": "5", "SELF3": "1"},
    ]
    for person, form in zip(people, forms, strict=False):
        values = {f"item-{code}": value for code, value in form.items()}
        enter_paper_form(officer, administration, person.study_code, date(2026, 10, 1), "ru", values)
    columns = (
        ResponseValues.response_id,
        ResponseValues.item_codes,
        ResponseValues.item_numbers,
        ResponseValues.score_codes,
        ResponseValues.score_numbers,
    )
    written_by_service = [
        tuple(row) for row in db.session.execute(select(*columns).order_by(ResponseValues.response_id))
    ]
    assert len(written_by_service) == 2

    packed = _migration("0017_response_values_packed.py")
    text_rows = _migration("0016_response_values.py")._value_rows(db.session.connection())
    backfilled = [
        (
            row["response_id"],
            row["item_codes"],
            packed.pack(row["item_values"]),
            row["score_codes"],
            packed.pack(row["score_values"]),
        )
        for row in text_rows
    ]
    assert backfilled == written_by_service
    # The downgrade's text is 0016's again ("nan" where an item was not answered).
    text = [packed.unpack(row[2]) for row in written_by_service]
    assert "nan" in text[0] and text == [
        row["item_values"]
        for row in _migration("0016_response_values.py")._value_rows(db.session.connection())
    ]
