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


@pytest.fixture
def demo_cohorts(db, demo_data, make_curriculum_version, make_cohort, make_session):
    """The demo cohorts of programme/core/demo_plan.py with ten weekly sessions each, as the
    scheduling seeder makes them (built here so these tests do not depend on it)."""
    from sqlalchemy import select

    from programme.core.demo_plan import DEMO_COHORTS
    from programme.facilities.models import Department, Facility
    from programme.scheduling.models import Cohort

    existing = {c.name: c for c in db.session.execute(select(Cohort)).scalars()}
    if existing:
        return [existing[plan.name] for plan in DEMO_COHORTS if plan.name in existing]
    facilities = dict(db.session.execute(select(Facility.code, Facility.id)).all())
    departments = db.session.execute(select(Department.id).order_by(Department.id)).scalars().all()
    cohorts = []
    for plan in DEMO_COHORTS:
        department_id = departments[plan.department_index]
        version = make_curriculum_version(department_id=department_id)
        cohort = make_cohort(
            facility_id=facilities[plan.facility_code],
            department_id=department_id,
            curriculum_version_id=version.id,
            name=plan.name,
            status=plan.status,
            start_date=plan.start_date,
            weekdays=list(plan.weekdays),
            start_time=plan.start_time,
            language=plan.language,
        )
        for sequence in range(1, 11):
            make_session(cohort, sequence=sequence)
        cohorts.append(cohort)
    return cohorts
