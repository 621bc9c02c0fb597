"""Factories for attendance: marks, and a cohort with people and held sessions in the past."""

from __future__ import annotations

from datetime import date

import pytest

from programme.attendance.models import AttendanceMark


@pytest.fixture
def make_mark(db):
    def factory(session, participant, status: str = "present", **values) -> AttendanceMark:
        mark = AttendanceMark(session_id=session.id, participant_id=participant.id, status=status, **values)
        db.session.add(mark)
        db.session.commit()
        return mark

    return factory


@pytest.fixture
def make_held_cohort(db, make_cohort, make_session, make_participant, make_enrolment):
    """A cohort that started in the past with `people` enrolled and `held` held sessions.

    Returns (cohort, sessions, participants); extra keyword values go to make_cohort.
    """

    def factory(people: int = 3, held: int = 4, **cohort_values):
        cohort_values.setdefault("start_date", date(2026, 1, 6))
        cohort_values.setdefault("capacity", max(12, people))
        cohort = make_cohort(**cohort_values)
        sessions = [make_session(cohort, sequence=n, status="held") for n in range(1, held + 1)]
        participants = [make_participant(facility_id=cohort.facility_id) for _ in range(people)]
        for participant in participants:
            make_enrolment(participant, cohort, enrolled_on=date(2025, 12, 20))
        return cohort, sessions, participants

    return factory
