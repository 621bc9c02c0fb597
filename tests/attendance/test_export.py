"""Exports: scoped, pseudonymised by role, formula-safe, audited with a purpose."""

from __future__ import annotations

import io

from openpyxl import load_workbook
from sqlalchemy import select

from programme.attendance.export import neutralise
from programme.audit.models import AuditEvent


def test_cells_a_spreadsheet_would_run_are_neutralised():
    for dangerous in ("=1+1", "+7", "-3", "@SUM(A1)", "\tx", "\rx"):
        assert neutralise(dangerous) == "'" + dangerous
    assert neutralise("Омаров") == "Омаров"
    assert neutralise(5) == 5


def export(client, file_format="csv", purpose="quarterly report", cohort_id=0):
    return client.post_form(
        "/attendance/exports", {"file_format": file_format, "purpose": purpose, "cohort_id": cohort_id}
    )


def test_officer_export_has_names_and_neutralised_notes(client, db, login_as, make_held_cohort, make_mark):
    officer = login_as("officer")
    _cohort, (session,), (person,) = make_held_cohort(people=1, held=1, facility_id=officer.facility_id)
    make_mark(session, person, "absent", reason="court", note='=HYPERLINK("http://x")')
    response = export(client)
    assert response.status_code == 200 and response.headers["Cache-Control"] == "no-store"
    text = response.data.decode("utf-8-sig")
    assert person.full_name in text and person.facility_number in text
    assert "'=HYPERLINK" in text
    event = db.session.execute(select(AuditEvent).where(AuditEvent.action == "export")).scalar_one()
    assert event.purpose == "quarterly report" and event.changes["rows"] == 1


def test_other_facilities_rows_are_not_exported(client, login_as, make_held_cohort, make_mark):
    login_as("officer")
    _cohort, (session,), (person,) = make_held_cohort(people=1, held=1)
    make_mark(session, person, "present")
    text = export(client).data.decode("utf-8-sig")
    assert person.study_code not in text


def test_coordinator_export_is_pseudonymised(client, login_as, make_held_cohort, make_mark):
    coordinator = login_as("coordinator")
    _cohort, (session,), (person,) = make_held_cohort(
        people=1, held=1, department_id=coordinator.department_id
    )
    make_mark(session, person, "present", note="говорил о семье")
    text = export(client).data.decode("utf-8-sig")
    assert person.study_code in text
    assert person.full_name not in text and person.facility_number not in text and "семье" not in text


def test_evaluator_xlsx_has_codes_of_consenting_people_only(
    client, login_as, make_held_cohort, make_mark, make_participant, make_enrolment
):
    login_as("evaluator")
    cohort, (session,), (person,) = make_held_cohort(people=1, held=1)
    refusing = make_participant(facility_id=cohort.facility_id, consent=False)
    make_enrolment(refusing, cohort)
    make_mark(session, person, "present")
    make_mark(session, refusing, "present")
    response = export(client, "xlsx")
    sheet = load_workbook(io.BytesIO(response.data), read_only=True).worksheets[0]
    values = [cell for row in sheet.iter_rows(values_only=True) for cell in row]
    assert person.study_code in values
    assert refusing.study_code not in values
    assert person.full_name not in values and person.facility_number not in values


def test_an_export_needs_a_purpose(client, db, login_as):
    login_as("officer")
    response = export(client, purpose="")
    assert response.status_code == 200 and "This field is required" in response.get_data(as_text=True)
    assert db.session.execute(select(AuditEvent).where(AuditEvent.action == "export")).first() is None


def test_facilitators_cannot_export(client, login_as):
    login_as("facilitator")
    assert client.get("/attendance/exports").status_code == 403
