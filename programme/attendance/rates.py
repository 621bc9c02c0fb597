"""Attendance rates over HELD sessions, computed by the database.

A session counts once it is held (a cancelled session never is). Present and late count as
attended; excused counts as attended when the cohort's curriculum version says so
(`excused_count_as_attended`), otherwise as missed. A held session without a mark is missed.
Cohort and facility rates pool the people enrolled or completed (not waiting, not withdrawn).
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import and_, case, func, select

from programme.attendance.models import AttendanceMark
from programme.curriculum.models import CurriculumVersion
from programme.extensions import db
from programme.participants.models import Enrolment
from programme.scheduling.models import Cohort, ProgrammeSession

POOLED_STATUSES = ("enrolled", "completed")


@dataclass(frozen=True)
class Rate:
    held: int
    attended: int

    @property
    def share(self) -> float | None:
        return self.attended / self.held if self.held else None

    @property
    def percent(self) -> float | None:
        return None if self.share is None else round(100 * self.share, 1)

    def reaches(self, percent: int) -> bool:
        """attended / held >= percent %, in integers (no rounding at the boundary)."""
        return self.held > 0 and self.attended * 100 >= percent * self.held


def _attended():
    return case(
        (AttendanceMark.status.in_(("present", "late")), 1),
        (and_(AttendanceMark.status == "excused", CurriculumVersion.excused_count_as_attended.is_(True)), 1),
        else_=0,
    )


def _rate_query(*group_columns):
    return (
        select(
            *group_columns,
            func.count(ProgrammeSession.id).label("held"),
            func.coalesce(func.sum(_attended()), 0).label("attended"),
        )
        .select_from(Enrolment)
        .join(Cohort, Cohort.id == Enrolment.cohort_id)
        .join(CurriculumVersion, CurriculumVersion.id == Cohort.curriculum_version_id)
        .outerjoin(
            ProgrammeSession,
            and_(ProgrammeSession.cohort_id == Enrolment.cohort_id, ProgrammeSession.status == "held"),
        )
        .outerjoin(
            AttendanceMark,
            and_(
                AttendanceMark.session_id == ProgrammeSession.id,
                AttendanceMark.participant_id == Enrolment.participant_id,
            ),
        )
        .group_by(*group_columns)
    )


def enrolment_rates(*where) -> dict[int, Rate]:
    """Rate of each enrolment matching `where`, keyed by enrolment id."""
    rows = db.session.execute(_rate_query(Enrolment.id).where(Enrolment.status != "waitlisted", *where)).all()
    return {row[0]: Rate(int(row.held), int(row.attended)) for row in rows}


def rates_for_participant(participant_id: int) -> dict[int, Rate]:
    return enrolment_rates(Enrolment.participant_id == participant_id)


def rates_for_cohort_people(cohort_id: int) -> dict[int, Rate]:
    """Keyed by participant id."""
    rows = db.session.execute(
        _rate_query(Enrolment.participant_id).where(
            Enrolment.cohort_id == cohort_id, Enrolment.status != "waitlisted"
        )
    ).all()
    return {row[0]: Rate(int(row.held), int(row.attended)) for row in rows}


def cohort_rates(*where) -> dict[int, Rate]:
    rows = db.session.execute(
        _rate_query(Enrolment.cohort_id).where(Enrolment.status.in_(POOLED_STATUSES), *where)
    ).all()
    return {row[0]: Rate(int(row.held), int(row.attended)) for row in rows}


def facility_rates(*where) -> dict[int, Rate]:
    rows = db.session.execute(
        _rate_query(Cohort.facility_id).where(Enrolment.status.in_(POOLED_STATUSES), *where)
    ).all()
    return {row[0]: Rate(int(row.held), int(row.attended)) for row in rows}


def held_session_counts(*where) -> dict[int, int]:
    rows = db.session.execute(
        select(ProgrammeSession.cohort_id, func.count(ProgrammeSession.id))
        .join(Cohort, Cohort.id == ProgrammeSession.cohort_id)
        .where(ProgrammeSession.status == "held", *where)
        .group_by(ProgrammeSession.cohort_id)
    ).all()
    return dict(rows)
