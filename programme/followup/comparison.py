"""The comparison group: people who did not take part, registered to compare outcomes.

They are rows of the participants' own table flagged `is_comparison`, with the same fields, so
every measure treats both groups alike. Matching proposes comparison people like a participant
on facility, age band, offence category and first/repeat conviction.
"""

from __future__ import annotations

import secrets

from flask_babel import gettext as _
from sqlalchemy import Select, func, select
from sqlalchemy.orm import selectinload

from programme.core.permissions import OFFICER
from programme.core.services import ValidationFailed, unit_of_work
from programme.extensions import db
from programme.followup.dates import age_band, birth_years_of_band, local_today
from programme.followup.models import Release
from programme.followup.services import visible_people
from programme.participants.models import GENDERS, OFFENCE_CATEGORIES, Participant

PERSON_FIELDS = (
    "full_name",
    "facility_number",
    "birth_year",
    "gender",
    "offence_category",
    "is_repeat_conviction",
    "sentence_start",
    "expected_release",
    "notes",
)


def new_comparison_code() -> str:
    """A pseudonym for a comparison person: "C" and eight random hex digits, never reused."""
    while True:
        code = f"C{secrets.token_hex(4).upper()}"
        if db.session.execute(select(Participant.id).where(Participant.study_code == code)).first() is None:
            return code


def list_comparison_people(user) -> Select:
    return (
        visible_people(user)
        .where(Participant.is_comparison.is_(True))
        .options(selectinload(Participant.facility))
        .order_by(Participant.facility_id, Participant.study_code)
    )


def _validate_person(values: dict, facility_id: int, today_year: int) -> dict:
    clean = {key: values.get(key) for key in PERSON_FIELDS}
    for key in ("full_name", "facility_number", "notes"):
        clean[key] = (clean[key] or "").strip()
    problems: dict[str, list[str]] = {}
    if not clean["full_name"]:
        problems["full_name"] = [_("Enter the person's full name.")]
    if not clean["facility_number"]:
        problems["facility_number"] = [_("Enter the person's number at the facility.")]
    elif db.session.execute(
        select(Participant.id).where(
            Participant.facility_id == facility_id, Participant.facility_number == clean["facility_number"]
        )
    ).first():
        problems["facility_number"] = [_("Someone at this facility already has this number.")]
    birth_year = clean["birth_year"]
    if not isinstance(birth_year, int) or not (today_year - 100 <= birth_year <= today_year - 14):
        problems["birth_year"] = [
            _("Enter a birth year between %(a)d and %(b)d.", a=today_year - 100, b=today_year - 14)
        ]
    if clean["gender"] not in GENDERS:
        problems["gender"] = [_("Choose from the list.")]
    if clean["offence_category"] not in OFFENCE_CATEGORIES:
        problems["offence_category"] = [_("Choose the offence category from the list.")]
    if clean["is_repeat_conviction"] not in (True, False):
        problems["is_repeat_conviction"] = [_("Say whether this is a first or a repeat conviction.")]
    start, release = clean["sentence_start"], clean["expected_release"]
    if start and release and release < start:
        problems["expected_release"] = [
            _("The expected release is before the sentence start: check both dates.")
        ]
    if problems:
        raise ValidationFailed(problems)
    return clean


def register_comparison_person(user, facility, values: dict) -> Participant:
    """Register a non-participant at `facility` (an officer: always their own facility)."""
    if user.role == OFFICER and facility.id != user.facility_id:
        raise ValidationFailed(_("Officers register comparison people at their own facility only."))
    clean = _validate_person(values, facility.id, local_today(facility.timezone).year)
    with unit_of_work():
        person = Participant(
            study_code=new_comparison_code(),
            facility_id=facility.id,
            is_comparison=True,
            languages=[],
            **clean,
        )
        db.session.add(person)
    return person


def propose_matches(participant: Participant, limit: int = 10) -> list[Participant]:
    """Comparison people at the same facility in the same age band, offence category and
    first/repeat conviction; those not yet released first, then by study code.

    The age band is taken in the participant's release year (or this year if not released)."""
    if participant.birth_year is None:
        return []
    release = db.session.execute(
        select(Release.released_on).where(Release.participant_id == participant.id)
    ).scalar_one_or_none()
    year = (release or local_today(participant.facility.timezone)).year
    band = age_band(participant.birth_year, year)
    if band is None:
        return []
    earliest, latest = birth_years_of_band(band, year)
    query = (
        select(Participant)
        .outerjoin(Release, Release.participant_id == Participant.id)
        .where(
            Participant.is_comparison.is_(True),
            Participant.id != participant.id,
            Participant.facility_id == participant.facility_id,
            Participant.offence_category == participant.offence_category,
            Participant.is_repeat_conviction == participant.is_repeat_conviction,
            Participant.birth_year <= latest,
        )
        .order_by(func.coalesce(Release.id, 0), Participant.study_code)
        .limit(limit)
    )
    if earliest is not None:
        query = query.where(Participant.birth_year >= earliest)
    return list(db.session.execute(query).scalars())
