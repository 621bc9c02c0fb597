"""URL parameters of the scheduling routes for the route x role walk (on the demo data).

The walk signs in a fresh user per role (a new department for coordinators and facilitators, a
new facility for officers), so where such a user can see nothing yet, the provider gives them a
cohort of their own (their department's, at their facility, or with a session assigned to them).
"""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

from sqlalchemy import select

from programme.auth.models import User
from programme.curriculum.models import CurriculumVersion
from programme.extensions import db
from programme.facilities.models import Facility
from programme.scheduling.models import (
    AccessPass,
    AvailabilityException,
    AvailabilitySlot,
    Cohort,
    FacilitatorProfile,
    ProgrammeSession,
    SessionAssignment,
)
from programme.scheduling.services.scope import cohort_scope


def _own_cohort(user) -> Cohort:
    version_id = (
        db.session.execute(select(CurriculumVersion.id).order_by(CurriculumVersion.id)).scalars().first()
    )
    facility_id = (
        user.facility_id or db.session.execute(select(Facility.id).order_by(Facility.id)).scalars().first()
    )
    department_id = user.department_id or db.session.execute(select(Cohort.department_id)).scalars().first()
    cohort = Cohort(
        name=f"Walk cohort {user.id}",
        facility_id=facility_id,
        department_id=department_id,
        curriculum_version_id=version_id,
        language="ru",
        start_date=datetime.now(UTC).date(),
        weekdays=[2],
        start_time=time(10),
        duration_minutes=120,
        status="running",
    )
    db.session.add(cohort)
    db.session.flush()
    starts = datetime.now(UTC) + timedelta(days=1)
    session = ProgrammeSession(
        cohort_id=cohort.id,
        sequence=1,
        starts_at=starts,
        ends_at=starts + timedelta(hours=2),
        status="scheduled",
    )
    db.session.add(session)
    db.session.flush()
    if user.role == "facilitator":
        db.session.add(SessionAssignment(session_id=session.id, user_id=user.id, role="lead"))
    db.session.commit()
    return cohort


def _cohort_id(user):
    if user is None or user.role in ("evaluator",):
        return db.session.execute(select(Cohort.id).order_by(Cohort.id)).scalars().first()
    found = (
        db.session.execute(select(Cohort.id).where(cohort_scope(user)).order_by(Cohort.id)).scalars().first()
    )
    return found or _own_cohort(user).id


def _session_id(user):
    found = _first_session(user, _cohort_id(user))
    if found is None and user is not None and user.role != "evaluator":
        # the user's first cohort may have been made by another domain's provider, without sessions
        found = _first_session(user, _own_cohort(user).id)
    return found


def _first_session(user, cohort_id):
    query = select(ProgrammeSession.id).where(ProgrammeSession.cohort_id == cohort_id)
    if user is not None and user.role == "facilitator":
        query = query.join(SessionAssignment).where(SessionAssignment.user_id == user.id)
    return db.session.execute(query.order_by(ProgrammeSession.id)).scalars().first()


def _facilitator_id(user):
    if user is not None and user.role == "facilitator":
        return user.id
    query = select(User.id).where(User.role == "facilitator").order_by(User.id)
    if user is not None and user.role == "coordinator":
        found = db.session.execute(query.where(User.department_id == user.department_id)).scalars().first()
        if found is None:
            from programme.auth.services import create_user

            found = create_user(
                email=f"walk-facilitator-{user.id}@test.kz",
                full_name="Walk Facilitator",
                role="facilitator",
                password="correct-horse-battery-staple",
                department_id=user.department_id,
                must_change_password=False,
            ).id
        return found
    return db.session.execute(query).scalars().first()


def _token(user):
    token = (
        db.session.execute(
            select(FacilitatorProfile.calendar_token).where(FacilitatorProfile.calendar_token.is_not(None))
        )
        .scalars()
        .first()
    )
    return token or "no-token-in-the-demo"


def _first_id(model):
    def provider(user):
        return db.session.execute(select(model.id).order_by(model.id)).scalars().first() or 1

    return provider


PROVIDERS = {
    "assignment_id": _first_id(SessionAssignment),
    "pass_id": _first_id(AccessPass),
    "slot_id": _first_id(AvailabilitySlot),
    "exception_id": _first_id(AvailabilityException),
    "cohort_id": _cohort_id,
    "session_id": _session_id,
    "facilitator_id": _facilitator_id,
    "token": _token,
}
