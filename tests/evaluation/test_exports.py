"""Exports: pseudonymised, audited with a purpose, .sav read back with labels, small-group rule."""

from __future__ import annotations

import csv
import io

import pyreadstat
import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from programme.audit.models import AuditEvent
from programme.core.services import ValidationFailed
from programme.evaluation import services
from programme.evaluation.analysis import SmallCells
from programme.evaluation.scope import Filters
from programme.participants.models import Consent

EVALUATOR = SmallCells(5, True)


def export(file_format, filters=None, small_cells=EVALUATOR):
    return services.export_dataset(
        filters or Filters(instrument="REFLECT"), file_format, "analysis", small_cells, "en"
    )


def read_sav(content: bytes, tmp_path):
    path = tmp_path / "data.sav"
    path.write_bytes(content)
    return pyreadstat.read_sav(str(path))


def test_wide_sav_reads_back_with_values_and_labels(make_study, tmp_path):
    study = make_study(per_cohort=6)
    download = export("sav_wide")
    assert download.filename.endswith("-wide.sav")
    frame, meta = read_sav(download.content, tmp_path)
    assert len(frame) == 12
    labels = dict(zip(meta.column_names, meta.column_labels, strict=True))
    assert labels["study_code"] == "Study code (pseudonym)"
    assert labels["TOTAL_change"] == "Total score: change (t2 - t1)"
    assert labels["OPEN_t1"] == "OPEN: Before (pre)"
    assert meta.variable_value_labels["region"] == {1: "Abai region", 2: "Karaganda region"}
    assert meta.variable_value_labels["conviction"] == {1: "First conviction", 2: "Repeat conviction"}
    by_code = frame.set_index("study_code")
    for person, cohort, before, after in study.people:
        row = by_code.loc[person.study_code]
        expected_region = 1 if cohort.facility.region == "abai" else 2
        assert row["region"] == expected_region
        assert row["conviction"] == (2 if person.is_repeat_conviction else 1)
        expected_open = ((6 - before["OPEN3"]) + before["OPEN1"] + before["OPEN2"]) / 3
        assert row["OPEN_t1"] == pytest.approx(expected_open, abs=1e-9)
        if after is None:
            assert row["OPEN_t2"] != row["OPEN_t2"]  # missing (NaN) in SPSS
        else:
            assert row["TOTAL_change"] == pytest.approx(row["TOTAL_t2"] - row["TOTAL_t1"], abs=1e-9)
        assert row["attendance_pct"] == pytest.approx(100 * person.enrolments[0].final_attendance_rate)


def test_long_sav_has_one_row_per_person_and_timepoint(make_study, tmp_path):
    make_study(per_cohort=6, post_missing=2)
    frame, meta = read_sav(export("sav_long").content, tmp_path)
    assert len(frame) == 12 + 8
    assert meta.variable_value_labels["timepoint"] == {1: "Before (pre)", 2: "After (post)"}
    assert sorted(frame["timepoint"].unique()) == [1, 2]


def test_exports_never_hold_names_numbers_birth_years_or_dates(make_study):
    study = make_study(per_cohort=6)
    text = export("csv_wide").content.decode("utf-8-sig") + export("csv_long").content.decode("utf-8-sig")
    header = next(csv.reader(io.StringIO(text)))
    assert "study_code" in header and "age_band" in header
    for person, *_rest in study.people:
        assert person.full_name not in text
        assert person.facility_number not in text
        assert str(person.birth_year) not in text
    assert "2026-" not in text


def test_xlsx_opens_with_openpyxl_and_has_a_codebook(make_study):
    make_study(per_cohort=6)
    workbook = load_workbook(io.BytesIO(export("xlsx").content))
    assert workbook.sheetnames == ["long", "wide", "codebook_wide", "codebook_long", "scoring"]
    wide = list(workbook["wide"].values)
    assert wide[0][0] == "study_code" and len(wide) == 13
    codebook = {row[0]: row for row in workbook["codebook_wide"].values}
    assert codebook["age_band"][2] == "categorical (coded)"
    assert "=" in codebook["region"][3]
    scoring = list(workbook["scoring"].values)
    assert any(row[0] == "OPEN" and "OPEN3 (R)" in row[2] for row in scoring)
    assert any(row[3] and "x' = (min + max) - x" in row[3] for row in scoring)
    standalone = load_workbook(io.BytesIO(export("codebook").content))
    assert "codebook_wide" in standalone.sheetnames


def test_export_is_audited_with_its_purpose(db, make_study):
    make_study(per_cohort=6)
    services.export_dataset(
        Filters(instrument="REFLECT", region="abai"), "csv_wide", "publication", EVALUATOR, "en"
    )
    db.session.remove()
    event = db.session.execute(select(AuditEvent).where(AuditEvent.action == "export")).scalar_one()
    assert event.purpose == "publication"
    assert event.changes == {
        "format": "csv_wide",
        "filters": {
            "instrument": "REFLECT",
            "region": "abai",
            "timepoint_from": "pre",
            "timepoint_to": "post",
        },
        "people": 6,
    }


def test_small_datasets_are_refused_for_evaluators_but_not_admins(make_study):
    make_study(regions=("abai",), per_cohort=4)
    with pytest.raises(ValidationFailed, match="fewer than 5 people"):
        export("csv_wide")
    assert export("csv_wide", small_cells=SmallCells(5, False)).content


def test_small_cohorts_lose_their_cohort_facility_and_region(db, make_study, tmp_path):
    study = make_study(regions=("karaganda", "abai"), per_cohort=6)
    small = study.cohorts[1]
    # Exclude two of the small cohort's six people: four remain, below the minimum of five.
    for person, _cohort, *_rest in [p for p in study.people if p[1].id == small.id][:2]:
        person.consents.append(
            Consent(
                consented_on=person.consents[0].consented_on,
                form_version="v1",
                withdrawal_choice="exclude_data",
            )
        )
    db.session.commit()
    frame, _meta = read_sav(export("sav_wide").content, tmp_path)
    small_rows = frame[
        frame["study_code"].isin([p.study_code for p, c, *_r in study.people if c.id == small.id])
    ]
    assert len(small_rows) == 4
    assert small_rows["region"].isna().all() and small_rows["cohort"].isna().all()
    other = frame[~frame.index.isin(small_rows.index)]
    assert other["region"].notna().all()
    workbook = load_workbook(io.BytesIO(export("xlsx").content))
    notes = [row[0] for row in workbook["scoring"].values if row[0]]
    assert any("left blank for 4 people" in str(note) for note in notes)


def test_export_page_needs_a_purpose_and_downloads(client, login_as, make_study, db):
    make_study(per_cohort=6)
    login_as("evaluator")
    page = client.post_form("/evaluation/exports?region=abai", {"file_format": "sav_wide", "purpose": ""})
    assert page.status_code == 200
    assert b"This field is required." in page.data
    response = client.post_form(
        "/evaluation/exports?region=abai", {"file_format": "sav_wide", "purpose": "analysis"}
    )
    assert response.status_code == 200
    assert response.headers["Content-Disposition"].startswith("attachment;")
    assert response.mimetype == "application/x-spss-sav"
    assert (
        db.session.execute(select(AuditEvent).where(AuditEvent.action == "export")).scalar_one().purpose
        == "analysis"
    )


def test_formula_like_cells_are_neutralised(db, make_study):
    study = make_study(per_cohort=6)
    person = study.people[0][0]
    person.study_code = "=HYPERLINK(1)"
    db.session.commit()
    text = export("csv_wide").content.decode("utf-8-sig")
    assert "'=HYPERLINK(1)" in text
    workbook = load_workbook(io.BytesIO(export("xlsx").content))
    assert any(row[0] == "'=HYPERLINK(1)" for row in workbook["wide"].values)
