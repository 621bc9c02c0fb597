"""Migration 0016 fills ResponseValues for the responses that existed before it, exactly as
the scoring service writes them for new ones."""

from __future__ import annotations

import importlib.util
from datetime import date
from pathlib import Path

from sqlalchemy import delete, select

from programme.questionnaires.models import ResponseValues
from programme.questionnaires.services.entry import enter_paper_form

MIGRATION = Path(__file__).resolve().parents[2] / "migrations" / "versions" / "0016_response_values.py"


def _migration():
    spec = importlib.util.spec_from_file_location("migration_0016", MIGRATION)
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
    columns = (ResponseValues.response_id, ResponseValues.item_codes, ResponseValues.item_values)
    written_by_service = db.session.execute(select(*columns).order_by(ResponseValues.response_id)).all()
    assert len(written_by_service) == 2

    db.session.execute(delete(ResponseValues))  # as before the migration
    _migration()._backfill(db.session.connection())
    backfilled = db.session.execute(select(*columns).order_by(ResponseValues.response_id)).all()
    assert backfilled == written_by_service
