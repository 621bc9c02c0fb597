"""One cohort rule: per user and in its bound-parameter form per role it selects the same cohorts,
and the planning pages differ from the programme's other pages only for evaluators."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from programme.participants.scope import cohort_scope, role_cohort_scope
from programme.scheduling.models import Cohort
from programme.scheduling.services import scope as scheduling_scope
from programme.scheduling.services.scope import scope_parameters

ROLES = ["admin", "coordinator", "facilitator", "officer", "evaluator"]
COHORT_IDS = select(Cohort.id).order_by(Cohort.id)


@pytest.fixture
def user_among_cohorts(make_user, make_cohort, make_session, assign):
    """A user of the role and cohorts around them: three of others', one of their own (facility,
    department or assignment) where the role has one. Returns (user, number of cohorts)."""

    def make(role: str):
        cohorts = [make_cohort() for _ in range(3)]
        user = make_user(role)
        if role == "officer":
            cohorts.append(make_cohort(facility_id=user.facility_id))
        if role == "coordinator":
            cohorts.append(make_cohort(department_id=user.department_id))
        if role == "facilitator":
            assign(make_session(cohorts[1]), user)
        return user, len(cohorts)

    return make


def _selected(db, scope, parameters=None) -> list[int]:
    return db.session.execute(COHORT_IDS.where(scope), parameters or {}).scalars().all()


@pytest.mark.parametrize("role", ROLES)
def test_the_role_scope_with_the_users_ids_selects_what_the_users_scope_does(db, role, user_among_cohorts):
    user, cohorts = user_among_cohorts(role)
    per_user = _selected(db, cohort_scope(user))
    assert _selected(db, role_cohort_scope(role), scope_parameters(user)) == per_user
    # Each role sees some of the cohorts and (but admins and evaluators) not all of them.
    assert per_user
    if role not in ("admin", "evaluator"):
        assert len(per_user) < cohorts


@pytest.mark.parametrize("role", ROLES)
def test_planning_pages_use_the_same_rule_and_show_evaluators_no_cohort(db, role, user_among_cohorts):
    user, cohorts = user_among_cohorts(role)
    programme_wide = _selected(db, cohort_scope(user))
    planning = _selected(db, scheduling_scope.cohort_scope(user))
    if role == "evaluator":
        assert planning == [] and len(programme_wide) == cohorts
    else:
        assert planning == programme_wide and planning
