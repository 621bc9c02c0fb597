"""The survival dataset: one pseudonymised row per released person, built in a handful of queries.

Time is counted in days from release; calendar dates never leave this module. A person enters
once at least one check has been recorded (before that nothing is known of their follow-up).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field, fields
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Bundle

from programme.extensions import db
from programme.facilities.models import Facility
from programme.facilities.regions import REGIONS
from programme.followup.change import ChangeInfo, pre_post_change
from programme.followup.dates import AGE_BANDS, add_months, age_band, local_today
from programme.followup.models import FollowUpCheck, Release
from programme.participants.models import Enrolment, Participant
from programme.scheduling.models import Cohort

GROUPS = ("completer", "non_completer", "comparison")
# Outcomes that end a person's follow-up: they are censored at that check's date.
END_OUTCOMES = ("deceased", "left_country", "lost_to_follow_up", "returned_to_custody")
AGE_BAND_CODES = tuple(code for code, *_ in AGE_BANDS)


def _int_or_none(value) -> int | None:
    try:
        return int(value) if value not in (None, "") else None
    except (TypeError, ValueError):
        return None


def _date_or_none(value) -> date | None:
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(value) if value else None
    except (TypeError, ValueError):
        return None


@dataclass(frozen=True)
class FollowupFilters:
    """The evaluation filters: facility, region, cohort, age band, first/repeat, release period."""

    facility_id: int | None = None
    region: str | None = None
    cohort_id: int | None = None
    age_band: str | None = None
    conviction: str | None = None  # "first" or "repeat"
    released_from: date | None = None
    released_to: date | None = None
    analysis_date: date | None = None  # default: today

    @classmethod
    def coerce(cls, given) -> FollowupFilters:
        """Accept these filters, None, or any mapping of the same names (request.args, a dict, an
        object of the evaluation module with these attributes); unknown values are ignored."""
        if isinstance(given, cls):
            return given
        if given is None:
            return cls()
        get = given.get if hasattr(given, "get") else (lambda name: getattr(given, name, None))
        region = get("region") or None
        band = get("age_band") or None
        conviction = get("conviction") or None
        return cls(
            facility_id=_int_or_none(get("facility_id")),
            region=region if region in REGIONS else None,
            cohort_id=_int_or_none(get("cohort_id")),
            age_band=band if band in AGE_BAND_CODES else None,
            conviction=conviction if conviction in ("first", "repeat") else None,
            released_from=_date_or_none(get("released_from")),
            released_to=_date_or_none(get("released_to")),
            analysis_date=_date_or_none(get("analysis_date")),
        )

    def as_args(self) -> dict:
        return {
            f.name: (value.isoformat() if isinstance(value, date) else value)
            for f in fields(self)
            if (value := getattr(self, f.name)) is not None
        }

    def on(self) -> date:
        return self.analysis_date or local_today(None)


@dataclass
class SurvivalRow:
    person_id: int
    study_code: str
    group: str
    facility_code: str
    region: str
    age_band: str | None
    is_repeat: bool | None
    attendance_rate: float | None
    prepost_change: float | None
    rc_category: str | None
    time_days: int
    event: bool
    eligible_12m: bool
    proven_12m: bool
    released_on: date = field(repr=False)  # internal: never shown or exported


@dataclass
class Dataset:
    rows: list[SurvivalRow]
    released: int  # released people matching the filters (with or without a check)
    without_check: int
    change: ChangeInfo
    analysis_date: date


def survival_outcome(released_on: date, checks, analysis_date: date) -> tuple[int, bool] | None:
    """(days, event) from the recorded checks known at `analysis_date`; None with no check yet.

    Event: the first offence of a reconviction. Censored at the first check ending follow-up
    (death, emigration, loss, return to custody) or else at the last check."""
    known = [c for c in checks if c.checked_on is not None and c.checked_on <= analysis_date]
    if not known:
        return None
    ends = [c.checked_on for c in known if c.outcome in END_OUTCOMES]
    end = min(ends) if ends else max(c.checked_on for c in known)
    offences = [c.offence_date for c in known if c.outcome == "reconvicted" and c.offence_date]
    first_offence = min(offences) if offences else None
    if first_offence is not None and first_offence <= end:
        return (first_offence - released_on).days, True
    return (end - released_on).days, False


def proven_reoffending_12m(released_on: date, checks, analysis_date: date) -> tuple[bool, bool]:
    """(eligible, proven): eligible once the whole window (release + 18 months) has passed;
    proven by an offence before the 12-month anniversary convicted before the 18-month one."""
    offence_until, conviction_until = add_months(released_on, 12), add_months(released_on, 18)
    eligible = analysis_date >= conviction_until
    proven = any(
        c.outcome == "reconvicted"
        and c.checked_on is not None
        and c.checked_on <= analysis_date
        and c.offence_date is not None
        and c.conviction_date is not None
        and released_on <= c.offence_date < offence_until
        and c.conviction_date < conviction_until
        for c in checks
    )
    return eligible, eligible and proven


def _released_people(filters: FollowupFilters, *columns):
    """The released people matching the filters (all but the age band, applied in Python);
    by default a plain bundle of each person's columns (not ORM objects: ~8,000 people at
    national size), or the `columns` given (a subquery of ids for the next queries)."""
    person = Bundle(
        "person",
        Participant.id,
        Participant.study_code,
        Participant.birth_year,
        Participant.is_repeat_conviction,
        Participant.is_comparison,
    )
    query = (
        select(*(columns or (person, Release.released_on, Facility.code, Facility.region)))
        .join(Release, Release.participant_id == Participant.id)
        .join(Facility, Facility.id == Participant.facility_id)
        .order_by(Participant.id)
    )
    if filters.facility_id:
        query = query.where(Participant.facility_id == filters.facility_id)
    if filters.region:
        query = query.where(Facility.region == filters.region)
    if filters.conviction:
        query = query.where(Participant.is_repeat_conviction.is_(filters.conviction == "repeat"))
    if filters.released_from:
        query = query.where(Release.released_on >= filters.released_from)
    if filters.released_to:
        query = query.where(Release.released_on <= filters.released_to)
    if filters.cohort_id:
        # The cohort's own people, compared with the comparison people of the cohort's facility.
        in_cohort = select(Enrolment.participant_id).where(Enrolment.cohort_id == filters.cohort_id)
        cohort_facility = select(Cohort.facility_id).where(Cohort.id == filters.cohort_id).scalar_subquery()
        query = query.where(
            Participant.id.in_(in_cohort)
            | (Participant.is_comparison.is_(True) & (Participant.facility_id == cohort_facility))
        )
    return query


def build_dataset(filters=None) -> Dataset:
    filters = FollowupFilters.coerce(filters)
    analysis_date = filters.on()
    people = db.session.execute(_released_people(filters)).all()
    if filters.age_band:
        people = [row for row in people if age_band(row[0].birth_year, row[1].year) == filters.age_band]
    # The people's ids as a subquery, not a list: thousands of bound ids cost more to send than
    # the subquery costs to run. Without the age band (applied above in Python) it is the same
    # set; with it, a superset whose extra rows are never looked up.
    ids = _released_people(filters, Participant.id).order_by(None)
    checks: dict[int, list[FollowUpCheck]] = defaultdict(list)
    enrolments: dict[int, list[Enrolment]] = defaultdict(list)
    if people:
        # Rows with the columns the rules read (attribute access as on the models), not objects.
        for check in db.session.execute(
            select(
                FollowUpCheck.participant_id,
                FollowUpCheck.checked_on,
                FollowUpCheck.outcome,
                FollowUpCheck.offence_date,
                FollowUpCheck.conviction_date,
            ).where(FollowUpCheck.participant_id.in_(ids))
        ):
            checks[check.participant_id].append(check)
        for enrolment in db.session.execute(
            select(Enrolment.participant_id, Enrolment.status, Enrolment.final_attendance_rate).where(
                Enrolment.participant_id.in_(ids)
            )
        ):
            enrolments[enrolment.participant_id].append(enrolment)
    programme_people = [row[0].id for row in people if not row[0].is_comparison]
    if programme_people and not filters.age_band:
        programme_people = ids.where(Participant.is_comparison.is_not(True))  # the same set
    change = pre_post_change(programme_people)
    rows: list[SurvivalRow] = []
    without_check = 0
    for person, released_on, facility_code, region in people:
        outcome = survival_outcome(released_on, checks[person.id], analysis_date)
        if outcome is None:
            without_check += 1
            continue
        eligible, proven = proven_reoffending_12m(released_on, checks[person.id], analysis_date)
        group, attendance = _group_and_attendance(person, enrolments[person.id])
        rows.append(
            SurvivalRow(
                person_id=person.id,
                study_code=person.study_code,
                group=group,
                facility_code=facility_code,
                region=region,
                age_band=age_band(person.birth_year, released_on.year),
                is_repeat=person.is_repeat_conviction,
                attendance_rate=attendance,
                prepost_change=change.changes.get(person.id),
                rc_category=change.categories.get(person.id),
                time_days=outcome[0],
                event=outcome[1],
                eligible_12m=eligible,
                proven_12m=proven,
                released_on=released_on,
            )
        )
    return Dataset(rows, len(people), without_check, change, analysis_date)


def _group_and_attendance(person: Participant, enrolments: list[Enrolment]) -> tuple[str, float | None]:
    if person.is_comparison:
        return "comparison", None
    completed = [e for e in enrolments if e.status == "completed"]
    chosen = completed or enrolments
    rates = [e.final_attendance_rate for e in chosen if e.final_attendance_rate is not None]
    return ("completer" if completed else "non_completer"), (max(rates) if rates else None)
