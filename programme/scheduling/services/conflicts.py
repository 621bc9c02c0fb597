"""Conflict checks for staffing sessions, assignment (single and per cohort), best fits.

`check_assignment(session, user, role)` answers with hard problems (the assignment is refused:
overlapping sessions, with a travel buffer between different facilities; no valid access pass
on that local date; inactive account) and soft warnings (outside availability, language not
spoken, over the weekly load) that a coordinator may confirm. The data for many checks is loaded
up front, so checking a whole cohort or every facilitator of a department costs a fixed number
of queries.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from programme.auth.models import User
from programme.core.i18n import LANGUAGE_LABELS
from programme.core.permissions import FACILITATOR
from programme.extensions import db
from programme.facilities.models import Facility
from programme.scheduling.models import (
    DOUBLE_BOOKING,
    AccessPass,
    AvailabilityException,
    AvailabilitySlot,
    Cohort,
    FacilitatorProfile,
    ProgrammeSession,
)
from programme.scheduling.models import SessionAssignment as Assignment
from programme.scheduling.services.scope import as_utc, format_local, to_local

DEFAULT_TRAVEL_BUFFER_MINUTES = 60


def travel_buffer() -> timedelta:
    minutes = current_app.config.get("SCHEDULING_TRAVEL_BUFFER_MINUTES", DEFAULT_TRAVEL_BUFFER_MINUTES)
    return timedelta(minutes=int(minutes))


def is_double_booking(error: IntegrityError) -> bool:
    """The database refused a facilitator on two overlapping sessions (migration 0012)."""
    return DOUBLE_BOOKING in str(error.orig)


def role_label(role: str) -> str:
    return _("lead facilitator") if role == "lead" else _("co-facilitator")


@dataclass
class Check:
    hard: list[str] = field(default_factory=list)
    soft: list[str] = field(default_factory=list)
    week_load: int = 0  # sessions already booked in that week (for ranking)

    @property
    def is_allowed(self) -> bool:
        return not self.hard


@dataclass(frozen=True)
class Booking:
    session_id: int
    role: str
    starts_at: datetime
    ends_at: datetime
    facility_id: int
    facility_code: str
    timezone: str
    cohort_name: str


@dataclass
class StaffingData:
    """Everything the rules need about a set of facilitators around a time window."""

    users: dict[int, User]
    profiles: dict[int, FacilitatorProfile]
    bookings: dict[int, list[Booking]]
    passes: dict[int, list[AccessPass]]
    slots: dict[int, list[AvailabilitySlot]]
    exceptions: dict[int, list[AvailabilityException]]

    def add_booking(self, user_id: int, booking: Booking) -> None:
        self.bookings[user_id].append(booking)


def load_staffing(user_ids: list[int], first: datetime, last: datetime) -> StaffingData:
    """Six queries, whatever the number of facilitators or sessions."""
    ids = sorted(set(user_ids))
    # Bookings a week either side: the weekly load needs the whole week, the buffer a few hours.
    lower, upper = as_utc(first) - timedelta(days=8), as_utc(last) + timedelta(days=8)
    users = {user.id: user for user in db.session.execute(select(User).where(User.id.in_(ids))).scalars()}
    profiles = {
        p.user_id: p
        for p in db.session.execute(
            select(FacilitatorProfile).where(FacilitatorProfile.user_id.in_(ids))
        ).scalars()
    }
    bookings: dict[int, list[Booking]] = defaultdict(list)
    rows = db.session.execute(
        select(
            Assignment.user_id,
            Assignment.role,
            ProgrammeSession,
            Facility.id,
            Facility.code,
            Facility.timezone,
            Cohort.name,
        )
        .join(ProgrammeSession, ProgrammeSession.id == Assignment.session_id)
        .join(Cohort, Cohort.id == ProgrammeSession.cohort_id)
        .join(Facility, Facility.id == Cohort.facility_id)
        .where(
            Assignment.user_id.in_(ids),
            ProgrammeSession.status != "cancelled",
            ProgrammeSession.starts_at < upper,
            ProgrammeSession.ends_at > lower,
        )
    ).all()
    for user_id, role, session, facility_id, code, timezone, cohort_name in rows:
        bookings[user_id].append(
            Booking(
                session.id,
                role,
                as_utc(session.starts_at),
                as_utc(session.ends_at),
                facility_id,
                code,
                timezone,
                cohort_name,
            )
        )
    passes: dict[int, list[AccessPass]] = defaultdict(list)
    for access_pass in db.session.execute(select(AccessPass).where(AccessPass.user_id.in_(ids))).scalars():
        passes[access_pass.user_id].append(access_pass)
    slots: dict[int, list[AvailabilitySlot]] = defaultdict(list)
    for slot in db.session.execute(
        select(AvailabilitySlot).where(AvailabilitySlot.user_id.in_(ids))
    ).scalars():
        slots[slot.user_id].append(slot)
    exceptions: dict[int, list[AvailabilityException]] = defaultdict(list)
    for away in db.session.execute(
        select(AvailabilityException).where(AvailabilityException.user_id.in_(ids))
    ).scalars():
        exceptions[away.user_id].append(away)
    return StaffingData(users, profiles, bookings, passes, slots, exceptions)


def _week_start(day: date) -> date:
    return day - timedelta(days=day.isoweekday() - 1)


def evaluate(session: ProgrammeSession, user_id: int, role: str, data: StaffingData) -> Check:
    """The rules for one facilitator and one session, on preloaded data (no queries)."""
    check = Check()
    user = data.users.get(user_id)
    cohort = session.cohort
    facility = cohort.facility
    timezone = facility.timezone
    starts_at, ends_at = as_utc(session.starts_at), as_utc(session.ends_at)
    local_start, local_end = to_local(starts_at, timezone), to_local(ends_at, timezone)
    local_day = local_start.date()

    # Hard rules.
    if user is None or user.role != FACILITATOR or not user.is_active_account:
        check.hard.append(_("The facilitator's account is inactive."))
        return check
    if user.department_id != cohort.department_id:
        check.hard.append(_("The facilitator does not belong to the cohort's department."))
    if session.status in ("held", "cancelled"):
        check.hard.append(_("The session is already held or cancelled."))
    buffer = travel_buffer()
    for booking in data.bookings.get(user_id, []):
        if booking.session_id == session.id:
            check.hard.append(
                _("Already assigned to this session as %(role)s.", role=role_label(booking.role))
            )
            continue
        gap = timedelta(0) if booking.facility_id == facility.id else buffer
        if booking.starts_at < ends_at + gap and starts_at < booking.ends_at + gap:
            when = _(
                "%(start)s to %(end)s",
                start=format_local(booking.starts_at, booking.timezone, "short"),
                end=format_local(booking.ends_at, booking.timezone, "short", part="time"),
            )
            if booking.starts_at < ends_at and starts_at < booking.ends_at:
                check.hard.append(
                    _(
                        "Already booked at %(facility)s, %(when)s (%(cohort)s).",
                        facility=booking.facility_code,
                        when=when,
                        cohort=booking.cohort_name,
                    )
                )
            else:
                check.hard.append(
                    _(
                        "Booked at %(facility)s, %(when)s: less than %(minutes)d minutes to travel between "
                        "facilities.",
                        facility=booking.facility_code,
                        when=when,
                        minutes=int(buffer.total_seconds() // 60),
                    )
                )
    has_pass = any(
        p.facility_id == facility.id and p.valid_from <= local_day <= p.valid_until
        for p in data.passes.get(user_id, [])
    )
    if not has_pass:
        check.hard.append(
            _(
                "No valid access pass for %(facility)s on %(date)s.",
                facility=facility.code,
                date=format_local(starts_at, timezone, "medium", part="date"),
            )
        )

    # Soft rules.
    away = next(
        (e for e in data.exceptions.get(user_id, []) if e.start_date <= local_day <= e.end_date), None
    )
    if away is not None:
        check.soft.append(_("Away on that date: %(reason)s.", reason=away.reason or _("no reason given")))
    elif not any(
        slot.weekday == local_start.isoweekday()
        and local_end.date() == local_day
        and slot.start_time <= local_start.time()
        and local_end.time() <= slot.end_time
        for slot in data.slots.get(user_id, [])
    ):
        check.soft.append(_("Outside the facilitator's weekly availability."))
    profile = data.profiles.get(user_id)
    if profile is None or cohort.language not in (profile.languages or []):
        language = LANGUAGE_LABELS.get(cohort.language, cohort.language)
        check.soft.append(_("Does not speak the cohort's language (%(language)s).", language=language))
    week = _week_start(local_day)
    check.week_load = sum(
        1
        for booking in data.bookings.get(user_id, [])
        if booking.session_id != session.id
        and _week_start(to_local(booking.starts_at, timezone).date()) == week
    )
    maximum = profile.max_sessions_per_week if profile is not None else 3
    if check.week_load + 1 > maximum:
        check.soft.append(
            _(
                "That week would have %(count)d sessions; the facilitator's maximum is %(maximum)d.",
                count=check.week_load + 1,
                maximum=maximum,
            )
        )
    return check


def check_assignment(session: ProgrammeSession, user: User | int, role: str) -> Check:
    """Hard problems and soft warnings for giving this session to this facilitator in this role."""
    user_id = user if isinstance(user, int) else user.id
    data = load_staffing([user_id], session.starts_at, session.ends_at)
    return evaluate(session, user_id, role, data)


def booking_for(session: ProgrammeSession, role: str) -> Booking:
    facility = session.cohort.facility
    return Booking(
        session.id,
        role,
        as_utc(session.starts_at),
        as_utc(session.ends_at),
        facility.id,
        facility.code,
        facility.timezone,
        session.cohort.name,
    )


def department_facilitators(department_id: int) -> list[User]:
    return list(
        db.session.execute(
            select(User)
            .where(
                User.role == FACILITATOR,
                User.department_id == department_id,
                User.is_active_account.is_(True),
            )
            .order_by(User.full_name)
        ).scalars()
    )


@dataclass
class Fit:
    user: User
    check: Check


def fitting_facilitators(session: ProgrammeSession, role: str = "lead") -> list[Fit]:
    """The department's active facilitators for this session, best first: no hard problem, fewest
    warnings, lightest week, then by name."""
    candidates = department_facilitators(session.cohort.department_id)
    data = load_staffing([user.id for user in candidates], session.starts_at, session.ends_at)
    fits = [Fit(user, evaluate(session, user.id, role, data)) for user in candidates]
    fits.sort(
        key=lambda fit: (len(fit.check.hard), len(fit.check.soft), fit.check.week_load, fit.user.full_name)
    )
    return fits


def sessions_with_assignments(cohort_id: int) -> list[ProgrammeSession]:
    return list(
        db.session.execute(
            select(ProgrammeSession)
            .where(ProgrammeSession.cohort_id == cohort_id)
            .options(selectinload(ProgrammeSession.assignments).selectinload(Assignment.user))
            .order_by(ProgrammeSession.sequence, ProgrammeSession.starts_at)
        ).scalars()
    )
