"""Exports of the survival dataset: CSV, XLSX and .sav with labels, no names, audited."""

from __future__ import annotations

import io
from datetime import date

import pyreadstat
import pytest
from flask_babel import force_locale
from openpyxl import load_workbook
from sqlalchemy import select

from programme.audit.models import AuditEvent
from programme.core.services import ValidationFailed
from programme.followup.export import export_dataset


@pytest.fixture
def followed(make_participant, make_release, make_check):
    people = []
    for index in range(3):
        person = make_participant(full_name=f"=HYPERLINK Name {index}", is_comparison=index == 2)
        make_release(person, released_on=date(2025, 1, 15), months=())
        if index == 0:
            make_check(
                person,
                6,
                date(2025, 7, 20),
                "reconvicted",
                offence_date=date(2025, 5, 1),
                conviction_date=date(2025, 7, 1),
                offence_category="property",
                is_custodial=False,
            )
        else:
            make_check(person, 12, date(2026, 1, 20))
        people.append(person)
    return people


def test_xlsx_holds_the_rows_and_the_variable_labels(app, db, followed):
    with force_locale("en"):
        content, mimetype, name = export_dataset({}, "xlsx", "Survival analysis, report 2026")
    assert name.endswith(".xlsx") and "spreadsheet" in mimetype
    workbook = load_workbook(io.BytesIO(content))
    rows = list(workbook["survival"].iter_rows(values_only=True))
    assert rows[0][:2] == ("study_code", "group") and len(rows) == 4
    assert rows[1][9:11] == ((date(2025, 5, 1) - date(2025, 1, 15)).days, 1)
    assert not any("Name" in str(cell) for row in rows for cell in row)
    assert (
        dict(workbook["variables"].iter_rows(min_row=2, values_only=True))["event"]
        == "Reoffence (1) or censored (0)"
    )


def test_sav_has_variable_and_value_labels(app, db, followed, tmp_path):
    with force_locale("en"):
        content, _mimetype, _name = export_dataset({}, "sav", "Survival analysis, report 2026")
    path = tmp_path / "out.sav"
    path.write_bytes(content)
    frame, meta = pyreadstat.read_sav(str(path))
    assert len(frame) == 3 and list(frame["event"]) == [1, 0, 0]
    assert meta.column_names_to_labels["time_days"] == "Days from release to reoffence or censoring"
    assert meta.variable_value_labels["group"][3.0] == "Comparison group"
    assert list(frame["group"]) == [2.0, 2.0, 3.0]  # no enrolment: non-completers; the flagged person


def test_export_needs_a_purpose_and_is_audited(app, db, followed):
    with pytest.raises(ValidationFailed):
        export_dataset({}, "csv", "   ")
    export_dataset({"conviction": "first"}, "csv", "Checking the first-conviction subgroup")
    event = db.session.execute(select(AuditEvent).where(AuditEvent.action == "export")).scalar_one()
    assert event.changes["filters"] == {"conviction": "first"} and event.changes["format"] == "csv"
