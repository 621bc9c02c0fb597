"""The printed register grid of a cohort (people x sessions), kept until its data changes.

A coordinator prints the same grid many times between sessions; the PDF is drawn once and its
bytes reused (programme.core.cache, per user: names and scope differ by role) until a mark, an
enrolment, a session or a person changes. Every print is still recorded by the view.
"""

from __future__ import annotations

from sqlalchemy import select

from programme.attendance import pdf, rates, registers
from programme.attendance.models import AttendanceMark
from programme.core.cache import cached_for_user, watch
from programme.core.i18n import localized
from programme.core.permissions import EVALUATOR
from programme.curriculum.models import CurriculumVersion
from programme.extensions import db
from programme.facilities.models import Facility
from programme.participants.consent import evaluation_consent_clause
from programme.participants.enrolment import cohort_roster
from programme.participants.models import Consent, Enrolment, Participant
from programme.participants.scope import get_cohort_or_404, person_label
from programme.scheduling.models import Cohort, ProgrammeSession, SessionAssignment

# What the grid shows, and what decides whether the user may see the cohort at all (its
# staffing: a facilitator sees the cohorts of the sessions they are booked on).
GRID_TABLES = watch(
    AttendanceMark,
    Enrolment,
    Participant,
    Consent,
    ProgrammeSession,
    SessionAssignment,
    Cohort,
    Facility,
    CurriculumVersion,
)


def evaluable_ids(user, participant_ids) -> set[int] | None:
    """For evaluators, the people whose data may be shown; None means everyone."""
    if user.role != EVALUATOR:
        return None
    return set(
        db.session.execute(
            select(Participant.id).where(
                Participant.id.in_(list(participant_ids)), evaluation_consent_clause()
            )
        ).scalars()
    )


def register_grid(user, cohort_id: int, locale: str) -> tuple[bytes, int]:
    """The grid's PDF and how many people it lists; 404 for a cohort outside the user's scope.

    The scope check is part of what is reused (the key holds the user and their scope, and a
    change of the cohorts or their staffing draws it anew): a print then costs the data
    generations' statement and its audit row, not a cohort lookup besides."""
    return cached_for_user(
        f"attendance.register_grid.{cohort_id}",
        user,
        lambda: _register_grid(user, get_cohort_or_404(user, cohort_id), locale),
        depends_on=GRID_TABLES,
    )


def _register_grid(user, cohort: Cohort, locale: str) -> tuple[bytes, int]:
    sessions = list(cohort.sessions)
    roster = [e for e in cohort_roster(cohort.id) if e.status != "waitlisted"]
    allowed = evaluable_ids(user, (e.participant_id for e in roster))
    if allowed is not None:
        roster = [e for e in roster if e.participant_id in allowed]
    marks = {
        (m.participant_id, m.session_id): m.status
        for m in db.session.execute(
            select(AttendanceMark).where(AttendanceMark.session_id.in_([s.id for s in sessions]))
        ).scalars()
    }
    person_rates = rates.rates_for_cohort_people(cohort.id)
    timezone = cohort.facility.timezone
    heads = [(registers.local_date(s, timezone).strftime("%d.%m"), s.status == "held") for s in sessions]
    people = []
    for enrolment in sorted(roster, key=lambda e: person_label(user, e.participant)):
        rate = person_rates.get(enrolment.participant_id)
        people.append(
            (
                person_label(user, enrolment.participant),
                [marks.get((enrolment.participant_id, s.id)) for s in sessions],
                f"{rate.percent:.0f}%" if rate and rate.percent is not None else "—",
            )
        )
    content = pdf.register_grid_pdf(
        cohort.name, localized(cohort.facility, "name", locale), heads, people, locale
    )
    return content, len(people)
