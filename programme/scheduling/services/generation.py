"""Dated sessions from a cohort's weekly pattern, and changes to single sessions.

Dates are worked out in the facility's time zone and stored in UTC. Kazakhstan's public holidays
(the `holidays` package, country KZ) and the facility's closures are skipped.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache

import holidays
from flask_babel import get_locale
from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from programme.core.services import ValidationFailed, unit_of_work
from programme.extensions import db
from programme.notifications.services import add_notifications
from programme.scheduling.models import (
    DOUBLE_BOOKING,
    Cohort,
    FacilityClosure,
    ProgrammeSession,
    SessionAssignment,
)
from programme.scheduling.services.scope import as_utc, internal_link, local_to_utc, to_local

# A pattern that cannot place its sessions within this many days is refused, not looped on.
SEARCH_LIMIT_DAYS = 3 * 366
ACTIVE_STATUSES = ("scheduled", "moved")


@lru_cache(maxsize=32)
def _kz_holidays(year: int, language: str) -> dict[date, str]:
    return dict(holidays.country_holidays("KZ", years=year, language=language).items())


def public_holiday(day: date) -> str | None:
    """The name of the Kazakhstan public holiday on this day (in Kazakh or English), or None."""
    language = "kk" if str(get_locale() or "") == "kk" else "en_US"
    return _kz_holidays(day.year, language).get(day)


def closures_of(facility_id: int, first: date, last: date) -> list[FacilityClosure]:
    return list(
        db.session.execute(
            select(FacilityClosure).where(
                FacilityClosure.facility_id == facility_id,
                FacilityClosure.start_date <= last,
                FacilityClosure.end_date >= first,
            )
        ).scalars()
    )


@dataclass
class PlannedSession:
    sequence: int
    plan_id: int | None
    starts_at: datetime  # UTC
    ends_at: datetime  # UTC
    local_start: datetime


@dataclass
class SkippedDate:
    day: date
    reason: str


@dataclass
class GenerationPlan:
    sessions: list[PlannedSession] = field(default_factory=list)
    skipped: list[SkippedDate] = field(default_factory=list)


def plan_sessions(cohort: Cohort) -> GenerationPlan:
    """One session per plan of the curriculum version, on the pattern's weekdays from the start date."""
    plans = list(cohort.curriculum_version.plans)
    needed = len(plans) or cohort.curriculum_version.sessions_count
    weekdays = set(cohort.weekdays or [])
    if not weekdays or needed < 1:
        raise ValidationFailed(_("The cohort needs at least one weekday and a curriculum with sessions."))
    timezone = cohort.facility.timezone
    closures = closures_of(
        cohort.facility_id, cohort.start_date, cohort.start_date + timedelta(SEARCH_LIMIT_DAYS)
    )
    result = GenerationPlan()
    day = cohort.start_date
    last_day = cohort.start_date + timedelta(days=SEARCH_LIMIT_DAYS)
    while len(result.sessions) < needed and day <= last_day:
        if day.isoweekday() in weekdays:
            holiday = public_holiday(day)
            closure = next((c for c in closures if c.start_date <= day <= c.end_date), None)
            if holiday:
                result.skipped.append(SkippedDate(day, _("Public holiday: %(name)s", name=holiday)))
            elif closure is not None:
                result.skipped.append(
                    SkippedDate(day, _("Facility closed: %(reason)s", reason=closure.reason))
                )
            else:
                sequence = len(result.sessions) + 1
                starts_at = local_to_utc(day, cohort.start_time, timezone)
                result.sessions.append(
                    PlannedSession(
                        sequence=sequence,
                        plan_id=plans[sequence - 1].id if len(plans) >= sequence else None,
                        starts_at=starts_at,
                        ends_at=starts_at + timedelta(minutes=cohort.duration_minutes),
                        local_start=to_local(starts_at, timezone),
                    )
                )
        day += timedelta(days=1)
    if len(result.sessions) < needed:
        raise ValidationFailed(_("The pattern does not leave enough free days for all sessions."))
    return result


def generate_sessions(cohort: Cohort, preview: bool = True) -> GenerationPlan:
    """The sessions the pattern gives; unless `preview`, save them all in one transaction."""
    if cohort.status in ("completed", "cancelled"):
        raise ValidationFailed(_("Sessions cannot be generated for a completed or cancelled cohort."))
    if not preview:
        # Two people generating at once: the second waits for the first here (PostgreSQL row lock;
        # SQLite writers are serialised anyway), then finds the sessions and is refused below.
        db.session.execute(select(Cohort.id).where(Cohort.id == cohort.id).with_for_update())
    existing = db.session.execute(
        select(ProgrammeSession.id).where(ProgrammeSession.cohort_id == cohort.id).limit(1)
    ).first()
    if existing is not None:
        raise ValidationFailed(_("This cohort already has sessions."))
    plan = plan_sessions(cohort)
    if preview:
        return plan
    with unit_of_work():
        for planned in plan.sessions:
            db.session.add(
                ProgrammeSession(
                    cohort_id=cohort.id,
                    plan_id=planned.plan_id,
                    sequence=planned.sequence,
                    starts_at=planned.starts_at,
                    ends_at=planned.ends_at,
                    room=cohort.room,
                    status="scheduled",
                )
            )
    return plan


# --- changes to sessions -----------------------------------------------------------------------


def _assignee_ids(session_ids: list[int]) -> dict[int, list[int]]:
    found: dict[int, list[int]] = {session_id: [] for session_id in session_ids}
    if session_ids:
        for session_id, user_id in db.session.execute(
            select(SessionAssignment.session_id, SessionAssignment.user_id).where(
                SessionAssignment.session_id.in_(session_ids)
            )
        ):
            found[session_id].append(user_id)
    return found


def session_params(session: ProgrammeSession) -> dict:
    """Notification parameters (formatted once, in the facility's local time)."""
    local = to_local(session.starts_at, session.cohort.facility.timezone)
    return {
        "cohort": session.cohort.name,
        "sequence": session.sequence,
        "when": local.strftime("%Y-%m-%d %H:%M"),
    }


def _cohort_link(session: ProgrammeSession) -> str:
    return internal_link("scheduling.show_cohort", cohort_id=session.cohort_id)


def move_session(session: ProgrammeSession, day: date, at: time, shift_following: bool = False) -> list:
    """Move a session to a new local date and time; optionally shift the later ones by as much."""
    if session.status not in ACTIVE_STATUSES:
        raise ValidationFailed(_("Only a scheduled session can be moved."))
    facility = session.cohort.facility
    new_start = local_to_utc(day, at, facility.timezone)
    if closures_of(facility.id, day, day):
        raise ValidationFailed.on("day", _("The facility is closed on that day."))
    delta = new_start - as_utc(session.starts_at)
    moved = [session]
    if shift_following:
        moved += list(
            db.session.execute(
                select(ProgrammeSession).where(
                    ProgrammeSession.cohort_id == session.cohort_id,
                    ProgrammeSession.sequence > session.sequence,
                    ProgrammeSession.status.in_(ACTIVE_STATUSES),
                )
            ).scalars()
        )
    # One session at a time, the one moving into free time first (the latest when moving later),
    # so the database's check against double-booked facilitators (checked per row) never sees a
    # cohort's own sessions overlapping half-way through a shift.
    order = sorted(moved, key=lambda item: as_utc(item.starts_at), reverse=delta > timedelta(0))
    try:
        with unit_of_work():
            for item in order:
                item.starts_at = as_utc(item.starts_at) + delta
                item.ends_at = as_utc(item.ends_at) + delta
                item.status = "moved"
                db.session.flush()
            assignees = _assignee_ids([item.id for item in moved])
            users = {user_id for ids in assignees.values() for user_id in ids}
            add_notifications(users, "session_moved", session_params(session), _cohort_link(session))
    except IntegrityError as error:
        if DOUBLE_BOOKING not in str(error.orig):
            raise
        raise ValidationFailed(
            _(
                "An assigned facilitator is already booked at the new time. Change the assignment or "
                "choose another time."
            )
        ) from error
    return moved


def cancel_session(session: ProgrammeSession, reason: str) -> ProgrammeSession:
    reason = (reason or "").strip()
    if not reason:
        raise ValidationFailed.on("reason", _("Say why the session is cancelled."))
    if session.status not in ACTIVE_STATUSES:
        raise ValidationFailed(_("Only a scheduled session can be cancelled."))
    with unit_of_work():
        session.status = "cancelled"
        session.cancel_reason = reason[:200]
        add_notifications(
            _assignee_ids([session.id])[session.id],
            "session_cancelled",
            {**session_params(session), "reason": session.cancel_reason},
            _cohort_link(session),
        )
    return session


def mark_held(session: ProgrammeSession, now: datetime | None = None) -> ProgrammeSession:
    now = now or datetime.now(UTC)
    if session.status not in ACTIVE_STATUSES:
        raise ValidationFailed(_("Only a scheduled session can be marked as held."))
    if as_utc(session.starts_at) > now:
        raise ValidationFailed(_("A session can be marked as held once it has started."))
    with unit_of_work():
        session.status = "held"
    return session
