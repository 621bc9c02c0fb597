"""Facilities and departments: scoped reading and the admin's changes."""

from __future__ import annotations

from zoneinfo import ZoneInfo, available_timezones

from flask_babel import get_locale
from flask_babel import gettext as _
from sqlalchemy import Select, func, select

from programme.core.permissions import ADMIN, OFFICER
from programme.core.services import ValidationFailed, check_version, unit_of_work
from programme.extensions import db
from programme.facilities.models import Department, Facility
from programme.facilities.regions import REGIONS, SECURITY_LEVELS

FACILITY_FIELDS = (
    "code",
    "name_kk",
    "name_ru",
    "name_en",
    "region",
    "security_level",
    "timezone",
    "is_active",
)
DEPARTMENT_FIELDS = ("university", "name", "city", "is_active")


def visible_facilities(user) -> Select:
    """Facilities this user may see: an officer only their own, everyone else all of them."""
    query = select(Facility)
    if user.role == OFFICER:
        query = query.where(Facility.id == user.facility_id)
    return query


def get_facility_or_404(user, facility_id: int) -> Facility:
    return db.first_or_404(visible_facilities(user).where(Facility.id == facility_id))


def list_facilities(user, region: str | None = None, search: str | None = None) -> Select:
    query = visible_facilities(user).order_by(Facility.region, Facility.code)
    if region:
        query = query.where(Facility.region == region)
    if search:
        pattern = f"%{search.strip().lower()}%"
        query = query.where(
            func.lower(Facility.code).like(pattern)
            | func.lower(Facility.name_ru).like(pattern)
            | func.lower(Facility.name_kk).like(pattern)
            | func.lower(Facility.name_en).like(pattern)
        )
    return query


def facility_choices() -> list[tuple[int, str]]:
    locale = str(get_locale() or "ru")
    facilities = db.session.execute(select(Facility).order_by(Facility.code)).scalars()
    return [(f.id, f"{f.code} — {f.name(locale)}") for f in facilities]


def department_choices() -> list[tuple[int, str]]:
    departments = db.session.execute(
        select(Department).order_by(Department.university, Department.name)
    ).scalars()
    return [(d.id, d.label) for d in departments]


def _validate_facility(values: dict, facility_id: int | None) -> dict:
    values = {key: values[key] for key in FACILITY_FIELDS if key in values}
    values["code"] = (values.get("code") or "").strip().upper()
    problems: dict[str, list[str]] = {}
    if values.get("region") not in REGIONS:
        problems["region"] = [_("Choose a region from the list.")]
    if values.get("security_level") not in SECURITY_LEVELS:
        problems["security_level"] = [_("Choose a security level from the list.")]
    if values.get("timezone") not in available_timezones():
        problems["timezone"] = [_("Choose a time zone from the list.")]
    else:
        ZoneInfo(values["timezone"])
    clash = db.session.execute(
        select(Facility.id).where(Facility.code == values["code"], Facility.id != (facility_id or 0))
    ).first()
    if clash:
        problems["code"] = [_("Another facility already has this code.")]
    if problems:
        raise ValidationFailed(problems)
    return values


def create_facility(values: dict) -> Facility:
    clean = _validate_facility(values, None)
    with unit_of_work():
        facility = Facility(**clean)
        db.session.add(facility)
    return facility


def update_facility(facility: Facility, values: dict, version_id: int | None = None) -> Facility:
    check_version(facility, version_id)
    clean = _validate_facility(values, facility.id)
    with unit_of_work():
        for key, value in clean.items():
            setattr(facility, key, value)
    return facility


def list_departments() -> Select:
    return select(Department).order_by(Department.university, Department.name)


def get_department_or_404(department_id: int) -> Department:
    return db.get_or_404(Department, department_id)


def _validate_department(values: dict, department_id: int | None) -> dict:
    clean = {
        key: (values[key].strip() if isinstance(values[key], str) else values[key])
        for key in DEPARTMENT_FIELDS
        if key in values
    }
    clash = db.session.execute(
        select(Department.id).where(
            Department.university == clean["university"],
            Department.name == clean["name"],
            Department.id != (department_id or 0),
        )
    ).first()
    if clash:
        raise ValidationFailed.on("name", _("This university already has a department of this name."))
    return clean


def create_department(values: dict) -> Department:
    clean = _validate_department(values, None)
    with unit_of_work():
        department = Department(**clean)
        db.session.add(department)
    return department


def update_department(department: Department, values: dict, version_id: int | None = None) -> Department:
    check_version(department, version_id)
    clean = _validate_department(values, department.id)
    with unit_of_work():
        for key, value in clean.items():
            setattr(department, key, value)
    return department


def organisation_counts(user) -> dict[str, int]:
    """Counts for dashboards, in one query."""
    facilities = select(func.count(Facility.id)).where(Facility.is_active.is_(True))
    if user.role == OFFICER:
        facilities = facilities.where(Facility.id == user.facility_id)
    departments = select(func.count(Department.id)).where(Department.is_active.is_(True))
    row = db.session.execute(
        select(facilities.scalar_subquery().label("f"), departments.scalar_subquery().label("d"))
    ).one()
    return {"facilities": row.f, "departments": row.d, "is_admin": user.role == ADMIN}
