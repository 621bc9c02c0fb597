"""Admin screens for data-subject rights: subject-access file, forgetting a person, retention."""

from __future__ import annotations

import json
import shutil
import subprocess
from datetime import date

import pytest
from sqlalchemy import select

from programme.audit.models import AuditEvent
from programme.participants.codes import display_code
from programme.participants.models import Consent, Participant

KAZAKH_NAME = "Әлихан Қасымұлы Ңұрғали"
RUSSIAN_NOTE = "Просит книгу «Государство» <b>Платона</b> & словарь"


def subject_access_url(person) -> str:
    return f"/participants/{person.id}/subject-access"


def forget_url(person) -> str:
    return f"/participants/{person.id}/forget"


def exports(db) -> list[AuditEvent]:
    return db.session.execute(select(AuditEvent).where(AuditEvent.action == "export")).scalars().all()


@pytest.mark.parametrize("role", ["officer", "coordinator", "evaluator"])
def test_data_subject_screens_are_for_admins_only(client, login_as, make_participant, role):
    user = login_as(role)
    person = make_participant(facility_id=user.facility_id)
    for url in (subject_access_url(person), forget_url(person), "/participants/retention"):
        assert client.get(url).status_code == 403
    assert client.post_form(forget_url(person), {"study_code": person.study_code}).status_code == 403
    assert client.post_form("/participants/retention", {"confirm": "y"}).status_code == 403


def test_an_officer_sees_no_rights_section(client, login_as, make_participant):
    officer = login_as("officer")
    person = make_participant(facility_id=officer.facility_id)
    assert "data-subject-rights" not in client.get(f"/participants/{person.id}").get_data(as_text=True)


def test_the_participant_page_offers_the_rights_to_admins(client, login_as, make_participant):
    login_as("admin")
    person = make_participant()
    page = client.get(f"/participants/{person.id}").get_data(as_text=True)
    assert 'data-testid="data-subject-rights"' in page
    assert subject_access_url(person) in page and forget_url(person) in page


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="pdftotext (poppler-utils) not installed")
def test_admin_downloads_the_pdf_with_kazakh_and_russian_text_audited_with_purpose(
    client, db, login_as, make_held_cohort, make_mark, tmp_path
):
    login_as("admin")
    _cohort, sessions, (person,) = make_held_cohort(people=1, held=2)
    person.full_name, person.notes = KAZAKH_NAME, RUSSIAN_NOTE
    db.session.commit()
    make_mark(sessions[0], person, "present")
    response = client.post_form(
        subject_access_url(person), {"file_format": "pdf", "purpose": "person_request"}
    )
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    assert "no-store" in response.headers["Cache-Control"]
    assert f"subject-access-{person.study_code}.pdf" in response.headers["Content-Disposition"]
    path = tmp_path / "file.pdf"
    path.write_bytes(response.data)
    words = subprocess.run(
        ["pdftotext", "-enc", "UTF-8", str(path), "-"], capture_output=True, check=True, text=True
    ).stdout
    assert KAZAKH_NAME in words
    assert "<b>Платона</b> & словарь" in " ".join(words.split())  # escaped, not read as markup
    for heading in ("Record", "Consents", "Attendance (1)", "Follow-up checks (0)"):
        assert heading in words
    (event,) = exports(db)
    assert event.purpose == "person_request" and event.entity_id == str(person.id)
    assert event.changes == {"kind": "subject_access", "format": "pdf", "study_code": person.study_code}


def test_admin_downloads_the_json_file(client, db, login_as, make_participant):
    login_as("admin")
    person = make_participant(full_name=KAZAKH_NAME)
    response = client.post_form(subject_access_url(person), {"file_format": "json", "purpose": "court"})
    assert response.status_code == 200 and response.mimetype == "application/json"
    document = json.loads(response.data)
    assert document["participant"]["full_name"] == KAZAKH_NAME
    assert len(document["consents"]) == 1
    assert exports(db)[0].purpose == "court"


def test_a_file_without_a_purpose_is_refused_and_not_recorded(client, db, login_as, make_participant):
    login_as("admin")
    person = make_participant()
    response = client.post_form(subject_access_url(person), {"file_format": "pdf", "purpose": ""})
    assert response.status_code == 200 and response.mimetype == "text/html"
    assert "This field is required." in response.get_data(as_text=True)
    assert exports(db) == []


def test_the_confirmation_says_anonymise_when_consent_keeps_pseudonymous_data(
    client, login_as, make_participant
):
    login_as("admin")
    person = make_participant()
    page = client.get(forget_url(person)).get_data(as_text=True)
    assert 'data-mode="anonymise"' in page and "will be anonymised" in page
    assert "Anonymise this person" in page


def test_the_confirmation_says_erase_when_the_person_excluded_their_data(
    client, db, login_as, make_participant
):
    login_as("admin")
    person = make_participant()
    consent = db.session.execute(select(Consent).where(Consent.participant_id == person.id)).scalar_one()
    consent.withdrawn_on, consent.withdrawal_choice = date(2026, 10, 1), "exclude_data"
    db.session.commit()
    page = client.get(forget_url(person)).get_data(as_text=True)
    assert 'data-mode="erase"' in page and "will be erased entirely" in page
    assert "consents: 1;" in page  # says what exactly is deleted


def test_forgetting_needs_the_study_code_typed(client, db, login_as, make_participant):
    login_as("admin")
    person = make_participant()
    response = client.post_form(forget_url(person), {"study_code": "WRONG1"})
    assert response.status_code == 200
    assert "This is not the person&#39;s study code" in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Participant, person.id).full_name is not None
    assert (
        client.post(forget_url(person), data={"study_code": person.study_code}).status_code == 400
    )  # no CSRF


def test_forgetting_anonymises_and_says_so(client, db, login_as, make_participant):
    login_as("admin")
    person = make_participant()
    response = client.post_form(forget_url(person), {"study_code": person.study_code.lower()})
    assert response.status_code == 302 and response.location.endswith(f"/participants/{person.id}")
    page = client.get(response.location).get_data(as_text=True)
    assert "is anonymised" in page
    db.session.expire_all()
    kept = db.session.get(Participant, person.id)
    assert kept.full_name is None and kept.facility_number is None
    assert db.session.execute(select(AuditEvent).where(AuditEvent.action == "anonymise")).scalar_one()


def test_forgetting_erases_when_consent_does_not_allow_keeping(client, db, login_as, make_participant):
    login_as("admin")
    person = make_participant(consent=False)
    person_id = person.id
    response = client.post_form(forget_url(person), {"study_code": person.study_code})
    assert response.status_code == 302 and response.location.endswith("/participants")
    assert "is erased" in client.get(response.location).get_data(as_text=True)
    assert db.session.get(Participant, person_id) is None


def test_retention_page_shows_the_dry_run_and_apply_removes_names(
    app, client, db, login_as, make_participant, make_check, monkeypatch
):
    monkeypatch.setitem(app.config, "RETENTION_DAYS", 200)
    login_as("admin")
    ended = make_participant()
    make_check(ended, 24, checked_on=date(2024, 1, 10))
    current = make_participant()
    page = client.get("/participants/retention").get_data(as_text=True)
    assert "Dry run: 1 person is past the retention period." in page
    assert display_code(ended.study_code) in page and display_code(current.study_code) not in page
    assert "200 days" in page
    assert db.session.execute(select(AuditEvent).where(AuditEvent.action == "retention_dry_run")).scalar_one()
    refused = client.post_form("/participants/retention", {})
    assert refused.status_code == 400
    db.session.expire_all()
    assert db.session.get(Participant, ended.id).full_name is not None
    response = client.post_form("/participants/retention", {"confirm": "y"})
    assert response.status_code == 302
    assert "1 person anonymised" in client.get(response.location).get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Participant, ended.id).full_name is None
    assert db.session.get(Participant, current.id).full_name is not None
    run = db.session.execute(select(AuditEvent).where(AuditEvent.action == "retention_run")).scalar_one()
    assert run.changes["study_codes"] == [ended.study_code]
