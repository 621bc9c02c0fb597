"""Calendars (week and month; per facility, facilitator, department; "my sessions") and iCal.

Calendars show sessions, places and facilitators only: never participants.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from flask_babel import get_locale
from flask_babel import gettext as _
from icalendar import Calendar, Event
from sqlalchemy import exists, select
from sqlalchemy.orm import contains_eager, selectinload

from programme.audit.services import record
from programme.core.services import unit_of_work
from programme.extensions import db
from programme.facilities.models import Facility
from programme.scheduling.models import Cohort, ProgrammeSession, SessionAssignment
from programme.scheduling.services.scope import as_utc, cohort_scope, to_local

VIEWS = ("month", "week")
ICAL_PAST_DAYS = 365
ICAL_FUTURE_DAYS = 2 * 365


@dataclass
class CalendarRange:
    view: str
    anchor: date
    first: date  # first day shown (a Monday)
    last: date  # last day shown (a Sunday)
    previous: date
    next: date

    @property
    def weeks(self) -> list[list[date]]:
        days = [self.first + timedelta(days=n) for n in range((self.last - self.first).days + 1)]
        return [days[i : i + 7] for i in range(0, len(days), 7)]


def calendar_range(view: str, anchor: date) -> CalendarRange:
    view = view if view in VIEWS else "month"
    if view == "week":
        first = anchor - timedelta(days=anchor.isoweekday() - 1)
        return CalendarRange(
            view, anchor, first, first + timedelta(days=6), anchor - timedelta(7), anchor + timedelta(7)
        )
    month_start = anchor.replace(day=1)
    next_month = (month_start + timedelta(days=32)).replace(day=1)
    month_end = next_month - timedelta(days=1)
    first = month_start - timedelta(days=month_start.isoweekday() - 1)
    last = month_end + timedelta(days=7 - month_end.isoweekday())
    previous = (month_start - timedelta(days=1)).replace(day=1)
    return CalendarRange(view, month_start, first, last, previous, next_month)


@dataclass
class CalendarEntry:
    session: ProgrammeSession
    local_start: datetime
    local_end: datetime

    @property
    def cohort(self) -> Cohort:
        return self.session.cohort

    @property
    def facility(self) -> Facility:
        return self.session.cohort.facility

    @property
    def lead(self):
        return next((a.user for a in self.session.assignments if a.role == "lead"), None)

    @property
    def co(self):
        return next((a.user for a in self.session.assignments if a.role == "co"), None)


def calendar_entries(
    user,
    first: date,
    last: date,
    facility_id: int | None = None,
    department_id: int | None = None,
    facilitator_id: int | None = None,
) -> dict[date, list[CalendarEntry]]:
    """Sessions visible to `user` on local dates first..last, by local date (two queries)."""
    # Local dates differ from UTC dates by at most 14 hours: widen, then cut on the local date.
    lower = datetime.combine(first, datetime.min.time(), tzinfo=UTC) - timedelta(hours=14)
    upper = datetime.combine(last + timedelta(days=1), datetime.min.time(), tzinfo=UTC) + timedelta(hours=14)
    query = (
        select(ProgrammeSession)
        .join(ProgrammeSession.cohort)
        .join(Cohort.facility)
        .where(cohort_scope(user), ProgrammeSession.starts_at >= lower, ProgrammeSession.starts_at < upper)
        .options(
            contains_eager(ProgrammeSession.cohort).contains_eager(Cohort.facility),
            # The staff with their assignments in one statement (a few per session).
            selectinload(ProgrammeSession.assignments).joinedload(SessionAssignment.user),
        )
        .order_by(ProgrammeSession.starts_at)
    )
    if facility_id is not None:
        query = query.where(Cohort.facility_id == facility_id)
    if department_id is not None:
        query = query.where(Cohort.department_id == department_id)
    if facilitator_id is not None:
        query = query.where(
            exists(
                select(SessionAssignment.id).where(
                    SessionAssignment.session_id == ProgrammeSession.id,
                    SessionAssignment.user_id == facilitator_id,
                )
            )
        )
    by_day: dict[date, list[CalendarEntry]] = {}
    for session in db.session.execute(query).unique().scalars():
        timezone = session.cohort.facility.timezone
        local_start = to_local(session.starts_at, timezone)
        if first <= local_start.date() <= last:
            entry = CalendarEntry(session, local_start, to_local(session.ends_at, timezone))
            by_day.setdefault(local_start.date(), []).append(entry)
    return by_day


def upcoming_sessions(user, now: datetime | None = None, days: int = 28, facilitator_id: int | None = None):
    now = now or datetime.now(UTC)
    today = now.date()
    entries = calendar_entries(user, today, today + timedelta(days=days), facilitator_id=facilitator_id)
    return [
        entry for day in sorted(entries) for entry in entries[day] if as_utc(entry.session.ends_at) >= now
    ]


# --- iCal ----------------------------------------------------------------------------------------


def ical_for_facilitator(user_id: int, now: datetime | None = None) -> bytes:
    """The facilitator's sessions as an iCalendar document (cancelled ones marked so)."""
    now = now or datetime.now(UTC)
    locale = str(get_locale() or "ru")
    sessions = db.session.execute(
        select(ProgrammeSession)
        .join(ProgrammeSession.cohort)
        .join(Cohort.facility)
        .join(SessionAssignment, SessionAssignment.session_id == ProgrammeSession.id)
        .where(
            SessionAssignment.user_id == user_id,
            ProgrammeSession.starts_at >= now - timedelta(days=ICAL_PAST_DAYS),
            ProgrammeSession.starts_at < now + timedelta(days=ICAL_FUTURE_DAYS),
        )
        .options(contains_eager(ProgrammeSession.cohort).contains_eager(Cohort.facility))
        .order_by(ProgrammeSession.starts_at)
    ).scalars()
    calendar = Calendar()
    calendar.add("prodid", "-//Philosophy in Prison//programme manager//EN")
    calendar.add("version", "2.0")
    calendar.add("x-wr-calname", _("Philosophy in Prison sessions"))
    for session in sessions:
        facility = session.cohort.facility
        event = Event()
        event.add("uid", f"pip-session-{session.id}@philosophy-in-prison")
        event.add("dtstamp", now)
        event.add("dtstart", as_utc(session.starts_at))
        event.add("dtend", as_utc(session.ends_at))
        event.add(
            "summary",
            _("%(cohort)s: session %(sequence)d", cohort=session.cohort.name, sequence=session.sequence),
        )
        place = facility.name(locale)
        event.add("location", f"{place}, {session.room}" if session.room else place)
        event.add("status", "CANCELLED" if session.status == "cancelled" else "CONFIRMED")
        calendar.add_component(event)
    return calendar.to_ical()


def export_ical(user_id: int) -> bytes:
    """The .ics download: the same document as the feed, with an audit row for the export."""
    document = ical_for_facilitator(user_id)
    with unit_of_work():
        record("export", "calendar", user_id, {"format": "ics"})
    return document
