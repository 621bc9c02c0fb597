"""Facility closures and lockdowns: the sessions in range are cancelled and the people told."""

from __future__ import annotations

from collections import Counter
from datetime import date

from flask_babel import gettext as _
from sqlalchemy import select

from programme.auth.models import User
from programme.core.permissions import COORDINATOR
from programme.core.services import ValidationFailed, unit_of_work
from programme.extensions import db
from programme.facilities.models import Facility
from programme.notifications.services import add_notifications
from programme.scheduling.models import Cohort, FacilityClosure, ProgrammeSession, SessionAssignment
from programme.scheduling.services.generation import ACTIVE_STATUSES
from programme.scheduling.services.scope import internal_link, local_day_bounds

MAX_CLOSURE_DAYS = 366


def list_closures(facility_id: int):
    return (
        select(FacilityClosure)
        .where(FacilityClosure.facility_id == facility_id)
        .order_by(FacilityClosure.start_date.desc())
    )


def sessions_in_range(facility: Facility, first: date, last: date) -> list[ProgrammeSession]:
    """Active sessions at this facility starting on local dates first..last (inclusive)."""
    lower, upper = local_day_bounds(first, last, facility.timezone)
    return list(
        db.session.execute(
            select(ProgrammeSession)
            .join(Cohort, Cohort.id == ProgrammeSession.cohort_id)
            .where(
                Cohort.facility_id == facility.id,
                ProgrammeSession.starts_at >= lower,
                ProgrammeSession.starts_at < upper,
                ProgrammeSession.status.in_(ACTIVE_STATUSES),
            )
            .order_by(ProgrammeSession.starts_at)
        ).scalars()
    )


def create_closure(
    facility: Facility, start_date: date, end_date: date, reason: str, created_by_id: int | None
) -> tuple[FacilityClosure, list[ProgrammeSession]]:
    """Record the closure, cancel the sessions in range, notify facilitators and coordinators."""
    reason = (reason or "").strip()
    problems: dict[str, list[str]] = {}
    if not reason:
        problems["reason"] = [_("Say why the facility is closed.")]
    if end_date < start_date:
        problems["end_date"] = [_("The last day cannot be before the first day.")]
    elif (end_date - start_date).days >= MAX_CLOSURE_DAYS:
        problems["end_date"] = [_("A closure can last at most a year.")]
    if problems:
        raise ValidationFailed(problems)
    cancelled = sessions_in_range(facility, start_date, end_date)
    session_ids = [session.id for session in cancelled]
    with unit_of_work():
        closure = FacilityClosure(
            facility_id=facility.id,
            start_date=start_date,
            end_date=end_date,
            reason=reason[:200],
            created_by_id=created_by_id,
        )
        db.session.add(closure)
        for session in cancelled:
            session.status = "cancelled"
            session.cancel_reason = reason[:200]
        per_user = _people_concerned(session_ids)
        params = {
            "facility": facility.code,
            "start": start_date.isoformat(),
            "end": end_date.isoformat(),
            "reason": reason[:200],
        }
        link = internal_link(
            "scheduling.show_facility_calendar", facility_id=facility.id, date=start_date.isoformat()
        )
        for user_id, count in per_user.items():
            add_notifications([user_id], "closure", {**params, "count": count}, link)
    return closure, cancelled


def _people_concerned(session_ids: list[int]) -> Counter:
    """user id -> number of the cancelled sessions that concern them (assigned or coordinating)."""
    concerned: Counter = Counter()
    if not session_ids:
        return concerned
    for (user_id,) in db.session.execute(
        select(SessionAssignment.user_id).where(SessionAssignment.session_id.in_(session_ids))
    ):
        concerned[user_id] += 1
    rows = db.session.execute(
        select(User.id, ProgrammeSession.id)
        .join(Cohort, Cohort.id == ProgrammeSession.cohort_id)
        .join(User, User.department_id == Cohort.department_id)
        .where(
            ProgrammeSession.id.in_(session_ids),
            User.role == COORDINATOR,
            User.is_active_account.is_(True),
        )
    ).all()
    for user_id, _session_id in rows:
        concerned[user_id] += 1
    return concerned
