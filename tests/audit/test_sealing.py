"""Crypto-shredding: personal values enter the audit trail sealed; forgetting deletes the key."""

from __future__ import annotations

import json
from datetime import date

from sqlalchemy import event, func, select, text

from programme.audit.models import AuditEvent, ParticipantAuditKey
from programme.audit.sealing import ERASED, readable_changes
from programme.audit.services import verify_chain
from programme.extensions import db as _db
from programme.participants import privacy
from programme.participants.models import Consent, Participant

NAME = "Әлихан Қасымұлы Серікбаев"
NUMBER = "KZ-770011"


def audit_text(db) -> str:
    """Every audit row as stored, JSON decoded so escaped Cyrillic reads as letters."""
    rows = db.session.execute(text("SELECT CAST(changes AS TEXT), purpose, entity_id FROM audit_event")).all()
    return "\n".join(
        json.dumps(json.loads(changes), ensure_ascii=False) + f" {purpose} {entity_id}"
        for changes, purpose, entity_id in rows
    )


def person_events(db, participant_id: int) -> list[AuditEvent]:
    return (
        db.session.execute(
            select(AuditEvent)
            .where(AuditEvent.entity_type == "participant", AuditEvent.entity_id == str(participant_id))
            .order_by(AuditEvent.id)
        )
        .scalars()
        .all()
    )


def test_personal_values_are_sealed_and_readable_while_the_key_exists(db, make_participant, make_facility):
    make_facility(name_ru="Учреждение Открытое")
    person = make_participant(full_name=NAME, facility_number=NUMBER, notes="Говорит о семье")
    stored = audit_text(db)
    assert "Учреждение Открытое" in stored  # the search reads what it should (not vacuous)
    assert NAME not in stored and NUMBER not in stored and "Говорит о семье" not in stored
    created = person_events(db, person.id)[0]
    opened = readable_changes([created])[created.id]
    assert opened["full_name"] == [None, NAME]
    assert opened["facility_number"] == [None, NUMBER]
    assert opened["birth_year"] == [None, 1985]  # not personal: kept as it was
    assert created.changes["birth_year"] == [None, 1985]


def test_forgetting_leaves_no_name_in_the_trail_and_the_chain_verifies(db, make_participant):
    person = make_participant(full_name=NAME, facility_number=NUMBER)
    person.full_name = NAME + " (уточнено)"
    db.session.commit()
    assert privacy.forget(person) == "anonymised"
    assert db.session.get(ParticipantAuditKey, person.id) is None
    stored = audit_text(db)
    assert NAME not in stored and NUMBER not in stored
    report = verify_chain()
    assert report.is_intact and report.checked >= 4
    events = person_events(db, person.id)
    opened = readable_changes(events)
    assert [opened[e.id]["full_name"] for e in events if e.action in ("create", "update")] == [
        ERASED,
        ERASED,
        ERASED,
    ]
    assert opened[events[-1].id] == {
        "study_code": person.study_code,
        "cleared": events[-1].changes["cleared"],
    }


def test_erasing_deletes_the_key_with_the_person(db, make_participant):
    person = make_participant(full_name=NAME, facility_number=NUMBER)
    consent = db.session.execute(select(Consent).where(Consent.participant_id == person.id)).scalar_one()
    consent.withdrawn_on, consent.withdrawal_choice = date(2026, 10, 1), "exclude_data"
    db.session.commit()
    person_id = person.id
    assert privacy.forget(person) == "erased"
    assert db.session.execute(select(func.count()).select_from(ParticipantAuditKey)).scalar_one() == 0
    assert NAME not in audit_text(db)
    assert verify_chain().is_intact
    created = person_events(db, person_id)[0]
    assert readable_changes([created])[created.id]["full_name"] is ERASED


def test_notes_of_marks_and_free_text_answers_are_sealed_with_the_persons_key(
    db, make_held_cohort, make_mark, make_instrument, make_administration, make_response
):
    cohort, sessions, (person,) = make_held_cohort(people=1, held=1)
    make_mark(sessions[0], person, "excused", reason="medical", note="в санчасти у врача Ахметова")
    administration = make_administration(cohort, make_instrument())
    response = make_response(administration, person, answers={"OPEN1": 4})
    response.answers[0].value_text = "Меня зовут Ерлан"
    db.session.commit()
    stored = audit_text(db)
    assert "Ахметова" not in stored and "Ерлан" not in stored
    answer_update = db.session.execute(
        select(AuditEvent).where(AuditEvent.entity_type == "answer", AuditEvent.action == "update")
    ).scalar_one()
    assert answer_update.changes["value_text"]["subject"] == person.id  # reached through the response
    assert readable_changes([answer_update])[answer_update.id]["value_text"] == [None, "Меня зовут Ерлан"]
    privacy.forget(person)
    assert readable_changes([answer_update])[answer_update.id]["value_text"] is ERASED


def test_keys_are_read_and_made_once_per_flush_not_per_row(app, db, make_facility):
    facility = make_facility()
    statements = []

    def count(_conn, _cursor, statement, *_args):
        if "participant_audit_key" in statement:
            statements.append(statement)

    event.listen(_db.engine, "before_cursor_execute", count)
    try:
        db.session.add_all(
            Participant(facility_id=facility.id, study_code=f"K{n:07d}", full_name=f"Имя {n}", languages=[])
            for n in range(30)
        )
        db.session.commit()
    finally:
        event.remove(_db.engine, "before_cursor_execute", count)
    assert len(statements) == 2  # one read, one (multi-row) insert of the 30 new keys
    assert db.session.execute(select(func.count()).select_from(ParticipantAuditKey)).scalar_one() == 30


def test_audit_browser_opens_values_for_the_admin_and_marks_erased_ones(
    client, db, login_as, make_participant
):
    login_as("admin")
    person = make_participant(full_name=NAME, facility_number=NUMBER)
    page = client.get(f"/audit?entity_type=participant&entity_id={person.id}").get_data(as_text=True)
    assert NAME in page and NUMBER in page
    assert "[erased]" not in page
    privacy.forget(person)
    page = client.get(f"/audit?entity_type=participant&entity_id={person.id}").get_data(as_text=True)
    assert NAME not in page and NUMBER not in page
    assert 'data-testid="audit-erased"' in page and "[erased]" in page


def test_the_retention_run_deletes_the_keys_of_the_people_it_anonymises(
    app, db, make_participant, make_check, monkeypatch
):
    monkeypatch.setitem(app.config, "RETENTION_DAYS", 365)
    ended = make_participant(full_name=NAME, facility_number=NUMBER)
    make_check(ended, 24, checked_on=date(2024, 1, 10))
    kept = make_participant()
    privacy.run_retention(apply=False, today=date(2026, 11, 27))
    assert db.session.get(ParticipantAuditKey, ended.id) is not None  # a dry run shreds nothing
    privacy.run_retention(apply=True, today=date(2026, 11, 27))
    assert db.session.get(ParticipantAuditKey, ended.id) is None
    assert db.session.get(ParticipantAuditKey, kept.id) is not None
    assert NAME not in audit_text(db) and verify_chain().is_intact
    created = person_events(db, ended.id)[0]
    assert readable_changes([created])[created.id]["full_name"] is ERASED
