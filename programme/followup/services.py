"""Releases and follow-up checks: scoped reading, recording with date rules, the worklist.

Officers record for people of their own facility, admins for everyone; other roles never load
these rows (evaluators see only the pseudonymised measures in `measures.py`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import Select, and_, case, delete, false, func, select
from sqlalchemy.orm import contains_eager

from programme.core.cache import cached_for_user, watch
from programme.core.permissions import ADMIN, OFFICER
from programme.core.services import ValidationFailed, check_version, unit_of_work
from programme.extensions import db
from programme.facilities.models import Facility
from programme.facilities.regions import REGIONS
from programme.followup.dates import add_months, local_today
from programme.followup.models import CHECK_OUTCOMES, CHECK_SOURCES, RELEASE_TYPES, FollowUpCheck, Release
from programme.participants.models import OFFENCE_CATEGORIES, Participant

DEFAULT_CHECK_MONTHS = (6, 12, 24)
# Outcomes after which nobody can be followed any more: later open checks are withdrawn.
FINAL_OUTCOMES = ("deceased", "left_country")
DUE_WITHIN_DAYS = 30
RELEASE_WITHIN_DAYS = 90


def check_months() -> tuple[int, ...]:
    months = current_app.config.get("FOLLOWUP_CHECK_MONTHS") or DEFAULT_CHECK_MONTHS
    return tuple(sorted({int(month) for month in months if int(month) > 0}))


def user_today(user) -> date:
    facility = getattr(user, "facility", None)
    return local_today(facility.timezone if facility else None)


# --- scope ---------------------------------------------------------------------------------------


def visible_people(user) -> Select:
    """People (participants and comparison people) whose follow-up this user may record."""
    query = select(Participant)
    if user.role == OFFICER:
        return query.where(Participant.facility_id == user.facility_id)
    if user.role == ADMIN:
        return query
    return query.where(false())


def get_person_or_404(user, person_id: int) -> Participant:
    return db.first_or_404(visible_people(user).where(Participant.id == person_id))


def get_check_or_404(user, check_id: int) -> FollowUpCheck:
    query = (
        select(FollowUpCheck)
        .join(Participant, Participant.id == FollowUpCheck.participant_id)
        .where(FollowUpCheck.id == check_id)
    )
    if user.role == OFFICER:
        query = query.where(Participant.facility_id == user.facility_id)
    elif user.role != ADMIN:
        query = query.where(false())
    return db.first_or_404(query)


def release_of(person_id: int) -> Release | None:
    return db.session.execute(select(Release).where(Release.participant_id == person_id)).scalar_one_or_none()


def checks_of(person_id: int) -> list[FollowUpCheck]:
    return list(
        db.session.execute(
            select(FollowUpCheck)
            .where(FollowUpCheck.participant_id == person_id)
            .order_by(FollowUpCheck.due_on, FollowUpCheck.id)
        ).scalars()
    )


# --- releases ------------------------------------------------------------------------------------


def _validate_release(person: Participant, values: dict, today: date) -> dict:
    problems: dict[str, list[str]] = {}
    released_on = values.get("released_on")
    if not isinstance(released_on, date):
        problems["released_on"] = [_("Enter the release date.")]
    elif released_on > today:
        problems["released_on"] = [_("The release date is in the future: record a release once it happened.")]
    elif person.sentence_start and released_on < person.sentence_start:
        problems["released_on"] = [_("The release date is before the sentence started: check the date.")]
    if values.get("release_type") not in RELEASE_TYPES:
        problems["release_type"] = [_("Choose a release type from the list.")]
    region = values.get("probation_region") or None
    if region is not None and region not in REGIONS:
        problems["probation_region"] = [_("Choose a region from the list.")]
    if problems:
        raise ValidationFailed(problems)
    return {"released_on": released_on, "release_type": values["release_type"], "probation_region": region}


def record_release(person: Participant, values: dict, recorded_by_id: int | None) -> Release:
    """Record the actual release and schedule the follow-up checks, in one transaction."""
    if release_of(person.id) is not None:
        raise ValidationFailed(_("A release is already recorded for this person: edit it instead."))
    clean = _validate_release(person, values, local_today(person.facility.timezone))
    with unit_of_work():
        release = Release(participant_id=person.id, recorded_by_id=recorded_by_id, **clean)
        db.session.add(release)
        for months in check_months():
            db.session.add(
                FollowUpCheck(
                    participant_id=person.id,
                    months_after_release=months,
                    due_on=add_months(clean["released_on"], months),
                    notes="",
                )
            )
    return release


def update_release(
    release: Release, person: Participant, values: dict, version_id: int | None = None
) -> Release:
    """Correct a release; open checks move with the date, recorded ones must still fit after it."""
    check_version(release, version_id)
    clean = _validate_release(person, values, local_today(person.facility.timezone))
    checks = checks_of(person.id)
    for check in checks:
        earliest = min(d for d in (check.checked_on, check.offence_date) if d) if check.checked_on else None
        if earliest and earliest < clean["released_on"]:
            raise ValidationFailed.on(
                "released_on",
                _(
                    "A check or offence recorded on %(day)s lies before this release date: correct it first.",
                    day=earliest.isoformat(),
                ),
            )
    with unit_of_work():
        for key, value in clean.items():
            setattr(release, key, value)
        for check in checks:
            if check.checked_on is None:
                check.due_on = add_months(clean["released_on"], check.months_after_release)
    return release


# --- checks --------------------------------------------------------------------------------------

CHECK_FIELDS = (
    "checked_on",
    "source",
    "outcome",
    "offence_date",
    "conviction_date",
    "offence_category",
    "is_custodial",
    "notes",
)


def _validate_check(values: dict, released_on: date, today: date) -> dict:
    clean = {key: values.get(key) for key in CHECK_FIELDS}
    clean["notes"] = (clean["notes"] or "").strip()
    problems: dict[str, list[str]] = {}

    def refuse(field: str, message: str) -> None:
        problems.setdefault(field, []).append(message)

    checked_on = clean["checked_on"]
    if not isinstance(checked_on, date):
        refuse("checked_on", _("Enter the date of the check."))
    elif checked_on > today:
        refuse("checked_on", _("The check date is in the future: enter the day the check was made."))
    elif checked_on < released_on:
        refuse("checked_on", _("The check date is before the release: enter a date after the release."))
    if clean["source"] not in CHECK_SOURCES:
        refuse("source", _("Choose where the information came from."))
    if clean["outcome"] not in CHECK_OUTCOMES:
        refuse("outcome", _("Choose the outcome of the check."))
    if clean["outcome"] == "reconvicted":
        offence, conviction = clean["offence_date"], clean["conviction_date"]
        if not isinstance(offence, date):
            refuse("offence_date", _("Enter the date of the new offence."))
        elif offence < released_on:
            refuse(
                "offence_date",
                _(
                    "The offence date is before the release: an offence committed in custody or before "
                    "is not a reoffence after release."
                ),
            )
        elif isinstance(checked_on, date) and offence > checked_on:
            refuse("offence_date", _("The offence date is after the check date: check both dates."))
        if not isinstance(conviction, date):
            refuse("conviction_date", _("Enter the date of the conviction."))
        elif isinstance(offence, date) and conviction < offence:
            refuse("conviction_date", _("The conviction date is before the offence date: check both dates."))
        elif isinstance(checked_on, date) and conviction > checked_on:
            refuse("conviction_date", _("The conviction date is after the check date: check both dates."))
        if clean["offence_category"] not in OFFENCE_CATEGORIES:
            refuse("offence_category", _("Choose the category of the new offence."))
        if clean["is_custodial"] not in (True, False):
            refuse("is_custodial", _("Say whether the new sentence is custodial."))
    else:
        # Only a reconviction carries offence details; anything typed for another outcome is dropped.
        clean.update(offence_date=None, conviction_date=None, offence_category=None, is_custodial=None)
    if len(clean["notes"]) > 2000:
        refuse("notes", _("Use at most 2000 characters."))
    if problems:
        raise ValidationFailed(problems)
    return clean


def record_check(
    check: FollowUpCheck, values: dict, recorded_by_id: int | None, version_id: int | None = None
) -> int:
    """Record (or correct) a check; returns how many later open checks a final outcome withdrew."""
    check_version(check, version_id)
    release = release_of(check.participant_id)
    if release is None:
        raise ValidationFailed(_("No release is recorded for this person."))
    person = db.session.get(Participant, check.participant_id)
    clean = _validate_check(values, release.released_on, local_today(person.facility.timezone))
    withdrawn = 0
    with unit_of_work():
        for key, value in clean.items():
            setattr(check, key, value)
        check.recorded_by_id = recorded_by_id
        if clean["outcome"] in FINAL_OUTCOMES:
            withdrawn = db.session.execute(
                delete(FollowUpCheck).where(
                    FollowUpCheck.participant_id == check.participant_id,
                    FollowUpCheck.checked_on.is_(None),
                    FollowUpCheck.due_on > check.due_on,
                    FollowUpCheck.id != check.id,
                )
            ).rowcount
    return withdrawn


# --- lists ---------------------------------------------------------------------------------------


def _scope_people(query: Select, user) -> Select:
    if user.role == OFFICER:
        return query.where(Participant.facility_id == user.facility_id)
    if user.role == ADMIN:
        return query
    return query.where(false())


def worklist(user, today: date | None = None, within_days: int = DUE_WITHIN_DAYS) -> Select:
    """Open checks that are overdue (due before today) or due within `within_days`, oldest first."""
    today = today or user_today(user)
    query = (
        select(FollowUpCheck)
        .join(Participant, Participant.id == FollowUpCheck.participant_id)
        .options(contains_eager(FollowUpCheck.participant).joinedload(Participant.facility))
        .where(
            FollowUpCheck.checked_on.is_(None), FollowUpCheck.due_on <= today + timedelta(days=within_days)
        )
        .order_by(FollowUpCheck.due_on, FollowUpCheck.id)
    )
    return _scope_people(query, user)


@dataclass(frozen=True)
class WorklistCounts:
    overdue: int
    due: int
    releases_due: int


# What worklist_counts reads (programme.core.cache recomputes it when one of them changes).
WORKLIST_TABLES = watch(FollowUpCheck, Release, Participant, Facility)


def worklist_counts(user, today: date | None = None) -> WorklistCounts:
    """Overdue and due checks and expected releases, reused until checks, releases or people change
    (the key holds the hour: "today" moves on)."""
    today = today or user_today(user)
    return cached_for_user(
        f"followup.worklist_counts.{today.isoformat()}",
        user,
        lambda: _worklist_counts(user, today),
        depends_on=WORKLIST_TABLES,
    )


def _worklist_counts(user, today: date) -> WorklistCounts:
    horizon = today + timedelta(days=DUE_WITHIN_DAYS)
    checks = _scope_people(
        select(
            func.count(case((FollowUpCheck.due_on < today, 1))),
            func.count(case((and_(FollowUpCheck.due_on >= today, FollowUpCheck.due_on <= horizon), 1))),
        )
        .select_from(FollowUpCheck)
        .join(Participant, Participant.id == FollowUpCheck.participant_id)
        .where(FollowUpCheck.checked_on.is_(None)),
        user,
    ).subquery()
    releases = select(func.count()).select_from(due_for_release(user, today).order_by(None).subquery())
    # One statement for the three figures (every dashboard shows them).
    overdue, due, releases_due = db.session.execute(select(*checks.c, releases.scalar_subquery())).one()
    return WorklistCounts(overdue, due, releases_due)


def due_for_release(user, today: date | None = None, within_days: int = RELEASE_WITHIN_DAYS) -> Select:
    """People expected out within `within_days` (or already past the date) with no release recorded."""
    today = today or user_today(user)
    query = (
        select(Participant)
        .outerjoin(Release, Release.participant_id == Participant.id)
        .join(Facility, Facility.id == Participant.facility_id)
        .options(contains_eager(Participant.facility))
        .where(
            Release.id.is_(None),
            Participant.expected_release.is_not(None),
            Participant.expected_release <= today + timedelta(days=within_days),
        )
        .order_by(Participant.expected_release, Participant.id)
    )
    return _scope_people(query, user)


def dashboard_panel(user) -> dict:
    today = user_today(user)
    counts = worklist_counts(user, today)
    first_checks = db.session.execute(worklist(user, today).limit(5)).unique().scalars().all()
    return {"counts": counts, "checks": first_checks, "today": today}
