"""URL values for the route walk: a small cohort visible to the signed-in user.

The walk signs in a fresh user per role, who sees nothing of the demo data (an officer of a new
facility, a facilitator with no sessions), so each provider finds or makes, for that user, a
completed cohort at their facility and department with one held past session (assigned to them
if they facilitate) and one consenting participant who completed it.
"""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import select

from programme.curriculum.models import Curriculum, CurriculumVersion, SessionPlan
from programme.extensions import db
from programme.facilities.models import Department, Facility
from programme.participants.codes import generate_study_code
from programme.participants.models import Consent, Enrolment, Participant
from programme.scheduling.models import Cohort, ProgrammeSession, SessionAssignment


def _first(model):
    return db.session.execute(select(model.id).order_by(model.id)).scalars().first()


def _kit(user) -> dict:
    name = f"Registry walk {user.id if user is not None else 'anonymous'}"
    cohort = db.session.execute(select(Cohort).where(Cohort.name == name)).scalar()
    if cohort is None:
        facility_id = (user.facility_id if user is not None else None) or _first(Facility)
        department_id = (user.department_id if user is not None else None) or _first(Department)
        version = CurriculumVersion(number=1, status="published", sessions_count=1)
        version.curriculum = Curriculum(department_id=department_id)
        version.plans.append(
            SessionPlan(position=1, lineage=str(uuid.uuid4()), stimulus_kind="story", steps=[])
        )
        cohort = Cohort(
            name=name,
            facility_id=facility_id,
            department_id=department_id,
            curriculum_version=version,
            language="ru",
            capacity=12,
            start_date=date.today() - timedelta(days=30),
            weekdays=[2],
            start_time=time(10, 0),
            status="completed",
        )
        starts = datetime.now(UTC) - timedelta(days=30)
        session = ProgrammeSession(
            cohort=cohort, sequence=1, starts_at=starts, ends_at=starts + timedelta(hours=2), status="held"
        )
        if user is not None and user.role == "facilitator":
            session.assignments.append(SessionAssignment(user_id=user.id, role="lead"))
        participant = Participant(
            facility_id=facility_id,
            study_code=generate_study_code(),
            full_name="Маршрутов Тест Тестович",
            facility_number=f"RW-{uuid.uuid4().hex[:8]}",
            birth_year=1990,
            languages=["ru"],
        )
        participant.consents.append(
            Consent(consented_on=date.today() - timedelta(days=40), form_version="v1")
        )
        participant.enrolments.append(
            Enrolment(cohort=cohort, status="completed", enrolled_on=date.today() - timedelta(days=40))
        )
        db.session.add_all([cohort, session, participant])
        db.session.commit()
    session = cohort.sessions[0]
    enrolment = db.session.execute(select(Enrolment).where(Enrolment.cohort_id == cohort.id)).scalar_one()
    return {
        "cohort_id": cohort.id,
        "session_id": session.id,
        "enrolment_id": enrolment.id,
        "participant_id": enrolment.participant_id,
    }


PROVIDERS = {
    "participant_id": lambda user: _kit(user)["participant_id"],
    "enrolment_id": lambda user: _kit(user)["enrolment_id"],
    "cohort_id": lambda user: _kit(user)["cohort_id"],
    "session_id": lambda user: _kit(user)["session_id"],
}
