"""The cohort scope per user and its bound-parameter form per role select the same cohorts."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from programme.participants.scope import cohort_scope, role_cohort_scope, scope_parameters
from programme.scheduling.models import Cohort


@pytest.mark.parametrize("role", ["admin", "coordinator", "facilitator", "officer", "evaluator"])
def test_the_role_scope_with_the_users_ids_selects_what_the_users_scope_does(
    db, role, make_user, make_cohort, make_session, assign
):
    cohorts = [make_cohort() for _ in range(3)]
    user = make_user(role)
    if role == "officer":
        cohorts.append(make_cohort(facility_id=user.facility_id))
    if role == "coordinator":
        cohorts.append(make_cohort(department_id=user.department_id))
    if role == "facilitator":
        assign(make_session(cohorts[1]), user)
    ids = select(Cohort.id).order_by(Cohort.id)
    per_user = db.session.execute(ids.where(cohort_scope(user))).scalars().all()
    per_role = db.session.execute(ids.where(role_cohort_scope(role)), scope_parameters(user)).scalars().all()
    assert per_role == per_user
    # Each role sees some of the cohorts and (but admins and evaluators) not all of them.
    assert per_user
    if role not in ("admin", "evaluator"):
        assert len(per_user) < len(cohorts)
