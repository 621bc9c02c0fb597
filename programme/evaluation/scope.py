"""Which responses an analysis uses: the filters and the one SQL query that applies them.

Every page, chart, export and report starts from `scoped_responses(filters, ...)`: a SELECT of
the complete responses to an instrument (by code, all its versions) at the chosen timepoints,
with the pseudonymised attributes of each person (study code, age band at the cohort's start,
first/repeat conviction, attendance rate and band) computed in SQL. Nothing is queried per row.
"""

from __future__ import annotations

from dataclasses import dataclass, fields, replace
from datetime import date

from flask_babel import lazy_gettext as _l
from sqlalchemy import Float, Select, and_, case, cast, exists, extract, func, literal, null, select

from programme.attendance.models import AttendanceMark
from programme.curriculum.models import CurriculumVersion
from programme.facilities.models import Facility
from programme.participants.models import Consent, Enrolment, Participant
from programme.questionnaires.models import Administration, Instrument, Response
from programme.scheduling.models import Cohort, ProgrammeSession

# Age at the start of the cohort (birth year only: evaluators never see dates).
AGE_BANDS = {
    "18_24": (None, 24, _l("18–24")),
    "25_34": (25, 34, _l("25–34")),
    "35_44": (35, 44, _l("35–44")),
    "45_60": (45, 60, _l("45–60")),
    "61_plus": (61, None, _l("61 and over")),
}
# Share of held sessions attended (excused absences counted as the curriculum's rule says).
ATTENDANCE_BANDS = {
    "under_50": (None, 0.5, _l("under 50 %")),
    "50_74": (0.5, 0.75, _l("50–74 %")),
    "75_plus": (0.75, None, _l("75 % and over")),
}
CONVICTIONS = {"first": _l("First conviction"), "repeat": _l("Repeat conviction")}
LANGUAGE_NAMES = {"kk": _l("Kazakh"), "ru": _l("Russian"), "en": _l("English")}
UNKNOWN = "unknown"


@dataclass(frozen=True)
class Filters:
    instrument: str | None = None  # instrument code
    timepoint_from: str = "pre"
    timepoint_to: str = "post"
    facility_id: int | None = None
    region: str | None = None
    cohort_id: int | None = None
    curriculum_id: int | None = None
    period_from: date | None = None  # cohorts starting on or after
    period_to: date | None = None  # cohorts starting on or before
    attendance_band: str | None = None
    age_band: str | None = None
    conviction: str | None = None  # "first" / "repeat"
    language: str | None = None  # the cohort's language

    def with_(self, **changes) -> Filters:
        return replace(self, **changes)

    def as_args(self) -> dict:
        """Query-string arguments that rebuild these filters (for links and downloads)."""
        args = {}
        for field in fields(self):
            value = getattr(self, field.name)
            if value not in (None, ""):
                args[field.name] = value.isoformat() if isinstance(value, date) else value
        return args


def age_expression():
    age = extract("year", Cohort.start_date) - Participant.birth_year
    whens = [(Participant.birth_year.is_(None), literal(UNKNOWN))]
    for code, (_low, high, _label) in AGE_BANDS.items():
        if high is not None:
            whens.append((age <= high, literal(code)))
    return case(*whens, else_=literal("61_plus"))


def conviction_expression():
    return case(
        (Participant.is_repeat_conviction.is_(True), literal("repeat")),
        (Participant.is_repeat_conviction.is_(False), literal("first")),
        else_=literal(UNKNOWN),
    )


def _attendance_rate():
    """Final rate kept on the enrolment, else attended / held sessions from the marks."""
    held = (
        select(ProgrammeSession.cohort_id, func.count().label("held"))
        .where(ProgrammeSession.status == "held")
        .group_by(ProgrammeSession.cohort_id)
        .subquery("held_sessions")
    )
    counts_as_attended = case(
        (AttendanceMark.status.in_(("present", "late")), 1),
        (and_(AttendanceMark.status == "excused", CurriculumVersion.excused_count_as_attended.is_(True)), 1),
        else_=0,
    )
    attended = (
        select(
            ProgrammeSession.cohort_id,
            AttendanceMark.participant_id,
            func.sum(counts_as_attended).label("attended"),
        )
        .join(ProgrammeSession, ProgrammeSession.id == AttendanceMark.session_id)
        .join(Cohort, Cohort.id == ProgrammeSession.cohort_id)
        .join(CurriculumVersion, CurriculumVersion.id == Cohort.curriculum_version_id)
        .where(ProgrammeSession.status == "held")
        .group_by(ProgrammeSession.cohort_id, AttendanceMark.participant_id)
        .subquery("attended_sessions")
    )
    rate = func.coalesce(
        Enrolment.final_attendance_rate,
        cast(attended.c.attended, Float) / func.nullif(held.c.held, 0),
    )
    return held, attended, rate


def attendance_band_expression(rate):
    whens = []
    for code, (_low, high, _label) in ATTENDANCE_BANDS.items():
        if high is not None:
            whens.append((rate < high, literal(code)))
    return case((rate.is_(None), literal(UNKNOWN)), *whens, else_=literal("75_plus"))


def scoped_responses(
    filters: Filters,
    instrument_code: str,
    timepoints: tuple[str, ...],
    drop_excluded: bool = False,
    attendance: bool = True,
) -> Select:
    """Complete responses in scope, one row each, with the person's analysis attributes.

    `is_excluded` marks people who withdrew consent asking for their data to be excluded; the
    caller counts them for the attrition, or asks for them to be dropped here.
    `attendance=False` leaves the attendance rate and band out (NULL), and their joins, unless
    the attendance band is filtered on.
    """
    held, attended, rate = _attendance_rate()
    attendance = attendance or bool(filters.attendance_band)  # the band filter needs the rate
    if not attendance:
        rate = cast(null(), Float)  # typed, so PostgreSQL can compare it in the band's CASE
    age_band = age_expression()
    conviction = conviction_expression()
    attendance_band = attendance_band_expression(rate)
    excluded = exists().where(
        Consent.participant_id == Participant.id, Consent.withdrawal_choice == "exclude_data"
    )
    query = (
        select(
            Response.id.label("response_id"),
            Participant.id.label("participant_id"),
            Participant.study_code.label("study_code"),
            Administration.timepoint.label("timepoint"),
            Response.language.label("response_language"),
            Cohort.id.label("cohort_id"),
            Cohort.name.label("cohort_name"),
            Cohort.language.label("language"),
            Facility.id.label("facility_id"),
            Facility.code.label("facility_code"),
            Facility.region.label("region"),
            CurriculumVersion.curriculum_id.label("curriculum_id"),
            age_band.label("age_band"),
            conviction.label("conviction"),
            rate.label("attendance_rate"),
            attendance_band.label("attendance_band"),
            excluded.label("is_excluded"),
        )
        .join(Administration, Administration.id == Response.administration_id)
        .join(Instrument, Instrument.id == Administration.instrument_id)
        .join(Cohort, Cohort.id == Administration.cohort_id)
        .join(Facility, Facility.id == Cohort.facility_id)
        .join(CurriculumVersion, CurriculumVersion.id == Cohort.curriculum_version_id)
        .join(Participant, Participant.id == Response.participant_id)
        .outerjoin(
            Enrolment, and_(Enrolment.participant_id == Participant.id, Enrolment.cohort_id == Cohort.id)
        )
        .where(
            Instrument.code == instrument_code,
            Response.status == "complete",
            Administration.timepoint.in_(timepoints),
        )
    )
    if attendance:
        query = query.outerjoin(held, held.c.cohort_id == Cohort.id).outerjoin(
            attended,
            and_(attended.c.cohort_id == Cohort.id, attended.c.participant_id == Participant.id),
        )
    conditions = {
        "facility_id": Cohort.facility_id,
        "region": Facility.region,
        "cohort_id": Cohort.id,
        "curriculum_id": CurriculumVersion.curriculum_id,
        "language": Cohort.language,
        "age_band": age_band,
        "conviction": conviction,
        "attendance_band": attendance_band,
    }
    if drop_excluded:
        query = query.where(~excluded)
    for name, column in conditions.items():
        value = getattr(filters, name)
        if value not in (None, ""):
            query = query.where(column == value)
    if filters.period_from:
        query = query.where(Cohort.start_date >= filters.period_from)
    if filters.period_to:
        query = query.where(Cohort.start_date <= filters.period_to)
    return query
