"""The register: one screen, one request, one transaction, a bounded number of queries."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm.exc import StaleDataError

from programme.attendance.models import AttendanceMark
from programme.attendance.registers import check_open, load_register, register_lines, save_register
from programme.audit.models import AuditEvent
from programme.audit.sealing import readable_changes
from programme.core.services import ValidationFailed
from programme.scheduling.models import SessionAssignment


def register_url(session) -> str:
    return f"/sessions/{session.id}/register"


def form_for(people, status="present", **extra) -> dict:
    data = {f"status-{p.id}": status for p in people}
    data.update(extra)
    return data


def marks(db) -> dict:
    return {m.participant_id: m for m in db.session.execute(select(AttendanceMark)).scalars()}


@pytest.mark.parametrize("people", [5, 40])
def test_saving_a_register_costs_the_same_bounded_queries_for_5_or_40_people(
    client, db, login_as, make_held_cohort, assert_max_queries, people
):
    officer = login_as("officer")
    cohort, (session,), participants = make_held_cohort(
        people=people, held=1, facility_id=officer.facility_id
    )
    session.status = "scheduled"
    db.session.commit()
    data = form_for(participants, csrf_token=client.csrf_token())
    data[f"status-{participants[0].id}"] = "absent"
    data[f"reason-{participants[0].id}"] = "court"
    url = register_url(session)
    # 14: the figure cache's one statement per committed change of watched tables (marks and
    # sessions feed the evaluation's attendance rates; programme/core/cache.py).
    with assert_max_queries(14):
        response = client.post(url, data=data)
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    saved = marks(db)
    assert len(saved) == people
    assert (saved[participants[0].id].status, saved[participants[0].id].reason) == ("absent", "court")
    db.session.refresh(session)
    assert session.status == "held"
    # The correction of the same register stays bounded too.
    data[f"status-{participants[-1].id}"] = "late"
    with assert_max_queries(14):
        assert client.post(url, data=data).status_code == 302


@pytest.mark.parametrize("people", [5, 40])
def test_the_register_page_is_bounded(
    client, login_as, make_held_cohort, make_mark, assert_max_queries, people
):
    officer = login_as("officer")
    _cohort, (session,), participants = make_held_cohort(
        people=people, held=1, facility_id=officer.facility_id
    )
    make_mark(session, participants[0], "late")
    url = register_url(session)
    with assert_max_queries(10):
        page = client.get(url).get_data(as_text=True)
    assert page.count("data-register-row") == people


def test_a_correction_is_audited_with_before_and_after(client, db, login_as, make_held_cohort, make_mark):
    officer = login_as("officer")
    _cohort, (session,), (first, second) = make_held_cohort(people=2, held=1, facility_id=officer.facility_id)
    client.post_form(register_url(session), form_for([first, second]))
    client.post_form(
        register_url(session),
        form_for(
            [first, second],
            **{
                f"status-{second.id}": "excused",
                f"reason-{second.id}": "medical",
                f"note-{second.id}": "врач",
            },
        ),
    )
    events = (
        db.session.execute(
            select(AuditEvent)
            .where(
                AuditEvent.entity_type == "programme_session",
                AuditEvent.action.in_(("take_register", "correct_register")),
            )
            .order_by(AuditEvent.id)
        )
        .scalars()
        .all()
    )
    assert [e.action for e in events] == ["take_register", "correct_register"]
    change = events[1].changes["marks"][str(second.id)]
    assert change[0]["status"] == "present"
    assert "врач" not in str(events[1].changes)  # the note is free text about the person: sealed
    opened = readable_changes(events)[events[1].id]["marks"][str(second.id)]
    assert opened[1] == {"status": "excused", "reason": "medical", "note": "врач"}
    assert str(first.id) not in events[1].changes["marks"]


def test_a_missing_or_unknown_status_saves_nothing(client, db, login_as, make_held_cohort):
    officer = login_as("officer")
    _cohort, (session,), (first, second) = make_held_cohort(people=2, held=1, facility_id=officer.facility_id)
    response = client.post_form(
        register_url(session), {f"status-{first.id}": "present", f"status-{second.id}": "asleep"}
    )
    assert response.status_code == 400
    response = client.post_form(register_url(session), {f"status-{first.id}": "present"})
    assert response.status_code == 400
    assert marks(db) == {}


def test_reasons_are_kept_only_for_absences(db, make_held_cohort, make_user):
    _cohort, (session,), (person,) = make_held_cohort(people=1, held=1)
    read, lines = load_register(make_user("admin"), session.id)
    save_register(read, lines, {person.id: {"status": "present", "reason": None, "note": ""}}, None)
    assert marks(db)[person.id].reason is None


def test_no_register_for_a_future_or_cancelled_session(client, db, login_as, make_held_cohort, make_session):
    officer = login_as("officer")
    cohort, _sessions, (person,) = make_held_cohort(people=1, held=1, facility_id=officer.facility_id)
    future = make_session(cohort, sequence=2, starts_at=datetime.now(UTC) + timedelta(hours=1))
    cancelled = make_session(cohort, sequence=3, status="cancelled")
    for session in (future, cancelled):
        with pytest.raises(ValidationFailed):
            check_open(session)
        assert client.get(register_url(session)).status_code == 302
        assert client.post_form(register_url(session), form_for([person])).status_code == 302
    assert marks(db) == {}


def test_people_withdrawn_before_the_session_are_not_on_its_register(
    db, make_held_cohort, make_participant, make_enrolment, make_user
):
    cohort, (session,), (staying,) = make_held_cohort(people=1, held=1)
    session_day = session.starts_at.date()
    left_before = make_participant(facility_id=cohort.facility_id)
    make_enrolment(
        left_before,
        cohort,
        status="withdrawn",
        withdrawal_reason="released",
        withdrawn_on=session_day - timedelta(days=1),
    )
    left_after = make_participant(facility_id=cohort.facility_id)
    make_enrolment(
        left_after,
        cohort,
        status="withdrawn",
        withdrawal_reason="released",
        withdrawn_on=session_day + timedelta(days=7),
    )
    waiting = make_participant(facility_id=cohort.facility_id)
    make_enrolment(waiting, cohort, status="waitlisted", waitlist_position=1)
    people = [line.participant.id for line in register_lines(session, session_day)]
    assert set(people) == {staying.id, left_after.id}
    # The values a save reads cover the same people, in the same order.
    read, marks_read = load_register(make_user("admin"), session.id)
    assert read.date == session_day
    assert [line.participant_id for line in marks_read] == people


def test_facilitator_of_the_cohort_takes_the_register_seeing_first_names(
    client, db, login_as, make_held_cohort
):
    facilitator = login_as("facilitator")
    cohort, (session,), (person,) = make_held_cohort(
        people=1, held=1, department_id=facilitator.department_id
    )
    person.full_name = "Жұмабеков Дәурен Ержанұлы"
    session.assignments.append(SessionAssignment(user_id=facilitator.id, role="lead"))
    db.session.commit()
    page = client.get(register_url(session)).get_data(as_text=True)
    assert "Дәурен Ж." in page and "Жұмабеков" not in page and person.facility_number not in page
    assert client.post_form(register_url(session), form_for([person])).status_code == 302
    assert db.session.execute(select(func.count(AttendanceMark.id))).scalar_one() == 1


def test_registers_of_other_cohorts_are_not_found(client, login_as, make_held_cohort):
    login_as("facilitator")
    _cohort, (session,), _people = make_held_cohort(people=1, held=1)
    assert client.get(register_url(session)).status_code == 404


def test_officer_of_another_facility_gets_404_and_coordinators_403(client, login_as, make_held_cohort):
    login_as("officer")
    _cohort, (session,), _people = make_held_cohort(people=1, held=1)
    assert client.get(register_url(session)).status_code == 404
    assert client.post_form(register_url(session), {}).status_code == 404
    assert client.get(f"/sessions/{session.id}/sign-in-sheet.pdf").status_code == 404


def test_the_register_of_a_cohort_with_nobody_enrolled_saves_as_held(client, db, login_as, make_held_cohort):
    """The save reads the session and its people in one statement: a cohort with no one in it
    still has its session (a row of the session's values alone), not a 404."""
    officer = login_as("officer")
    _cohort, (session,), _people = make_held_cohort(people=0, held=1, facility_id=officer.facility_id)
    session.status = "scheduled"
    db.session.commit()
    assert client.post_form(register_url(session), {}).status_code == 302
    db.session.refresh(session)
    assert session.status == "held"
    assert marks(db) == {}


def test_coordinators_do_not_take_registers(client, login_as, make_held_cohort):
    coordinator = login_as("coordinator")
    _cohort, (session,), _people = make_held_cohort(people=1, held=1, department_id=coordinator.department_id)
    assert client.get(register_url(session)).status_code == 403


def test_a_save_from_a_stale_register_is_refused_whole_not_merged(db, make_held_cohort, make_mark, make_user):
    """Two people correcting the same register at once: the one whose marks changed under it is
    refused (409 page) and saves nothing, instead of silently overwriting the other's marks."""
    _cohort, (session,), people = make_held_cohort(people=2, held=1)
    for person in people:
        make_mark(session, person, "present")
    admin = make_user("admin")
    read, seen_by_first = load_register(admin, session.id)  # as the first person's request read them
    second = {person.id: {"status": "late", "reason": None, "note": "second"} for person in people}
    save_register(read, load_register(admin, session.id)[1], second, None)
    first = {person.id: {"status": "absent", "reason": None, "note": "first"} for person in people}
    with pytest.raises(StaleDataError):
        save_register(read, seen_by_first, first, None)
    db.session.expire_all()
    notes = db.session.execute(select(AttendanceMark.note).where(AttendanceMark.session_id == session.id))
    assert sorted(notes.scalars()) == ["second", "second"]


def test_the_register_page_shows_the_marks_as_they_stand_after_each_save(client, login_as, make_held_cohort):
    """The page is reused on GET (programme/core/pages.py): every save draws it anew."""
    officer = login_as("officer")
    _cohort, (session,), (first, second) = make_held_cohort(people=2, held=1, facility_id=officer.facility_id)

    def checked() -> set[str]:
        page = client.get(register_url(session)).get_data(as_text=True)
        return set(re.findall(r'id="(status-\d+-\w+)"[^>]*checked', page))

    assert checked() == set() and checked() == set()
    client.post_form(register_url(session), form_for([first, second]))
    assert checked() == {f"status-{first.id}-present", f"status-{second.id}-present"}
    client.post_form(
        register_url(session),
        form_for([first, second], **{f"status-{second.id}": "absent", f"reason-{second.id}": "court"}),
    )
    assert checked() == {f"status-{first.id}-present", f"status-{second.id}-absent"}
    page = client.get(register_url(session)).get_data(as_text=True)
    assert re.search(rf'name="reason-{second.id}".*?<option value="court" selected>', page, re.S)
    # A refused save is answered with its problems and changes nothing on the page after it.
    refused = client.post_form(register_url(session), {f"status-{first.id}": "asleep"})
    assert refused.status_code == 400 and 'data-testid="register-errors"' in refused.get_data(as_text=True)
    assert checked() == {f"status-{first.id}-present", f"status-{second.id}-absent"}


def test_the_reused_register_page_follows_its_session_and_staffing(client, db, login_as, make_held_cohort):
    """The scope check and the open check are inside the reused page: cancelling the session, or
    taking the facilitator off it, is seen on the very next request."""
    facilitator = login_as("facilitator")
    _cohort, (session,), _people = make_held_cohort(people=1, held=1, department_id=facilitator.department_id)
    session.assignments.append(SessionAssignment(user_id=facilitator.id, role="lead"))
    db.session.commit()
    assert [client.get(register_url(session)).status_code for _twice in range(2)] == [200, 200]
    session.status = "cancelled"
    db.session.commit()
    assert client.get(register_url(session)).status_code == 302
    session.status = "held"
    db.session.commit()
    assert client.get(register_url(session)).status_code == 200
    session.assignments.clear()
    db.session.commit()
    assert client.get(register_url(session)).status_code == 404


def test_sending_the_register_again_unchanged_writes_nothing(client, db, login_as, make_held_cohort):
    from programme.core.querycount import count_queries

    officer = login_as("officer")
    _cohort, (session,), people = make_held_cohort(people=3, held=1, facility_id=officer.facility_id)
    assert client.post_form(register_url(session), form_for(people)).status_code == 302
    saved = {pid: mark.version_id for pid, mark in marks(db).items()}
    audits = db.session.execute(select(func.count(AuditEvent.id))).scalar_one()
    with count_queries(db.engine) as log:
        again = client.post_form(register_url(session), form_for(people))
    assert again.status_code == 302
    assert "0 new marks, 0 changed" in client.get(again.headers["Location"]).get_data(as_text=True)
    writes = [s for s in log.statements if s.lstrip().upper().startswith(("INSERT", "UPDATE", "DELETE"))]
    assert writes == []
    db.session.expire_all()
    assert {pid: mark.version_id for pid, mark in marks(db).items()} == saved
    assert db.session.execute(select(func.count(AuditEvent.id))).scalar_one() == audits
