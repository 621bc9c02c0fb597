"""URL parameters of the questionnaires routes for the route x role walk.

The walk signs in fresh users (a new facility or department each), so an administration in the
user's scope is made here when none exists yet: a cohort at the officer's facility, of the
coordinator's department, or with a session assigned to the facilitator.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import select

from programme.curriculum.models import CurriculumVersion
from programme.extensions import db
from programme.facilities.models import Department, Facility
from programme.participants.models import Consent, Enrolment, Participant
from programme.questionnaires.models import Administration, Instrument, Response
from programme.questionnaires.services.administrations import visible_administrations
from programme.questionnaires.services.instruments import import_shipped
from programme.scheduling.models import Cohort, ProgrammeSession, SessionAssignment

SCOPED_ROLES = ("admin", "coordinator", "facilitator", "officer")


def _first(query):
    return db.session.execute(query.limit(1)).scalars().first()


def _instrument() -> Instrument:
    instrument = _first(select(Instrument).order_by(Instrument.id))
    if instrument is None:
        import_shipped()
        instrument = _first(select(Instrument).order_by(Instrument.id))
    return instrument


def _make_administration_in_scope(user) -> Administration:
    facility_id = user.facility_id or _first(select(Facility.id).order_by(Facility.id))
    department_id = user.department_id or _first(select(Department.id).order_by(Department.id))
    version_id = _first(select(CurriculumVersion.id).order_by(CurriculumVersion.id))
    today = date.today()
    cohort = Cohort(
        name=f"Route walk {user.id}",
        facility_id=facility_id,
        department_id=department_id,
        curriculum_version_id=version_id,
        language="ru",
        start_date=today,
        weekdays=[2],
        start_time=time(10, 0),
        status="running",
    )
    db.session.add(cohort)
    db.session.flush()
    if user.role == "facilitator":
        starts = datetime.combine(today, time(5, 0), tzinfo=UTC)
        session = ProgrammeSession(
            cohort_id=cohort.id, sequence=1, starts_at=starts, ends_at=starts + timedelta(hours=2)
        )
        session.assignments.append(SessionAssignment(user_id=user.id, role="lead"))
        db.session.add(session)
    participant = Participant(study_code=f"RW{user.id:05d}", facility_id=facility_id, full_name="Тестов Тест")
    participant.consents.append(Consent(consented_on=today, form_version="v1"))
    db.session.add(participant)
    db.session.flush()
    db.session.add(Enrolment(participant_id=participant.id, cohort_id=cohort.id, enrolled_on=today))
    administration = Administration(
        cohort_id=cohort.id,
        instrument_id=_instrument().id,
        timepoint="pre",
        opens_on=today - timedelta(days=7),
        closes_on=today + timedelta(days=7),
    )
    db.session.add(administration)
    db.session.flush()
    db.session.add(
        Response(administration_id=administration.id, participant_id=participant.id, status="mismatch")
    )
    db.session.commit()
    return administration


def _administration(user) -> Administration | None:
    if user is None or user.role not in SCOPED_ROLES:
        return _first(select(Administration).order_by(Administration.id))
    found = _first(visible_administrations(user).order_by(Administration.id))
    return found or _make_administration_in_scope(user)


def _administration_id(user):
    administration = _administration(user)
    return administration.id if administration else 1


def _response_id(user):
    administration = _administration(user)
    if administration is None:
        return 1
    response_id = _first(select(Response.id).where(Response.administration_id == administration.id))
    return response_id or 1


def _instrument_id(user):
    return _instrument().id


def _item_id(user):
    return _instrument().items[0].id


PROVIDERS = {
    "administration_id": _administration_id,
    "response_id": _response_id,
    "instrument_id": _instrument_id,
    "item_id": _item_id,
}
