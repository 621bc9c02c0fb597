"""Dashboard panels: unstaffed sessions (coordinators), next sessions (facilitators), this week's
sessions at the facility (officers)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import exists, select
from sqlalchemy.orm import contains_eager

from programme.extensions import db
from programme.scheduling.models import Cohort, ProgrammeSession, SessionAssignment
from programme.scheduling.services.calendars import calendar_entries, upcoming_sessions
from programme.scheduling.services.generation import ACTIVE_STATUSES
from programme.scheduling.services.scope import cohort_scope, to_local

UNSTAFFED_DAYS = 42


def coordinator_panel(user) -> dict:
    """Active sessions in the coming weeks without a lead facilitator."""
    now = datetime.now(UTC)
    sessions = list(
        db.session.execute(
            select(ProgrammeSession)
            .join(ProgrammeSession.cohort)
            .join(Cohort.facility)
            .where(
                cohort_scope(user),
                ProgrammeSession.status.in_(ACTIVE_STATUSES),
                ProgrammeSession.starts_at >= now,
                ProgrammeSession.starts_at < now + timedelta(days=UNSTAFFED_DAYS),
                ~exists(
                    select(SessionAssignment.id).where(
                        SessionAssignment.session_id == ProgrammeSession.id, SessionAssignment.role == "lead"
                    )
                ),
            )
            .options(contains_eager(ProgrammeSession.cohort).contains_eager(Cohort.facility))
            .order_by(ProgrammeSession.starts_at)
            .limit(10)
        ).scalars()
    )
    return {"unstaffed": sessions, "days": UNSTAFFED_DAYS}


def facilitator_panel(user) -> dict:
    return {"upcoming": upcoming_sessions(user, facilitator_id=user.id)[:5]}


def officer_panel(user) -> dict:
    today = to_local(datetime.now(UTC), user.facility.timezone if user.facility else None).date()
    monday = today - timedelta(days=today.isoweekday() - 1)
    entries = calendar_entries(user, monday, monday + timedelta(days=6), facility_id=user.facility_id)
    return {"week": [entry for day in sorted(entries) for entry in entries[day]], "monday": monday}
