"""Who sees which cohorts and people, and how a person is named to each role.

Scope is applied in the queries, so a row outside it is simply not found (404):
officers see their facility; coordinators their department's cohorts; facilitators the cohorts
whose sessions they are assigned to; evaluators everyone who consented to evaluation, by code.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import Select, exists, false, select

from programme.core.permissions import ADMIN, COORDINATOR, EVALUATOR, FACILITATOR, OFFICER
from programme.extensions import db
from programme.participants.consent import evaluation_consent_clause
from programme.participants.models import Enrolment, Participant
from programme.scheduling.models import Cohort
from programme.scheduling.services import scope as scheduling_scope

# Roles that see names (officers of the person's facility, admins); everyone else sees codes,
# except facilitators, who see a first name and an initial to know who is in the room.
NAMED_ROLES = frozenset({ADMIN, OFFICER})
AGE_BANDS = ((18, 24), (25, 34), (35, 44), (45, 54), (55, None))


def cohort_scope(user):
    """A WHERE clause on Cohort for this user: the scheduling rule, evaluators seeing every cohort."""
    return scheduling_scope.cohort_scope(user, evaluators_see_all=True)


def role_cohort_scope(role: str):
    """cohort_scope for a role, the user's ids as bound parameters (scope_parameters(user))."""
    return scheduling_scope.role_cohort_scope(role, evaluators_see_all=True)


def visible_cohorts(user) -> Select:
    return select(Cohort).where(cohort_scope(user))


def get_cohort_or_404(user, cohort_id: int) -> Cohort:
    """The cohort if this user may read it (evaluators: every cohort), else 404."""
    return db.first_or_404(visible_cohorts(user).where(Cohort.id == cohort_id))


def participant_scope(user):
    """A WHERE clause on Participant for this user."""
    if user.role == ADMIN:
        return Participant.id.is_not(None)
    if user.role == OFFICER:
        return Participant.facility_id == user.facility_id
    if user.role == EVALUATOR:
        return evaluation_consent_clause()
    if user.role in (COORDINATOR, FACILITATOR):
        statuses = (
            ("enrolled", "completed")
            if user.role == FACILITATOR
            else ("enrolled", "waitlisted", "completed", "withdrawn")
        )
        in_cohort = exists(
            select(Enrolment.id)
            .join(Cohort, Cohort.id == Enrolment.cohort_id)
            .where(
                Enrolment.participant_id == Participant.id,
                Enrolment.status.in_(statuses),
                cohort_scope(user),
            )
        )
        return in_cohort
    return false()


def visible_participants(user) -> Select:
    return select(Participant).where(participant_scope(user))


def sees_names(user) -> bool:
    return user.role in NAMED_ROLES


def first_name_and_initial(full_name: str | None) -> str:
    """ "Ахметов Ерлан Серикович" -> "Ерлан А." (names are kept surname first, as on records)."""
    parts = (full_name or "").split()
    if not parts:
        return "—"
    if len(parts) == 1:
        return parts[0]
    return f"{parts[1]} {parts[0][0]}."


def person_label(user, participant) -> str:
    """How this user may see the person named: full name, first name and initial, or code."""
    if user.role in NAMED_ROLES:
        return participant.full_name or participant.study_code
    if user.role == FACILITATOR:
        return first_name_and_initial(participant.full_name)
    return participant.study_code


def age_band(birth_year: int | None, on: date | None = None) -> str:
    if not birth_year:
        return "—"
    age = (on or date.today()).year - birth_year
    for low, high in AGE_BANDS:
        if high is None and age >= low:
            return f"{low}+"
        if high is not None and low <= age <= high:
            return f"{low}–{high}"
    return f"<{AGE_BANDS[0][0]}"
