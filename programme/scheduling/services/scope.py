"""Who sees which cohorts and sessions (object scope in the query), and time-zone helpers.

The one rule for cohorts: admins see all; coordinators their department's; officers their
facility's; facilitators those whose sessions they are assigned to. Evaluators see every cohort
where they study the programme (attendance, participants, by code) and none on the planning pages,
which are not theirs: `evaluators_see_all` says which of the two a caller means.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from functools import cache
from zoneinfo import ZoneInfo

from flask import abort
from sqlalchemy import Select, bindparam, false, select

from programme.core.permissions import ADMIN, COORDINATOR, EVALUATOR, FACILITATOR, OFFICER
from programme.extensions import db
from programme.scheduling.models import Cohort, ProgrammeSession, SessionAssignment


def facilitated_cohort_ids(user_id) -> Select:
    """The cohorts whose sessions this user is assigned to (an id or a bound parameter)."""
    return (
        select(ProgrammeSession.cohort_id)
        .join(SessionAssignment, SessionAssignment.session_id == ProgrammeSession.id)
        .where(SessionAssignment.user_id == user_id)
    )


def cohort_rule(role: str, user_id, facility_id, department_id, *, evaluators_see_all: bool):
    """A SQL condition on Cohort for a role and the user's ids (values or bound parameters);
    false for roles without access."""
    if role == ADMIN or (role == EVALUATOR and evaluators_see_all):
        return Cohort.id.is_not(None)
    if role == COORDINATOR:
        return Cohort.department_id == department_id
    if role == OFFICER:
        return Cohort.facility_id == facility_id
    if role == FACILITATOR:
        return Cohort.id.in_(facilitated_cohort_ids(user_id))
    return false()


def cohort_scope(user, *, evaluators_see_all: bool = False):
    """A SQL condition on Cohort: the rows this user may read (planning pages by default)."""
    return cohort_rule(
        user.role, user.id, user.facility_id, user.department_id, evaluators_see_all=evaluators_see_all
    )


@cache
def role_cohort_scope(role: str, *, evaluators_see_all: bool):
    """cohort_scope for a role with the user's ids as bound parameters (their values:
    scope_parameters(user)). One clause per role: a statement built on it is built once, not on
    every request."""
    user_ids = (bindparam("scope_user_id"), bindparam("scope_facility_id"), bindparam("scope_department_id"))
    return cohort_rule(role, *user_ids, evaluators_see_all=evaluators_see_all)


def scope_parameters(user) -> dict:
    return {
        "scope_user_id": user.id,
        "scope_facility_id": user.facility_id,
        "scope_department_id": user.department_id,
    }


def may_manage_cohort(user, cohort: Cohort) -> bool:
    """Coordinators of the cohort's department and admins plan and staff it."""
    return user.role == ADMIN or (user.role == COORDINATOR and cohort.department_id == user.department_id)


def visible_cohorts(user) -> Select:
    return select(Cohort).where(cohort_scope(user))


def get_cohort_or_404(user, cohort_id: int) -> Cohort:
    return db.first_or_404(visible_cohorts(user).where(Cohort.id == cohort_id))


def get_managed_cohort_or_404(user, cohort_id: int) -> Cohort:
    cohort = get_cohort_or_404(user, cohort_id)
    if not may_manage_cohort(user, cohort):
        abort(404)
    return cohort


def get_session_or_404(user, session_id: int) -> ProgrammeSession:
    return db.first_or_404(
        select(ProgrammeSession)
        .join(Cohort, Cohort.id == ProgrammeSession.cohort_id)
        .where(ProgrammeSession.id == session_id, cohort_scope(user))
    )


def get_managed_session_or_404(user, session_id: int) -> ProgrammeSession:
    session = get_session_or_404(user, session_id)
    if not may_manage_cohort(user, session.cohort):
        abort(404)
    return session


# --- time zones --------------------------------------------------------------------------------


def zone(name: str | None) -> ZoneInfo:
    return ZoneInfo(name or "Asia/Almaty")


def as_utc(value: datetime) -> datetime:
    """SQLite returns naive datetimes: they are UTC by our convention."""
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def to_local(value: datetime, timezone: str | None) -> datetime:
    return as_utc(value).astimezone(zone(timezone))


def local_to_utc(day: date, at: time, timezone: str | None) -> datetime:
    return datetime.combine(day, at, tzinfo=zone(timezone)).astimezone(UTC)


def local_day_bounds(first: date, last: date, timezone: str | None) -> tuple[datetime, datetime]:
    """UTC instants of local midnight at the start of `first` and after the end of `last`."""
    return local_to_utc(first, time(0), timezone), local_to_utc(last + timedelta(days=1), time(0), timezone)


def format_local(value: datetime, timezone: str | None, fmt: str = "medium", part: str = "datetime") -> str:
    """A UTC instant in the facility's time zone, in the reader's language."""
    from babel import dates
    from flask_babel import get_locale

    locale = get_locale() or "ru"
    local = to_local(value, timezone)
    if part == "date":
        return dates.format_date(local.date(), fmt, locale=locale)
    if part == "time":
        return dates.format_time(local, fmt, tzinfo=zone(timezone), locale=locale)
    return dates.format_datetime(local, fmt, tzinfo=zone(timezone), locale=locale)


def internal_link(endpoint: str, **values) -> str:
    """A path inside the app (for notifications), also outside a request (CLI, tests)."""
    from flask import current_app, has_request_context, url_for

    if has_request_context():
        return url_for(endpoint, **values)
    with current_app.test_request_context():
        return url_for(endpoint, **values)
