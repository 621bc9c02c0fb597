"""Sign-in sheets, register grids and certificates: the right names for the right people."""

from __future__ import annotations

import shutil
import subprocess

import pytest
from sqlalchemy import select

from programme.audit.models import AuditEvent
from programme.core.querycount import count_queries
from programme.scheduling.models import SessionAssignment

pytestmark = pytest.mark.skipif(
    shutil.which("pdftotext") is None, reason="pdftotext (poppler-utils) not installed"
)


def pdf_text(content: bytes, tmp_path) -> str:
    path = tmp_path / "doc.pdf"
    path.write_bytes(content)
    return subprocess.run(
        ["pdftotext", "-enc", "UTF-8", str(path), "-"], capture_output=True, check=True, text=True
    ).stdout


def test_officer_prints_a_sign_in_sheet_with_names_and_it_is_audited(
    client, db, login_as, make_held_cohort, tmp_path
):
    officer = login_as("officer")
    _cohort, (session,), (person,) = make_held_cohort(people=1, held=1, facility_id=officer.facility_id)
    person.full_name = "Тоқтаров Ғалым Серікұлы"
    db.session.commit()
    response = client.get(f"/sessions/{session.id}/sign-in-sheet.pdf")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    text = pdf_text(response.data, tmp_path)
    assert "Тоқтаров Ғалым Серікұлы" in text and person.facility_number in text and "Signature" in text
    assert db.session.execute(select(AuditEvent).where(AuditEvent.action == "print")).scalar_one()


def test_facilitator_sheet_has_first_names_only(client, db, login_as, make_held_cohort, tmp_path):
    facilitator = login_as("facilitator")
    _cohort, (session,), (person,) = make_held_cohort(
        people=1, held=1, department_id=facilitator.department_id
    )
    person.full_name = "Мұқанов Самат Болатұлы"
    session.assignments.append(SessionAssignment(user_id=facilitator.id, role="co"))
    db.session.commit()
    text = pdf_text(client.get(f"/sessions/{session.id}/sign-in-sheet.pdf").data, tmp_path)
    assert "Самат М." in text and "Мұқанов" not in text and person.facility_number not in text


def test_register_grid_for_a_coordinator_shows_codes_and_statuses(
    client, db, login_as, make_held_cohort, make_mark, tmp_path
):
    coordinator = login_as("coordinator")
    _cohort, sessions, (person,) = make_held_cohort(people=1, held=2, department_id=coordinator.department_id)
    make_mark(sessions[0], person, "present")
    make_mark(sessions[1], person, "absent")
    response = client.get(f"/cohorts/{_cohort.id}/register.pdf")
    text = pdf_text(response.data, tmp_path)
    assert person.study_code in text and person.full_name not in text
    assert "50%" in text


def test_certificate_is_in_the_persons_language(client, db, login_as, make_held_cohort, make_mark, tmp_path):
    officer = login_as("officer")
    cohort, sessions, (person,) = make_held_cohort(people=1, held=2, facility_id=officer.facility_id)
    person.full_name = "Әбдірахманов Әділет Нұрланұлы"
    person.languages = ["kk", "ru"]
    enrolment = person.enrolments[0]
    for session in sessions:
        make_mark(session, person, "present")
    assert client.get(f"/enrolments/{enrolment.id}/certificate.pdf").status_code == 404  # not completed yet
    enrolment.status = "completed"
    db.session.commit()
    response = client.get(f"/enrolments/{enrolment.id}/certificate.pdf")
    assert response.status_code == 200
    text = pdf_text(response.data, tmp_path)
    assert "Әбдірахманов Әділет Нұрланұлы" in text
    assert "Course (kk)" in text
    with client.application.test_request_context():
        from flask_babel import force_locale, gettext

        with force_locale("kk"):
            assert gettext("Certificate") in text
            assert (
                gettext(
                    "a community of philosophical inquiry: %(attended)d of %(held)d sessions attended",
                    attended=2,
                    held=2,
                )
                in text
            )


def test_a_reprinted_grid_reads_no_cohort_and_is_audited(client, db, login_as, make_held_cohort):
    """The scope check is part of the reused grid: a reprint reads no cohort (nor reloads it
    after the audit's commit for the file name), and is still audited."""
    coordinator = login_as("coordinator")
    cohort, _sessions, _people = make_held_cohort(people=2, held=1, department_id=coordinator.department_id)
    url = f"/cohorts/{cohort.id}/register.pdf"
    assert client.get(url).status_code == 200  # drawn and kept
    with count_queries(db.engine) as log:
        response = client.get(url)
    assert response.status_code == 200
    assert f'filename="register-{cohort.id}.pdf"' in response.headers["Content-Disposition"]
    statements = [" ".join(s.split()) for s in log.statements]
    assert not [s for s in statements if s.startswith("SELECT cohort.id")], statements
    assert any(s.startswith("INSERT INTO audit_event") for s in statements)
