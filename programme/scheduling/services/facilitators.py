"""Facilitators: profiles, access passes (managed by coordinators), availability (their own)."""

from __future__ import annotations

import secrets
from datetime import date, time

from flask_babel import gettext as _
from sqlalchemy import select

from programme.auth.models import User
from programme.core.permissions import ADMIN, COORDINATOR, FACILITATOR
from programme.core.services import ValidationFailed, check_version, unit_of_work
from programme.extensions import db
from programme.facilities.models import Facility
from programme.scheduling.models import (
    AccessPass,
    AvailabilityException,
    AvailabilitySlot,
    FacilitatorProfile,
)

LANGUAGES = ("kk", "ru", "en")


def visible_facilitators(user):
    """Facilitator accounts this user may see: admins all, coordinators their department's."""
    query = select(User).where(User.role == FACILITATOR).order_by(User.full_name)
    if user.role == ADMIN:
        return query
    if user.role == COORDINATOR:
        return query.where(User.department_id == user.department_id)
    if user.role == FACILITATOR:
        return query.where(User.id == user.id)
    return query.where(User.id.is_(None))


def get_facilitator_or_404(user, facilitator_id: int) -> User:
    return db.first_or_404(visible_facilitators(user).where(User.id == facilitator_id))


def may_manage_facilitator(user, facilitator: User) -> bool:
    return user.role == ADMIN or (
        user.role == COORDINATOR and user.department_id == facilitator.department_id
    )


def profiles_by_user(user_ids: list[int]) -> dict[int, FacilitatorProfile]:
    if not user_ids:
        return {}
    rows = db.session.execute(select(FacilitatorProfile).where(FacilitatorProfile.user_id.in_(user_ids)))
    return {profile.user_id: profile for profile in rows.scalars()}


def get_profile(user_id: int) -> FacilitatorProfile | None:
    return db.session.execute(
        select(FacilitatorProfile).where(FacilitatorProfile.user_id == user_id)
    ).scalar_one_or_none()


def ensure_profile(user_id: int) -> FacilitatorProfile:
    """The facilitator's profile, created (empty, in the current transaction) when missing."""
    profile = get_profile(user_id)
    if profile is None:
        profile = FacilitatorProfile(user_id=user_id, languages=[], max_sessions_per_week=3)
        db.session.add(profile)
        db.session.flush()
    return profile


def update_profile(facilitator: User, values: dict, version_id: int | None = None) -> FacilitatorProfile:
    languages = [code for code in values.get("languages") or [] if code in LANGUAGES]
    load = values.get("max_sessions_per_week")
    if load is None or not 1 <= int(load) <= 14:
        raise ValidationFailed.on("max_sessions_per_week", _("Give a number from 1 to 14."))
    existing = get_profile(facilitator.id)
    if existing is not None:
        check_version(existing, version_id)
    with unit_of_work():
        profile = existing or ensure_profile(facilitator.id)
        profile.languages = languages
        profile.training_date = values.get("training_date")
        profile.max_sessions_per_week = int(load)
    return profile


def regenerate_calendar_token(user_id: int) -> str:
    """A new secret for the personal iCal feed; the old URL stops working at once."""
    with unit_of_work():
        profile = ensure_profile(user_id)
        profile.calendar_token = secrets.token_urlsafe(32)
    return profile.calendar_token


def revoke_calendar_token(user_id: int) -> None:
    with unit_of_work():
        profile = ensure_profile(user_id)
        profile.calendar_token = None


def profile_for_token(token: str) -> FacilitatorProfile | None:
    if not token or len(token) > 64:
        return None
    profile = db.session.execute(
        select(FacilitatorProfile).where(FacilitatorProfile.calendar_token == token)
    ).scalar_one_or_none()
    if profile is None or not secrets.compare_digest(profile.calendar_token or "", token):
        return None
    return profile


# --- passes --------------------------------------------------------------------------------------


def list_passes(user_id: int) -> list[tuple[AccessPass, Facility]]:
    return list(
        db.session.execute(
            select(AccessPass, Facility)
            .join(Facility, Facility.id == AccessPass.facility_id)
            .where(AccessPass.user_id == user_id)
            .order_by(AccessPass.valid_until.desc())
        ).all()
    )


def add_pass(
    facilitator: User, facility_id: int, number: str, valid_from: date, valid_until: date
) -> AccessPass:
    number = (number or "").strip()
    problems: dict[str, list[str]] = {}
    if db.session.get(Facility, int(facility_id or 0)) is None:
        problems["facility_id"] = [_("Choose a facility.")]
    if not number:
        problems["number"] = [_("Give the pass number.")]
    if valid_until < valid_from:
        problems["valid_until"] = [_("The pass cannot end before it starts.")]
    if problems:
        raise ValidationFailed(problems)
    with unit_of_work():
        access_pass = AccessPass(
            user_id=facilitator.id,
            facility_id=int(facility_id),
            number=number[:60],
            valid_from=valid_from,
            valid_until=valid_until,
        )
        db.session.add(access_pass)
    return access_pass


def delete_pass(facilitator: User, pass_id: int) -> bool:
    access_pass = db.session.execute(
        select(AccessPass).where(AccessPass.id == pass_id, AccessPass.user_id == facilitator.id)
    ).scalar_one_or_none()
    if access_pass is None:
        return False
    with unit_of_work():
        db.session.delete(access_pass)
    return True


# --- availability --------------------------------------------------------------------------------


def list_slots(user_id: int) -> list[AvailabilitySlot]:
    return list(
        db.session.execute(
            select(AvailabilitySlot)
            .where(AvailabilitySlot.user_id == user_id)
            .order_by(AvailabilitySlot.weekday, AvailabilitySlot.start_time)
        ).scalars()
    )


def list_exceptions(user_id: int) -> list[AvailabilityException]:
    return list(
        db.session.execute(
            select(AvailabilityException)
            .where(AvailabilityException.user_id == user_id)
            .order_by(AvailabilityException.start_date)
        ).scalars()
    )


def add_slot(user_id: int, weekday: int, start_time: time, end_time: time) -> AvailabilitySlot:
    if not 1 <= int(weekday) <= 7:
        raise ValidationFailed.on("weekday", _("Choose a weekday."))
    if end_time <= start_time:
        raise ValidationFailed.on("end_time", _("The end must be after the start."))
    with unit_of_work():
        slot = AvailabilitySlot(
            user_id=user_id, weekday=int(weekday), start_time=start_time, end_time=end_time
        )
        db.session.add(slot)
    return slot


def add_exception(user_id: int, start_date: date, end_date: date, reason: str) -> AvailabilityException:
    if end_date < start_date:
        raise ValidationFailed.on("end_date", _("The last day cannot be before the first day."))
    with unit_of_work():
        away = AvailabilityException(
            user_id=user_id, start_date=start_date, end_date=end_date, reason=(reason or "").strip()[:200]
        )
        db.session.add(away)
    return away


def delete_own(model, user_id: int, row_id: int) -> bool:
    """Delete one availability row of this user (slot or exception); False when not theirs."""
    if model not in (AvailabilitySlot, AvailabilityException):
        raise ValueError("not an availability model")
    row = db.session.execute(
        select(model).where(model.id == row_id, model.user_id == user_id)
    ).scalar_one_or_none()
    if row is None:
        return False
    with unit_of_work():
        db.session.delete(row)
    return True
