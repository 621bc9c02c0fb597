"""Data-subject rights and retention: access, anonymise or erase, and the retention run."""

from __future__ import annotations

import json
from datetime import date

from sqlalchemy import func, select

from programme.attendance.models import AttendanceMark
from programme.audit.models import AuditEvent
from programme.participants import privacy
from programme.participants.models import Consent, Participant


def test_subject_access_gathers_every_row_about_the_person(db, make_held_cohort, make_mark, make_release):
    cohort, sessions, people = make_held_cohort(people=2, held=3)
    person = people[0]
    make_mark(sessions[0], person, "present")
    make_mark(sessions[1], person, "absent", reason="medical")
    make_mark(sessions[0], people[1], "present")
    make_release(person, released_on=date(2025, 3, 1))
    document = privacy.subject_access_document(person)
    assert document["participant"]["study_code"] == person.study_code
    assert document["participant"]["full_name"] == person.full_name
    assert {mark["status"] for mark in document["attendance"]} == {"present", "absent"}
    assert len(document["attendance"]) == 2  # not the other person's mark
    assert len(document["enrolments"]) == 1 and len(document["consents"]) == 1
    assert document["release"][0]["released_on"] == "2025-03-01"
    assert len(document["followup_checks"]) == 3
    exported = privacy.export_subject_access(person, "json", "person_request")
    assert json.loads(exported.content) == json.loads(json.dumps(document))
    event = db.session.execute(select(AuditEvent).where(AuditEvent.action == "export")).scalar_one()
    assert event.purpose == "person_request" and event.changes["kind"] == "subject_access"
    assert event.changes["study_code"] == person.study_code


def test_forget_keeps_pseudonymous_data_when_consent_allows(db, make_held_cohort, make_mark):
    _cohort, sessions, people = make_held_cohort(people=1, held=2)
    person = people[0]
    make_mark(sessions[0], person, "present")
    assert privacy.forget(person) == "anonymised"
    db.session.expire_all()
    kept = db.session.get(Participant, person.id)
    assert kept.full_name is None and kept.facility_number is None and kept.notes == ""
    assert kept.study_code == person.study_code
    assert db.session.execute(select(func.count(AttendanceMark.id))).scalar_one() == 1


def test_forget_erases_everything_when_the_person_excluded_their_data(db, make_held_cohort, make_mark):
    _cohort, sessions, people = make_held_cohort(people=1, held=2)
    person = people[0]
    make_mark(sessions[0], person, "present")
    consent = db.session.execute(select(Consent).where(Consent.participant_id == person.id)).scalar_one()
    consent.withdrawn_on, consent.withdrawal_choice = date(2026, 10, 1), "exclude_data"
    db.session.commit()
    person_id, code = person.id, person.study_code
    assert privacy.forget(person) == "erased"
    assert db.session.get(Participant, person_id) is None
    assert db.session.execute(select(func.count(AttendanceMark.id))).scalar_one() == 0
    erased = db.session.execute(select(AuditEvent).where(AuditEvent.action == "erase")).scalar_one()
    assert erased.changes == {"study_code": code}


def test_retention_removes_names_only_after_follow_up_ended_and_the_period_passed(
    app, db, make_participant, make_release, make_check, monkeypatch
):
    monkeypatch.setitem(app.config, "RETENTION_DAYS", 365)
    ended = make_participant()
    make_check(ended, 24, checked_on=date(2024, 1, 10))
    recent = make_participant()
    make_check(recent, 24, checked_on=date(2026, 6, 1))
    still_followed = make_participant()
    make_release(still_followed, released_on=date(2026, 1, 1))
    unreleased = make_participant()
    dry = privacy.run_retention(apply=False, today=date(2026, 11, 27))
    assert dry.candidates == 1 and not dry.applied
    db.session.expire_all()
    assert db.session.get(Participant, ended.id).full_name is not None  # a dry run changes nothing
    report = privacy.run_retention(apply=True, today=date(2026, 11, 27))
    assert report.candidates == 1
    db.session.expire_all()
    assert db.session.get(Participant, ended.id).full_name is None
    for person in (recent, still_followed, unreleased):
        assert db.session.get(Participant, person.id).full_name is not None
    assert privacy.run_retention(apply=True, today=date(2026, 11, 27)).candidates == 0


def test_cli_subject_access_and_retention(app, db, make_participant, tmp_path):
    person = make_participant()
    runner = app.test_cli_runner()
    out = tmp_path / "person.json"
    result = runner.invoke(args=["participants", "subject-access", person.study_code, "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert json.loads(out.read_text(encoding="utf-8"))["participant"]["id"] == person.id
    pdf = tmp_path / "person.pdf"
    result = runner.invoke(
        args=["participants", "subject-access", person.study_code, "--out", str(pdf), "--format", "pdf"]
    )
    assert result.exit_code == 0, result.output
    assert pdf.read_bytes().startswith(b"%PDF")
    result = runner.invoke(args=["retention", "run"])
    assert result.exit_code == 0 and "dry run" in result.output
    refused = runner.invoke(args=["participants", "forget", person.study_code])
    assert refused.exit_code != 0
