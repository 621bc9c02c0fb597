"""The registry: adding, editing, finding and transferring participants."""

from __future__ import annotations

from datetime import date

from flask_babel import gettext as _
from sqlalchemy import Select, func, or_, select

from programme.audit.services import record
from programme.core.cache import cached_for_user, watch
from programme.core.permissions import ADMIN, OFFICER
from programme.core.services import ValidationFailed, check_version, unit_of_work
from programme.extensions import db
from programme.facilities.models import Facility
from programme.participants import labels
from programme.participants.codes import generate_study_code, is_valid_code, normalise_code
from programme.participants.enrolment import withdraw_enrolment
from programme.participants.models import Consent, Enrolment, Participant, ParticipantTransfer
from programme.participants.scope import sees_names, visible_participants
from programme.scheduling.models import Cohort, ProgrammeSession, SessionAssignment

EDITABLE_FIELDS = (
    "full_name",
    "facility_number",
    "birth_year",
    "gender",
    "languages",
    "education_level",
    "offence_category",
    "is_repeat_conviction",
    "sentence_start",
    "expected_release",
    "notes",
)
REQUIRED_FIELDS = ("full_name", "facility_number", "birth_year")
MAX_LENGTHS = {"full_name": 200, "facility_number": 40, "notes": 2000}
YOUNGEST_AGE = 14
OLDEST_BIRTH_YEAR = 1920


def clean_values(values: dict, today: date | None = None) -> tuple[dict, dict[str, list[str]]]:
    """Field rules shared by the form and the import; returns (clean values, problems)."""
    today = today or date.today()
    clean: dict = {}
    problems: dict[str, list[str]] = {}

    def problem(field: str, message: str) -> None:
        problems.setdefault(field, []).append(message)

    for field in EDITABLE_FIELDS:
        value = values.get(field)
        if isinstance(value, str):
            value = value.strip()
        if value in ("", None, []):
            if field in REQUIRED_FIELDS:
                problem(field, _("This field is required."))
            clean[field] = [] if field == "languages" else ("" if field == "notes" else None)
            continue
        clean[field] = value
    for field, maximum in MAX_LENGTHS.items():
        if clean.get(field) and len(str(clean[field])) > maximum:
            problem(field, _("Use at most %(max)d characters.", max=maximum))
    if clean.get("birth_year") is not None:
        try:
            clean["birth_year"] = int(clean["birth_year"])
        except (TypeError, ValueError):
            problem("birth_year", _("Write the year of birth as four digits, e.g. 1988."))
        else:
            if not OLDEST_BIRTH_YEAR <= clean["birth_year"] <= today.year - YOUNGEST_AGE:
                problem(
                    "birth_year",
                    _(
                        "The year of birth must be between %(low)d and %(high)d.",
                        low=OLDEST_BIRTH_YEAR,
                        high=today.year - YOUNGEST_AGE,
                    ),
                )
    for field, allowed in (
        ("gender", labels.GENDERS),
        ("education_level", labels.EDUCATION_LEVELS),
        ("offence_category", labels.OFFENCE_CATEGORIES),
    ):
        if clean.get(field) is not None and clean[field] not in allowed:
            problem(field, _("Choose one of: %(values)s.", values=", ".join(allowed)))
    languages = clean.get("languages") or []
    if isinstance(languages, str):
        languages = [part.strip().lower() for part in languages.replace(";", ",").split(",") if part.strip()]
    unknown = [language for language in languages if language not in labels.LANGUAGES]
    if unknown:
        problem("languages", _("Use language codes from: %(values)s.", values=", ".join(labels.LANGUAGES)))
    clean["languages"] = [language for language in languages if language in labels.LANGUAGES]
    for field in ("sentence_start", "expected_release"):
        value = clean.get(field)
        if value is not None and not isinstance(value, date):
            problem(field, _("Write the date as YYYY-MM-DD or DD.MM.YYYY."))
            clean[field] = None
    start, release = clean.get("sentence_start"), clean.get("expected_release")
    if start and not date(1970, 1, 1) <= start <= today:
        problem("sentence_start", _("The sentence cannot start in the future or before 1970."))
    if release and start and release < start:
        problem("expected_release", _("The expected release cannot be before the sentence start."))
    if release and release.year > today.year + 50:
        problem("expected_release", _("The expected release date is not plausible."))
    return clean, problems


def _number_taken(facility_id: int, number: str, participant_id: int | None) -> bool:
    return (
        db.session.execute(
            select(Participant.id).where(
                Participant.facility_id == facility_id,
                Participant.facility_number == number,
                Participant.id != (participant_id or 0),
            )
        ).first()
        is not None
    )


def unused_study_codes(count: int) -> list[str]:
    """`count` fresh codes, none already in use (one query whatever the count)."""
    codes: set[str] = set()
    while len(codes) < count:
        wanted = {generate_study_code() for _ in range(count - len(codes))}
        taken = set(
            db.session.execute(
                select(Participant.study_code).where(Participant.study_code.in_(wanted))
            ).scalars()
        )
        codes |= wanted - taken
    return sorted(codes)


def create_participant(facility_id: int, values: dict) -> Participant:
    clean, problems = clean_values(values)
    if not problems and _number_taken(facility_id, clean["facility_number"], None):
        problems["facility_number"] = [_("Another person at this facility has this number.")]
    if problems:
        raise ValidationFailed(problems)
    with unit_of_work():
        participant = Participant(facility_id=facility_id, study_code=unused_study_codes(1)[0], **clean)
        db.session.add(participant)
    return participant


def update_participant(participant: Participant, values: dict, version_id: int | None = None) -> Participant:
    check_version(participant, version_id)
    clean, problems = clean_values(values)
    if not problems and _number_taken(participant.facility_id, clean["facility_number"], participant.id):
        problems["facility_number"] = [_("Another person at this facility has this number.")]
    if problems:
        raise ValidationFailed(problems)
    with unit_of_work():
        for key, value in clean.items():
            setattr(participant, key, value)
    return participant


def search_participants(user, search: str = "", include_comparison: bool = True) -> Select:
    query = visible_participants(user)
    if not include_comparison:
        query = query.where(Participant.is_comparison.is_(False))
    search = (search or "").strip()
    if search:
        code = normalise_code(search)
        conditions = (
            [Participant.study_code == code]
            if is_valid_code(code)
            else [Participant.study_code.like(f"{code}%")]
        )
        if sees_names(user):
            # SQLite's lower() knows ASCII only: also match the text as typed and capitalised.
            variants = {search, search.lower(), search.capitalize()}
            conditions += [func.lower(Participant.full_name).like(f"%{v}%") for v in variants]
            conditions += [Participant.full_name.like(f"%{v}%") for v in variants]
            conditions.append(Participant.facility_number == search)
        query = query.where(or_(*conditions))
    order = Participant.full_name if sees_names(user) else Participant.study_code
    return query.order_by(order, Participant.id)


def get_participant_or_404(user, participant_id: int) -> Participant:
    return db.first_or_404(visible_participants(user).where(Participant.id == participant_id))


def record_read(user, participant: Participant) -> None:
    """Reading a named record is itself recorded (admins everywhere, officers at their facility)."""
    if user.role in (ADMIN, OFFICER):
        with unit_of_work():
            record("read", "participant", participant.id, purpose="view record")


def transfer_participant(
    participant: Participant,
    to_facility_id: int,
    transferred_on: date,
    recorded_by_id: int | None,
    new_facility_number: str | None = None,
) -> ParticipantTransfer:
    """Move a person to another facility: the history stays, open enrolments end as "transferred"."""
    if to_facility_id == participant.facility_id:
        raise ValidationFailed.on("to_facility_id", _("The person is already at this facility."))
    if db.session.get(Facility, to_facility_id) is None:
        raise ValidationFailed.on("to_facility_id", _("Choose a facility from the list."))
    if transferred_on > date.today():
        raise ValidationFailed.on("transferred_on", _("The transfer date cannot be in the future."))
    number = (new_facility_number or "").strip() or participant.facility_number
    if number and _number_taken(to_facility_id, number, participant.id):
        raise ValidationFailed.on(
            "new_facility_number",
            _("Another person at the receiving facility has this number; give the new number."),
        )
    open_enrolments = (
        db.session.execute(
            select(Enrolment).where(
                Enrolment.participant_id == participant.id, Enrolment.status.in_(("enrolled", "waitlisted"))
            )
        )
        .scalars()
        .all()
    )
    with unit_of_work():
        for enrolment in open_enrolments:
            withdraw_enrolment(enrolment, "transferred", transferred_on, commit=False)
        transfer = ParticipantTransfer(
            participant_id=participant.id,
            from_facility_id=participant.facility_id,
            to_facility_id=to_facility_id,
            transferred_on=transferred_on,
            recorded_by_id=recorded_by_id,
        )
        db.session.add(transfer)
        participant.facility_id = to_facility_id
        participant.facility_number = number
    return transfer


def transfer_history(participant_id: int) -> list[ParticipantTransfer]:
    return list(
        db.session.execute(
            select(ParticipantTransfer)
            .where(ParticipantTransfer.participant_id == participant_id)
            .order_by(ParticipantTransfer.transferred_on, ParticipantTransfer.id)
        ).scalars()
    )


# What registry_counts reads (the scope of coordinators and facilitators goes through cohorts).
REGISTRY_TABLES = watch(Participant, Consent, Enrolment, Cohort, ProgrammeSession, SessionAssignment)


def registry_counts(user) -> dict:
    """For the dashboard: people in the registry and people without consent (one query),
    reused until people, consents or enrolments change."""
    return cached_for_user(
        "participants.registry_counts", user, lambda: _registry_counts(user), depends_on=REGISTRY_TABLES
    )


def _registry_counts(user) -> dict:
    from programme.participants.consent import questionnaire_consent_clause

    scope = visible_participants(user).where(Participant.is_comparison.is_(False)).subquery()
    total = select(func.count()).select_from(scope)
    without = select(func.count()).select_from(scope).where(~questionnaire_consent_clause(scope.c.id))
    row = db.session.execute(
        select(total.scalar_subquery().label("total"), without.scalar_subquery().label("without"))
    ).one()
    return {"total": row.total, "without_consent": row.without, "names": sees_names(user)}
