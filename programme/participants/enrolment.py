"""Enrolment in cohorts: capacity and the waiting list, withdrawal, and clashing cohorts."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from flask_babel import gettext as _
from sqlalchemy import and_, func, select
from sqlalchemy.orm import aliased, contains_eager

from programme.core.services import ValidationFailed, unit_of_work
from programme.extensions import db
from programme.participants.models import WITHDRAWAL_REASONS, Enrolment, Participant
from programme.scheduling.models import Cohort, ProgrammeSession

OPEN_STATUSES = ("enrolled", "waitlisted")
ACTIVE_COHORT_STATUSES = ("planned", "running")


def _weeks_of(cohort: Cohort) -> int:
    version = cohort.curriculum_version
    return max(1, getattr(version, "sessions_count", None) or 10)


def _pattern_clash(first: Cohort, second: Cohort) -> bool:
    """Both cohorts meet on a shared weekday at overlapping hours while both run."""
    if not set(first.weekdays or []) & set(second.weekdays or []):
        return False
    first_end = first.start_date + timedelta(weeks=_weeks_of(first))
    second_end = second.start_date + timedelta(weeks=_weeks_of(second))
    if first.start_date > second_end or second.start_date > first_end:
        return False
    day = date(2000, 1, 3)
    a_start = datetime.combine(day, first.start_time)
    b_start = datetime.combine(day, second.start_time)
    a_end = a_start + timedelta(minutes=first.duration_minutes)
    b_end = b_start + timedelta(minutes=second.duration_minutes)
    return a_start < b_end and b_start < a_end


def clashing_cohort(participant_id: int, cohort: Cohort) -> Cohort | None:
    """Another open cohort of this person that meets at the same time as `cohort`, if any."""
    others = (
        db.session.execute(
            select(Cohort)
            .join(Enrolment, Enrolment.cohort_id == Cohort.id)
            .where(
                Enrolment.participant_id == participant_id,
                Enrolment.status.in_(OPEN_STATUSES),
                Cohort.id != cohort.id,
                Cohort.status.in_(ACTIVE_COHORT_STATUSES),
            )
        )
        .scalars()
        .all()
    )
    if not others:
        return None
    mine, theirs = aliased(ProgrammeSession), aliased(ProgrammeSession)
    overlapping = set(
        db.session.execute(
            select(theirs.cohort_id)
            .join(
                mine,
                and_(mine.starts_at < theirs.ends_at, mine.ends_at > theirs.starts_at),
            )
            .where(
                mine.cohort_id == cohort.id,
                theirs.cohort_id.in_([other.id for other in others]),
                mine.status != "cancelled",
                theirs.status != "cancelled",
            )
        ).scalars()
    )
    with_sessions = set(
        db.session.execute(
            select(ProgrammeSession.cohort_id).where(
                ProgrammeSession.cohort_id.in_([cohort.id, *(other.id for other in others)])
            )
        ).scalars()
    )
    for other in others:
        if other.id in overlapping:
            return other
        if (cohort.id not in with_sessions or other.id not in with_sessions) and _pattern_clash(
            cohort, other
        ):
            return other
    return None


def _lock_cohort(cohort_id: int) -> Cohort:
    """Serialise enrolments of one cohort (PostgreSQL row lock; SQLite writers queue anyway)."""
    return db.session.execute(select(Cohort).where(Cohort.id == cohort_id).with_for_update()).scalar_one()


def enrol(participant: Participant, cohort: Cohort, enrolled_on: date | None = None) -> Enrolment:
    """Enrol the person, or put them on the waiting list when the cohort is full."""
    return enrol_many([participant], cohort, enrolled_on)[0]


def enrol_many(
    participants: list[Participant], cohort: Cohort, enrolled_on: date | None = None
) -> list[Enrolment]:
    """Enrol people in the order given; once the places are taken the rest wait, in that order."""
    enrolled_on = enrolled_on or date.today()
    if cohort.status not in ACTIVE_COHORT_STATUSES:
        raise ValidationFailed(_("People can only be enrolled in a planned or running cohort."))
    problems = []
    for participant in participants:
        label = participant.full_name or participant.study_code
        if participant.facility_id != cohort.facility_id:
            problems.append(_("%(name)s is not at this cohort's facility.", name=label))
        clash = clashing_cohort(participant.id, cohort)
        if clash is not None:
            problems.append(
                _(
                    "%(name)s is already in %(cohort)s, which meets at the same time.",
                    name=label,
                    cohort=clash.name,
                )
            )
    existing = set(
        db.session.execute(
            select(Enrolment.participant_id).where(
                Enrolment.cohort_id == cohort.id, Enrolment.participant_id.in_([p.id for p in participants])
            )
        ).scalars()
    )
    problems += [
        _("%(name)s is already on this cohort's list.", name=p.full_name or p.study_code)
        for p in participants
        if p.id in existing
    ]
    if problems:
        raise ValidationFailed({"": problems})
    with unit_of_work():
        locked = _lock_cohort(cohort.id)
        counts = dict(
            db.session.execute(
                select(Enrolment.status, func.count(Enrolment.id))
                .where(Enrolment.cohort_id == cohort.id)
                .group_by(Enrolment.status)
            ).all()
        )
        taken = counts.get("enrolled", 0)
        last_position = (
            db.session.execute(
                select(func.max(Enrolment.waitlist_position)).where(Enrolment.cohort_id == cohort.id)
            ).scalar()
            or 0
        )
        enrolments = []
        for participant in participants:
            enrolment = Enrolment(participant_id=participant.id, cohort_id=cohort.id, enrolled_on=enrolled_on)
            if taken < locked.capacity:
                enrolment.status = "enrolled"
                taken += 1
            else:
                last_position += 1
                enrolment.status = "waitlisted"
                enrolment.waitlist_position = last_position
            db.session.add(enrolment)
            enrolments.append(enrolment)
    return enrolments


def promote_from_waitlist(cohort_id: int) -> Enrolment | None:
    """Give a freed place to the first person waiting (call inside a unit of work)."""
    capacity = db.session.execute(select(Cohort.capacity).where(Cohort.id == cohort_id)).scalar_one()
    taken = db.session.execute(
        select(func.count(Enrolment.id)).where(
            Enrolment.cohort_id == cohort_id, Enrolment.status == "enrolled"
        )
    ).scalar_one()
    if taken >= capacity:
        return None
    first = db.session.execute(
        select(Enrolment)
        .where(Enrolment.cohort_id == cohort_id, Enrolment.status == "waitlisted")
        .order_by(Enrolment.waitlist_position, Enrolment.id)
        .limit(1)
    ).scalar()
    if first is not None:
        first.status = "enrolled"
        first.waitlist_position = None
    return first


def withdraw_enrolment(
    enrolment: Enrolment, reason: str, withdrawn_on: date | None = None, commit: bool = True
) -> Enrolment:
    """End an enrolment with a reason; a place freed goes to the first person waiting."""
    if reason not in WITHDRAWAL_REASONS:
        raise ValidationFailed.on("reason", _("Choose a reason from the list."))
    if enrolment.status not in OPEN_STATUSES:
        raise ValidationFailed(_("Only an enrolled or waiting person can be withdrawn."))
    withdrawn_on = withdrawn_on or date.today()
    if withdrawn_on > date.today():
        raise ValidationFailed.on("withdrawn_on", _("The date cannot be in the future."))

    def apply() -> None:
        enrolment.status = "withdrawn"
        enrolment.withdrawal_reason = reason
        enrolment.withdrawn_on = withdrawn_on
        enrolment.waitlist_position = None
        db.session.flush()
        promote_from_waitlist(enrolment.cohort_id)

    if commit:
        with unit_of_work():
            apply()
    else:
        apply()
    return enrolment


def cohort_roster(cohort_id: int) -> list[Enrolment]:
    """Everyone on the cohort's list with their person loaded (one query)."""
    return list(
        db.session.execute(
            select(Enrolment)
            .join(Participant, Participant.id == Enrolment.participant_id)
            .options(contains_eager(Enrolment.participant))
            .where(Enrolment.cohort_id == cohort_id)
            .order_by(Enrolment.status, Enrolment.waitlist_position, Participant.full_name, Enrolment.id)
        ).scalars()
    )
