"""The registry: records, who sees what, reads audited, transfers."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from programme.audit.models import AuditEvent
from programme.core.services import ValidationFailed
from programme.participants import services
from programme.participants.codes import is_valid_code
from programme.participants.models import Enrolment, ParticipantTransfer
from programme.participants.scope import age_band, first_name_and_initial
from programme.scheduling.models import SessionAssignment

VALUES = dict(full_name="Ахметов Ерлан Серикович", facility_number="A-100", birth_year=1988, languages=["kk"])


def test_a_new_participant_gets_a_valid_study_code(db, make_facility):
    participant = services.create_participant(make_facility().id, VALUES)
    assert is_valid_code(participant.study_code)


def test_facility_number_is_unique_per_facility_only(db, make_facility):
    first, second = make_facility(), make_facility()
    services.create_participant(first.id, VALUES)
    with pytest.raises(ValidationFailed) as refused:
        services.create_participant(first.id, {**VALUES, "full_name": "Другой Человек"})
    assert "facility_number" in refused.value.problems
    assert services.create_participant(second.id, VALUES).facility_number == "A-100"


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"birth_year": date.today().year - 13}, "birth_year"),
        ({"birth_year": 1919}, "birth_year"),
        ({"full_name": ""}, "full_name"),
        ({"sentence_start": date(2024, 5, 1), "expected_release": date(2024, 4, 30)}, "expected_release"),
        ({"sentence_start": date(2999, 1, 1)}, "sentence_start"),
        ({"languages": ["xx"]}, "languages"),
        ({"gender": "robot"}, "gender"),
    ],
)
def test_implausible_values_are_refused_with_the_field_named(changes, field):
    _clean, problems = services.clean_values({**VALUES, **changes})
    assert field in problems


def test_boundary_values_are_accepted():
    _clean, problems = services.clean_values(
        {
            **VALUES,
            "birth_year": date.today().year - 14,
            "sentence_start": date(2024, 5, 1),
            "expected_release": date(2024, 5, 1),
        }
    )
    assert problems == {}


def test_facilitators_know_people_by_first_name_and_initial():
    assert first_name_and_initial("Ахметов Ерлан Серикович") == "Ерлан А."
    assert first_name_and_initial("Мадонна") == "Мадонна"
    assert age_band(1990, date(2026, 1, 1)) == "35–44"
    assert age_band(1960, date(2026, 1, 1)) == "55+"


def test_officer_sees_full_records_of_own_facility(client, login_as, make_participant):
    officer = login_as("officer")
    mine = make_participant(facility_id=officer.facility_id, full_name="Омаров Асхат Болатұлы")
    page = client.get("/participants").get_data(as_text=True)
    assert "Омаров Асхат Болатұлы" in page
    assert mine.facility_number in page
    assert client.get(f"/participants/{mine.id}").status_code == 200


def test_officer_of_another_facility_gets_404(client, login_as, make_participant):
    login_as("officer")
    theirs = make_participant(full_name="Чужой Человек Иванович")
    assert client.get(f"/participants/{theirs.id}").status_code == 404
    assert client.get(f"/participants/{theirs.id}/edit").status_code == 404
    assert "Чужой Человек" not in client.get("/participants").get_data(as_text=True)


def test_facilitator_sees_only_first_name_and_initial_of_own_cohorts(
    client, login_as, make_cohort, make_session, make_participant, make_enrolment
):
    facilitator = login_as("facilitator")
    cohort = make_cohort(department_id=facilitator.department_id)
    session = make_session(cohort)
    session.assignments.append(SessionAssignment(user_id=facilitator.id, role="lead"))
    inside = make_participant(facility_id=cohort.facility_id, full_name="Сейтжанов Нұрлан Маратұлы")
    make_enrolment(inside, cohort)
    outside = make_participant(facility_id=cohort.facility_id, full_name="Волков Олег Петрович")
    page = client.get("/participants").get_data(as_text=True)
    assert "Нұрлан С." in page
    assert "Сейтжанов" not in page
    assert inside.facility_number not in page
    assert "Олег" not in page
    assert outside.study_code not in page
    assert client.get(f"/participants/{inside.id}").status_code == 403


def test_coordinator_sees_codes_of_department_cohorts_only(
    client, login_as, make_cohort, make_participant, make_enrolment
):
    coordinator = login_as("coordinator")
    cohort = make_cohort(department_id=coordinator.department_id)
    ours = make_participant(facility_id=cohort.facility_id, full_name="Қасымов Талғат Серікұлы")
    make_enrolment(ours, cohort)
    other = make_participant()
    make_enrolment(other, make_cohort())
    page = client.get("/participants").get_data(as_text=True)
    assert ours.study_code[:4] in page
    assert "Қасымов" not in page
    assert ours.facility_number not in page
    assert client.get(f"/participants/{ours.id}").status_code == 200
    assert "Қасымов" not in client.get(f"/participants/{ours.id}").get_data(as_text=True)
    assert client.get(f"/participants/{other.id}").status_code == 404


def test_evaluator_sees_codes_and_categories_of_consenting_people_only(client, login_as, make_participant):
    login_as("evaluator")
    consenting = make_participant(full_name="Лебедев Иван Юрьевич", birth_year=1980)
    refusing = make_participant(consent=False)
    page = client.get("/participants").get_data(as_text=True)
    assert "Лебедев" not in page
    assert consenting.facility_number not in page
    assert "1980" not in page
    assert "45–54" in page
    detail = client.get(f"/participants/{consenting.id}").get_data(as_text=True)
    assert "Лебедев" not in detail and "1980" not in detail and "2027" not in detail
    assert client.get(f"/participants/{refusing.id}").status_code == 404


def test_admin_reads_of_a_record_are_audited(client, login_as, make_participant):
    login_as("admin")
    participant = make_participant()
    assert client.get(f"/participants/{participant.id}").status_code == 200
    reads = select(AuditEvent).where(AuditEvent.action == "read", AuditEvent.entity_id == str(participant.id))
    assert len(client.application.extensions["sqlalchemy"].session.execute(reads).all()) == 1


def test_officer_registers_and_edits_a_person_through_the_form(client, login_as, db):
    officer = login_as("officer")
    response = client.post_form(
        "/participants/new",
        {
            **{k: v for k, v in VALUES.items() if k != "languages"},
            "languages": ["kk", "ru"],
            "gender": "male",
        },
    )
    assert response.status_code == 302, response.get_data(as_text=True)
    participant = services.search_participants(officer)
    created = db.session.execute(participant).scalars().one()
    assert created.languages == ["kk", "ru"]
    response = client.post_form(
        f"/participants/{created.id}/edit",
        {**VALUES, "full_name": "Ахметов Ерлан", "languages": ["kk"], "version_id": created.version_id},
    )
    assert response.status_code == 302
    db.session.refresh(created)
    assert created.full_name == "Ахметов Ерлан"


def test_search_finds_by_typed_code_for_coded_roles(db, make_user, make_participant):
    admin = make_user("admin")
    participant = make_participant(full_name="Егоров Павел Иванович")
    assert db.session.execute(services.search_participants(admin, "егоров")).scalars().all() == [participant]
    evaluator = make_user("evaluator")
    found = db.session.execute(services.search_participants(evaluator, "Егоров")).scalars().all()
    assert found == []


def test_transfer_keeps_history_and_hands_the_record_over(
    client, db, make_user, make_facility, make_participant, make_cohort, make_enrolment
):
    sender = make_user("officer")
    receiver = make_user("officer")
    participant = make_participant(facility_id=sender.facility_id)
    cohort = make_cohort(facility_id=sender.facility_id)
    enrolment = make_enrolment(participant, cohort)
    services.transfer_participant(participant, receiver.facility_id, date.today(), sender.id)
    db.session.refresh(enrolment)
    assert enrolment.status == "withdrawn" and enrolment.withdrawal_reason == "transferred"
    history = db.session.execute(select(ParticipantTransfer)).scalars().all()
    assert [(t.from_facility_id, t.to_facility_id) for t in history] == [
        (sender.facility_id, receiver.facility_id)
    ]
    assert db.session.execute(services.visible_participants(receiver)).scalars().all() == [participant]
    assert db.session.execute(services.visible_participants(sender)).scalars().all() == []


def test_transfer_refuses_a_number_taken_at_the_receiving_facility(db, make_user, make_participant):
    sender, receiver = make_user("officer"), make_user("officer")
    participant = make_participant(facility_id=sender.facility_id, facility_number="X-1")
    make_participant(facility_id=receiver.facility_id, facility_number="X-1")
    with pytest.raises(ValidationFailed):
        services.transfer_participant(participant, receiver.facility_id, date.today(), sender.id)
    services.transfer_participant(participant, receiver.facility_id, date.today(), sender.id, "X-2")
    assert participant.facility_number == "X-2"
    assert db.session.execute(select(Enrolment)).first() is None


def test_officer_transfers_through_the_form(client, login_as, make_facility, make_participant):
    officer = login_as("officer")
    other = make_facility()
    participant = make_participant(facility_id=officer.facility_id)
    response = client.post_form(
        f"/participants/{participant.id}/transfer",
        {"to_facility_id": other.id, "transferred_on": date.today().isoformat(), "new_facility_number": ""},
    )
    assert response.status_code == 302
    assert client.get(f"/participants/{participant.id}").status_code == 404
