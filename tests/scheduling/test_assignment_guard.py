"""The database's own guard against a facilitator booked on overlapping sessions (migration 0012):
it holds without the application's check, keeps its copy of the session times in step with moves
and cancellations, and its refusal reads as the usual one. Races over HTTP: tests/concurrency."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

import pytest
from sqlalchemy import insert, select
from sqlalchemy.exc import IntegrityError

from programme.core.services import ValidationFailed
from programme.scheduling.models import ProgrammeSession, SessionAssignment
from programme.scheduling.services import assignment as assignment_service
from programme.scheduling.services.conflicts import Check, is_double_booking
from programme.scheduling.services.generation import cancel_session, move_session

T0 = datetime(2026, 10, 6, 9, 0, tzinfo=UTC)  # Tuesday, 14:00 in Almaty


@pytest.fixture
def two_cohorts(make_facility, make_department, make_cohort, make_session, make_facilitator):
    department = make_department()
    here, there = make_facility(), make_facility()
    first = make_cohort(facility_id=here.id, department_id=department.id)
    second = make_cohort(facility_id=there.id, department_id=department.id)
    facilitator = make_facilitator(
        department.id, pass_facilities=[here.id, there.id], max_sessions_per_week=9
    )
    return first, second, facilitator


def _as_utc(value: datetime) -> datetime:
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def test_an_overlapping_assignment_is_refused_by_the_database(db, two_cohorts, make_session, assign):
    first, second, facilitator = two_cohorts
    assign(make_session(first, starts_at=T0), facilitator)
    clash = make_session(second, starts_at=T0 + timedelta(minutes=119))
    with pytest.raises(IntegrityError) as refused:
        assign(clash, facilitator)
    db.session.rollback()
    assert is_double_booking(refused.value)
    assert db.session.execute(select(SessionAssignment.session_id)).scalars().all() != [clash.id]


def test_touching_and_cancelled_sessions_are_not_a_double_booking(db, two_cohorts, make_session, assign):
    first, second, facilitator = two_cohorts
    assign(make_session(first, starts_at=T0), facilitator)
    assign(make_session(second, starts_at=T0 + timedelta(minutes=120)), facilitator)
    assign(make_session(second, starts_at=T0, status="cancelled"), facilitator)
    assert db.session.execute(select(SessionAssignment)).scalars().all().__len__() == 3


def test_bulk_inserts_get_the_session_times_copied(db, two_cohorts, make_session):
    first, _second, facilitator = two_cohorts
    session = make_session(first, starts_at=T0)
    db.session.execute(
        insert(SessionAssignment.__table__),
        [{"session_id": session.id, "user_id": facilitator.id, "role": "lead"}],
    )
    db.session.commit()
    row = db.session.execute(select(SessionAssignment)).scalar_one()
    assert (_as_utc(row.starts_at), _as_utc(row.ends_at), row.session_cancelled) == (
        T0,
        T0 + timedelta(minutes=120),
        False,
    )


def test_a_moved_or_cancelled_session_updates_its_assignments(db, two_cohorts, make_session, assign):
    first, _second, facilitator = two_cohorts
    session = make_session(first, starts_at=T0)
    made = assign(session, facilitator)
    move_session(session, date(2026, 10, 8), time(15, 0))
    db.session.expire_all()
    assert _as_utc(made.starts_at) == _as_utc(session.starts_at) == datetime(2026, 10, 8, 10, 0, tzinfo=UTC)
    cancel_session(session, "lockdown")
    db.session.expire_all()
    assert made.session_cancelled is True


def test_moving_a_session_onto_its_facilitators_other_booking_is_refused(
    db, two_cohorts, make_session, assign
):
    first, second, facilitator = two_cohorts
    assign(make_session(first, starts_at=T0), facilitator)
    later = make_session(second, starts_at=T0 + timedelta(days=2))
    assign(later, facilitator)
    with pytest.raises(ValidationFailed, match="already booked at the new time"):
        move_session(later, date(2026, 10, 6), time(15, 0))  # 10:00 UTC: inside the first one
    db.session.expire_all()
    assert _as_utc(later.starts_at) == T0 + timedelta(days=2)


@pytest.mark.parametrize("weeks", [1, -1])
def test_shifting_a_fully_staffed_cohort_by_a_week_passes_through_no_overlap(
    db, two_cohorts, make_session, assign, weeks
):
    first, _second, facilitator = two_cohorts
    sessions = [make_session(first, sequence=n, starts_at=T0 + timedelta(weeks=n)) for n in range(1, 5)]
    for session in sessions:
        assign(session, facilitator)
    target = (T0 + timedelta(weeks=1 + weeks, hours=5)).date()
    move_session(sessions[0], target, time(14, 0), shift_following=True)
    starts = db.session.execute(
        select(SessionAssignment.starts_at).order_by(SessionAssignment.starts_at)
    ).scalars()
    assert [_as_utc(value) for value in starts] == [T0 + timedelta(weeks=n + weeks) for n in range(1, 5)]


def _check_that_sees_nothing(monkeypatch):
    """The application's check as if another coordinator's assignment were not yet visible."""
    monkeypatch.setattr(assignment_service, "evaluate", lambda *args: Check())


def test_a_double_booking_the_app_check_missed_is_the_usual_refusal(
    db, two_cohorts, make_session, assign, monkeypatch
):
    first, second, facilitator = two_cohorts
    assign(make_session(first, starts_at=T0), facilitator)
    clash = make_session(second, starts_at=T0 + timedelta(minutes=30))
    _check_that_sees_nothing(monkeypatch)
    with pytest.raises(assignment_service.AssignmentRefused) as refused:
        assignment_service.assign_facilitator(clash, facilitator, "lead")
    assert any("Already booked at" in reason for reason in refused.value.check.hard)
    assert db.session.execute(select(SessionAssignment.session_id)).scalars().all() != [clash.id]
    assert len(db.session.execute(select(SessionAssignment)).scalars().all()) == 1


def test_cohort_assignment_refuses_only_the_lines_the_database_refuses(
    db, two_cohorts, make_session, assign, monkeypatch
):
    first, second, facilitator = two_cohorts
    assign(make_session(first, starts_at=T0 + timedelta(weeks=2)), facilitator)
    for n in range(1, 4):
        make_session(second, sequence=n, starts_at=T0 + timedelta(weeks=n))
    _check_that_sees_nothing(monkeypatch)
    report = assignment_service.assign_to_cohort(second, facilitator, "lead")
    assert [line.outcome for line in report] == ["assigned", "refused", "assigned"]
    assert "Already booked at" in report[1].reasons[0]
    held = db.session.execute(
        select(ProgrammeSession.sequence)
        .join(SessionAssignment)
        .where(ProgrammeSession.cohort_id == second.id)
        .order_by(ProgrammeSession.sequence)
    ).scalars()
    assert list(held) == [1, 3]
