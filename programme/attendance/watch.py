"""The officer's watch list: people missing sessions in a row, cohorts attending too little."""

from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple

from flask import current_app
from sqlalchemy import and_, select

from programme.attendance.models import AttendanceMark
from programme.attendance.rates import Rate, cohort_rates
from programme.core.cache import cached_for_user, watch
from programme.curriculum.models import CurriculumVersion
from programme.extensions import db
from programme.participants.models import Enrolment, Participant
from programme.participants.scope import cohort_scope, person_label
from programme.scheduling.models import Cohort, ProgrammeSession, SessionAssignment

ABSENCES_IN_A_ROW = 2
DEFAULT_THRESHOLD_PERCENT = 70


class NamedPerson(NamedTuple):
    """What person_label reads of a participant."""

    full_name: str | None
    study_code: str


@dataclass(frozen=True)
class WatchedPerson:
    participant_id: int
    label: str
    cohort_id: int
    cohort_name: str
    absences_in_a_row: int


@dataclass(frozen=True)
class WatchedCohort:
    cohort_id: int
    name: str
    rate: Rate


def trailing_absences(statuses_newest_first: list[str | None]) -> int:
    count = 0
    for status in statuses_newest_first:
        if status != "absent":
            break
        count += 1
    return count


# What the watch list reads (programme.core.cache recomputes it when one of them changes).
WATCH_TABLES = watch(
    AttendanceMark, Enrolment, Participant, Cohort, ProgrammeSession, SessionAssignment, CurriculumVersion
)


def watch_list(user) -> dict:
    """The watch list of this user, reused until attendance, enrolments or sessions change."""
    return cached_for_user("attendance.watch_list", user, lambda: _watch_list(user), depends_on=WATCH_TABLES)


def _watch_list(user) -> dict:
    """People in running cohorts whose latest held sessions are 2+ absences; cohorts under the
    threshold (ATTENDANCE_WATCH_PERCENT, default 70 %). Two queries whatever the size: the
    histories (with the people's and cohorts' names) and the cohorts' rates."""
    threshold = int(current_app.config.get("ATTENDANCE_WATCH_PERCENT", DEFAULT_THRESHOLD_PERCENT))
    # Driven from the (few) running cohorts through an IN list: as a join, the planner scans
    # every enrolment in the country to follow the ORDER BY (2.4 ms instead of 7-20 ms nationally).
    running_ids = select(Cohort.id).where(Cohort.status == "running", cohort_scope(user))
    rows = db.session.execute(
        select(
            Enrolment.participant_id,
            Enrolment.cohort_id,
            AttendanceMark.status,
            Cohort.name,
            Participant.full_name,
            Participant.study_code,
        )
        .join(Cohort, Cohort.id == Enrolment.cohort_id)
        .join(Participant, Participant.id == Enrolment.participant_id)
        .join(
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
        .where(Enrolment.cohort_id.in_(running_ids), Enrolment.status == "enrolled")
        .order_by(Enrolment.cohort_id, Enrolment.participant_id, ProgrammeSession.starts_at.desc())
    ).all()
    histories: dict[tuple[int, int], list] = {}
    names: dict[int, str] = {}
    people: dict[int, NamedPerson] = {}
    for participant_id, cohort_id, status, cohort_name, full_name, study_code in rows:
        histories.setdefault((participant_id, cohort_id), []).append(status)
        names[cohort_id] = cohort_name
        people[participant_id] = NamedPerson(full_name, study_code)
    flagged = {key: trailing_absences(statuses) for key, statuses in histories.items()}
    watched_people = [
        WatchedPerson(pid, person_label(user, people[pid]), cid, names[cid], count)
        for (pid, cid), count in sorted(flagged.items(), key=lambda item: -item[1])
        if count >= ABSENCES_IN_A_ROW
    ]
    rates = cohort_rates(Enrolment.cohort_id.in_(running_ids))
    low = {cid: rate for cid, rate in rates.items() if rate.held and not rate.reaches(threshold)}
    if set(low) - set(names):  # a cohort whose people have all completed: not in the histories
        names |= dict(db.session.execute(select(Cohort.id, Cohort.name).where(Cohort.id.in_(low))).all())
    watched_cohorts = [WatchedCohort(cid, names[cid], rate) for cid, rate in low.items()]
    return {"people": watched_people, "cohorts": watched_cohorts, "threshold": threshold}
