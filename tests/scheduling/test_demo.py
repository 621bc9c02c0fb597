"""The demo scheduling story: cohorts of the demo plan, staffed, with the lockdown and logs."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import func, select

from programme.auth.models import User
from programme.core.demo_plan import DEMO_COHORTS, DEMO_LOCKDOWN
from programme.scheduling.models import (
    AccessPass,
    Cohort,
    FacilitatorProfile,
    ProgrammeSession,
    SessionAssignment,
    SessionLog,
)
from programme.scheduling.services.conflicts import check_assignment
from programme.scheduling.services.scope import as_utc, to_local


def test_demo_cohorts_have_their_sessions_and_staff(db, demo_data):
    cohorts = {c.name: c for c in db.session.execute(select(Cohort)).scalars()}
    assert set(cohorts) == {plan.name for plan in DEMO_COHORTS}
    now = datetime.now(UTC)
    for plan in DEMO_COHORTS:
        sessions = cohorts[plan.name].sessions
        assert len(sessions) == 10 and cohorts[plan.name].status == plan.status
        staffed = db.session.execute(
            select(func.count(SessionAssignment.id)).where(
                SessionAssignment.session_id.in_([s.id for s in sessions])
            )
        ).scalar_one()
        if plan.status == "planned":
            assert staffed == 10 and {s.status for s in sessions} == {"scheduled"}  # leads only
        else:
            assert staffed == 20
        if plan.status == "completed":
            assert {s.status for s in sessions} == {"held"}
        if plan.status == "running":
            for session in sessions:
                if session.status != "cancelled":
                    assert (session.status == "held") == (as_utc(session.ends_at) <= now)


def test_demo_lockdown_cancelled_its_session(db, demo_data):
    code, day, reason = DEMO_LOCKDOWN
    cancelled = (
        db.session.execute(select(ProgrammeSession).where(ProgrammeSession.status == "cancelled"))
        .scalars()
        .all()
    )
    assert len(cancelled) == 1
    session = cancelled[0]
    assert session.cohort.facility.code == code and session.cancel_reason == reason
    assert to_local(session.starts_at, session.cohort.facility.timezone).date() == day


def test_demo_facilitators_profiles_passes_and_logs(db, demo_data):
    emails = {f"facilitator{n}@demo.kz" for n in ("", 2, 3, 4)}
    users = db.session.execute(select(User).where(User.email.in_(emails))).scalars().all()
    assert len(users) == 4
    assert db.session.execute(select(func.count(FacilitatorProfile.id))).scalar_one() == 4
    assert db.session.execute(select(func.count(AccessPass.id))).scalar_one() >= 4
    assert db.session.execute(select(func.count(SessionLog.id))).scalar_one() >= 3


def test_planned_demo_cohort_can_be_staffed_by_its_department(db, demo_data):
    planned = db.session.execute(select(Cohort).where(Cohort.status == "planned")).scalar_one()
    facilitator = db.session.execute(select(User).where(User.email == "facilitator@demo.kz")).scalar_one()
    assert check_assignment(planned.sessions[0], facilitator, "co").hard == []
