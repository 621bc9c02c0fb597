"""Administrations: an instrument given to a cohort at a timepoint in a window, to the people
expected to answer (consenting and enrolled), and the progress of who has answered."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import Select, and_, exists, func, select
from sqlalchemy.orm import selectinload

from programme.core.cache import cached_for_user, watch
from programme.core.permissions import ADMIN, COORDINATOR, FACILITATOR, OFFICER
from programme.core.services import ValidationFailed, unit_of_work
from programme.extensions import db
from programme.participants.models import Consent, Enrolment, Participant
from programme.questionnaires.models import Administration, Instrument, Response
from programme.scheduling.models import Cohort, ProgrammeSession, SessionAssignment

TIMEPOINT_PATTERN = re.compile(r"^(pre|post|followup_([1-9]|1[0-9]))$")
EXPECTED_ENROLMENT = ("enrolled", "completed")
STATUS_LABELS = {
    "in_progress": _l("In progress"),
    "awaiting_second_entry": _l("Awaiting second entry"),
    "mismatch": _l("Entries differ"),
    "complete": _l("Answered"),
}


def timepoint_label(timepoint: str) -> str:
    if timepoint == "pre":
        return _("Before the course")
    if timepoint == "post":
        return _("After the course")
    number = timepoint.removeprefix("followup_")
    return _("Follow-up %(n)s", n=number)


def visible_cohorts(user) -> Select:
    """Cohorts in this user's scope: an officer's facility, a coordinator's department, a
    facilitator's own cohorts (assigned to one of its sessions), everything for an admin."""
    query = select(Cohort)
    if user.role == OFFICER:
        query = query.where(Cohort.facility_id == user.facility_id)
    elif user.role == COORDINATOR:
        query = query.where(Cohort.department_id == user.department_id)
    elif user.role == FACILITATOR:
        assigned = (
            select(ProgrammeSession.cohort_id)
            .join(SessionAssignment, SessionAssignment.session_id == ProgrammeSession.id)
            .where(SessionAssignment.user_id == user.id)
        )
        query = query.where(Cohort.id.in_(assigned))
    elif user.role != ADMIN:
        query = query.where(Cohort.id.is_(None))
    return query


def visible_administrations(user) -> Select:
    cohorts = visible_cohorts(user).with_only_columns(Cohort.id)
    return select(Administration).where(Administration.cohort_id.in_(cohorts))


def get_administration_or_404(user, administration_id: int) -> Administration:
    return db.first_or_404(visible_administrations(user).where(Administration.id == administration_id))


def get_cohort_or_404(user, cohort_id: int) -> Cohort:
    return db.first_or_404(visible_cohorts(user).where(Cohort.id == cohort_id))


def cohort_choices(user) -> list[tuple[int, str]]:
    cohorts = db.session.execute(
        visible_cohorts(user).where(Cohort.status != "cancelled").order_by(Cohort.start_date.desc())
    ).scalars()
    return [(cohort.id, cohort.name) for cohort in cohorts]


# What the dashboard's open-now figure reads (programme.core.cache invalidates on their changes).
PROGRESS_TABLES = watch(
    Administration, Response, Enrolment, Participant, Consent, Cohort, ProgrammeSession, SessionAssignment
)


def has_active_consent():
    return exists().where(Consent.participant_id == Participant.id, Consent.withdrawn_on.is_(None))


def expected_people(administration: Administration) -> Select:
    """Participants expected to answer: enrolled (or completed) in the cohort, with consent."""
    return (
        select(Participant)
        .join(Enrolment, Enrolment.participant_id == Participant.id)
        .where(
            Enrolment.cohort_id == administration.cohort_id,
            Enrolment.status.in_(EXPECTED_ENROLMENT),
            has_active_consent(),
        )
        .order_by(Participant.study_code)
    )


@dataclass(frozen=True)
class ProgressRow:
    participant: Participant
    response: Response | None
    is_expected: bool


@dataclass(frozen=True)
class Progress:
    rows: list[ProgressRow]

    @property
    def expected(self) -> int:
        return sum(1 for row in self.rows if row.is_expected)

    @property
    def answered(self) -> int:
        return sum(1 for row in self.rows if row.response is not None and row.response.status == "complete")

    @property
    def pending(self) -> int:
        return sum(1 for row in self.rows if row.response is not None and row.response.status != "complete")

    @property
    def missing(self) -> list[ProgressRow]:
        return [row for row in self.rows if row.is_expected and row.response is None]


def progress(administration: Administration) -> Progress:
    """Everyone expected plus anyone who answered (two queries whatever the cohort size)."""
    expected = list(db.session.execute(expected_people(administration)).scalars())
    responses = db.session.execute(
        select(Response, Participant)
        .join(Participant, Participant.id == Response.participant_id)
        .where(Response.administration_id == administration.id)
        .options(selectinload(Response.scores))
    ).all()
    by_participant = {participant.id: response for response, participant in responses}
    rows = [ProgressRow(p, by_participant.get(p.id), True) for p in expected]
    expected_ids = {p.id for p in expected}
    rows += [ProgressRow(p, r, False) for r, p in responses if p.id not in expected_ids]
    rows.sort(key=lambda row: row.participant.study_code)
    return Progress(rows)


def _progress_columns():
    """Expected and answered counts of the administration in the row (correlated: one statement)."""
    expected = (
        select(func.count(Participant.id))
        .join(Enrolment, Enrolment.participant_id == Participant.id)
        .where(
            Enrolment.cohort_id == Administration.cohort_id,
            Enrolment.status.in_(EXPECTED_ENROLMENT),
            has_active_consent(),
        )
        .correlate(Administration)  # only the administration: the scope may join people too
        .scalar_subquery()
    )
    answered = (
        select(func.count(Response.id))
        .where(Response.administration_id == Administration.id, Response.status == "complete")
        .correlate(Administration)
        .scalar_subquery()
    )
    return expected.label("expected"), answered.label("answered")


def progress_counts(administration_ids: list[int]) -> dict[int, dict[str, int]]:
    """Expected and answered counts for many administrations in one aggregate query."""
    if not administration_ids:
        return {}
    rows = db.session.execute(
        select(Administration.id, *_progress_columns()).where(Administration.id.in_(administration_ids))
    ).all()
    counts = {aid: {"expected": 0, "answered": 0} for aid in administration_ids}
    for aid, expected, answered in rows:
        counts[aid] = {"expected": expected, "answered": answered}
    return counts


def _check(values: dict, user, administration: Administration | None) -> dict:
    administration_id = administration.id if administration else None
    problems: dict[str, list[str]] = {}
    timepoint = (values.get("timepoint") or "").strip()
    if not TIMEPOINT_PATTERN.match(timepoint):
        problems["timepoint"] = [_("Choose pre, post or follow-up.")]
    opens_on, closes_on = values.get("opens_on"), values.get("closes_on")
    if opens_on and closes_on and closes_on < opens_on:
        problems["closes_on"] = [_("The window must close on or after the day it opens.")]
    instrument = db.session.get(Instrument, int(values.get("instrument_id") or 0))
    keeps_its_instrument = (
        administration is not None
        and instrument is not None
        and (instrument.id == administration.instrument_id)
    )
    if instrument is None or (instrument.status != "active" and not keeps_its_instrument):
        problems["instrument_id"] = [_("Choose a published instrument.")]
    cohort_id = int(values.get("cohort_id") or 0)
    cohort = db.session.execute(visible_cohorts(user).where(Cohort.id == cohort_id)).scalar_one_or_none()
    if cohort is None:
        problems["cohort_id"] = [_("Choose one of your cohorts.")]
    if not problems:
        clash = db.session.execute(
            select(Administration.id).where(
                Administration.cohort_id == cohort_id,
                Administration.instrument_id == instrument.id,
                Administration.timepoint == timepoint,
                Administration.id != (administration_id or 0),
            )
        ).first()
        if clash:
            problems["timepoint"] = [_("This cohort already has this instrument at this timepoint.")]
    if problems:
        raise ValidationFailed(problems)
    return {
        "cohort_id": cohort_id,
        "instrument_id": instrument.id,
        "timepoint": timepoint,
        "opens_on": opens_on,
        "closes_on": closes_on,
        "requires_double_entry": bool(values.get("requires_double_entry")),
    }


def create_administration(user, values: dict) -> Administration:
    clean = _check(values, user, None)
    with unit_of_work():
        administration = Administration(**clean)
        db.session.add(administration)
    return administration


def update_administration(user, administration: Administration, values: dict) -> Administration:
    """Change the window or double entry; instrument and timepoint stay once responses exist."""
    has_responses = db.session.execute(
        select(Response.id).where(Response.administration_id == administration.id).limit(1)
    ).first()
    if has_responses:
        values = {
            **values,
            "cohort_id": administration.cohort_id,
            "instrument_id": administration.instrument_id,
            "timepoint": administration.timepoint,
        }
    clean = _check(values, user, administration)
    with unit_of_work():
        for key, value in clean.items():
            setattr(administration, key, value)
    return administration


def is_open_on(administration: Administration, day: date) -> bool:
    return administration.opens_on <= day <= administration.closes_on


def administrations_for_cohort(cohort_id: int) -> list[Administration]:
    return list(
        db.session.execute(
            select(Administration)
            .where(Administration.cohort_id == cohort_id)
            .order_by(Administration.opens_on, Administration.id)
        ).scalars()
    )


def expected_participant(administration: Administration, participant_id: int) -> Participant | None:
    return db.session.execute(
        expected_people(administration).where(Participant.id == participant_id)
    ).scalar_one_or_none()


def answerable_by_code(administration: Administration, code: str) -> Participant | None:
    return db.session.execute(
        select(Participant)
        .join(Enrolment, and_(Enrolment.participant_id == Participant.id))
        .where(
            Enrolment.cohort_id == administration.cohort_id,
            func.upper(Participant.study_code) == code.upper(),
        )
    ).scalar_one_or_none()


def open_now_summary(user) -> dict:
    """For the dashboard: administrations open today in the user's scope and answers missing."""
    return cached_for_user(
        "questionnaires.open_now", user, lambda: _open_now_summary(user), depends_on=PROGRESS_TABLES
    )


def _open_now_summary(user) -> dict:
    today = date.today()
    rows = db.session.execute(
        visible_administrations(user)
        .where(Administration.opens_on <= today, Administration.closes_on >= today)
        .with_only_columns(Administration.id, *_progress_columns())
    ).all()
    return {
        "open": len(rows),
        "missing": sum(max(0, expected - answered) for _id, expected, answered in rows),
    }
