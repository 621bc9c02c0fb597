"""National synthetic data for the benchmark: `flask seed-demo --scale national [--fraction F]`.

A whole country's years of the programme (at F = 1: 80 facilities, 8 departments, 80
facilitators, 1,600 cohorts, 16,000 sessions, 20,000 people, about 190,000 attendance marks,
40,000 questionnaire responses with 800,000 answers and stored scores, 8,000 releases and 16,000
follow-up checks), generated deterministically from a seed and written with SQLAlchemy Core bulk
inserts in batches (no ORM object per row, hence no audit rows: the data is synthetic).

Ids are assigned here (from the table's current maximum), so rows can point at each other before
they are written; on PostgreSQL the id sequences are moved past them at the end. Each batch is
committed on its own after a start marker (an audit row with the seed, size and first ids), so an
interrupted load can be resumed to exactly the rows of an uninterrupted one, or restarted.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path

import numpy as np
from sqlalchemy import func, insert, select, text

from programme.attendance.models import AttendanceMark
from programme.audit.models import AuditEvent
from programme.audit.services import record
from programme.auth.demo import DEMO_PASSWORD
from programme.auth.models import User
from programme.auth.passwords import hash_password
from programme.curriculum.models import (
    Curriculum,
    CurriculumText,
    CurriculumVersion,
    SessionPlan,
    SessionPlanText,
)
from programme.curriculum.starter import import_starter
from programme.extensions import db
from programme.facilities.models import Department, Facility
from programme.facilities.regions import REGION_CODES
from programme.followup.models import FollowUpCheck, Release
from programme.participants.models import Consent, Enrolment, Participant
from programme.questionnaires.models import (
    TOTAL_CODE,
    Administration,
    Answer,
    Instrument,
    InstrumentItem,
    Response,
    ResponseScore,
    ResponseValues,
    Subscale,
)
from programme.scheduling.models import (
    AccessPass,
    Cohort,
    FacilitatorProfile,
    ProgrammeSession,
    SessionAssignment,
)

INSTRUMENTS = Path(__file__).resolve().parents[1] / "questionnaires" / "instruments"
AS_OF = date(2026, 11, 15)  # the synthetic "today": fixed, so a seed always gives the same data
FIRST_START = date(2020, 1, 6)
LAST_START = date(2027, 1, 25)
UTC_OFFSET = timedelta(hours=5)  # Kazakhstan's single zone since 2024
BATCH = 5000
REGISTER_SIZE = 40  # one large cohort, for the register benchmark
BASE = {  # sizes at fraction 1
    "facilities": 80,
    "departments": 8,
    "facilitators": 80,
    "cohorts": 1600,
    "comparison": 1200,
}
NATIONAL_ACCOUNTS = ("admin@demo.kz", "coordinator@demo.kz", "facilitator@demo.kz", "officer@demo.kz")
FIRST_NAMES = ("Асхат", "Бауыржан", "Ержан", "Павел", "Руслан", "Санжар", "Талгат", "Дамир", "Айгүл", "Жанна")
SURNAMES = ("Ахметов", "Сейткали", "Жумагулов", "Иванов", "Омаров", "Касымов", "Байжанов", "Ким", "Нуров")
OFFENCES = ("violent", "property", "drugs", "economic", "traffic", "other")
EDUCATION = ("none", "primary", "basic_secondary", "secondary", "vocational", "higher")


class NationalDataExists(RuntimeError):
    """The database already holds data: national data is only loaded into an empty one."""


@dataclass
class Plan:
    """Rows to write, per table, in dependency order."""

    tables: dict = field(default_factory=dict)

    def add(self, model, rows: list[dict]) -> None:
        self.tables.setdefault(model, []).extend(rows)

    @property
    def total(self) -> int:
        return sum(len(rows) for rows in self.tables.values())

    def counts(self) -> dict[str, int]:
        return {model.__tablename__: len(rows) for model, rows in self.tables.items()}


def scaled(count: int, fraction: float, minimum: int) -> int:
    return max(minimum, round(count * fraction))


def score_matrix(values: np.ndarray, reverse: np.ndarray, low: float, high: float, groups: dict) -> dict:
    """Scores of many responses at once: `values` is responses x items (NaN = missing).

    Reverse items become low + high - x; a scale's score is the mean of its answered items when
    at least 80 % of them were answered, else NaN. Returns {code: (scores, answered_counts)}.
    """
    keyed = np.where(reverse[None, :], low + high - values, values)
    answered = ~np.isnan(keyed)
    result = {}
    for code, columns in groups.items():
        count = answered[:, columns].sum(axis=1)
        sums = np.nansum(keyed[:, columns], axis=1)
        with np.errstate(invalid="ignore", divide="ignore"):
            means = np.where(count >= 0.8 * len(columns), sums / np.maximum(count, 1), np.nan)
        result[code] = (means, count)
    return result


class Ids:
    """Next free id per table (read once from the database, or given: a resumed load uses the
    first ids the interrupted one started from, so it writes the very same rows)."""

    def __init__(self, bases: dict[str, int] | None = None):
        self.bases: dict[str, int] = dict(bases or {})
        self._next: dict[str, int] = dict(self.bases)

    def take(self, model, count: int = 1) -> int:
        name = model.__tablename__
        if name not in self._next:
            current = db.session.execute(select(func.max(model.__table__.c.id))).scalar() or 0
            self._next[name] = self.bases[name] = current + 1
        first = self._next[name]
        self._next[name] += count
        return first


def _instrument(plan: Plan, ids: Ids, filename: str) -> tuple[int, list[dict]]:
    content = json.loads((INSTRUMENTS / filename).read_text(encoding="utf-8"))
    instrument_id = ids.take(Instrument)
    plan.add(
        Instrument,
        [
            {
                "id": instrument_id,
                "code": content["code"],
                "number": 1,
                "kind": content["kind"],
                "status": "active",
                "languages": content["languages"],
                "texts": content["texts"],
                "choice_lists": content["choice_lists"],
                "groups": content["groups"],
                "scoring_version": 1,
            }
        ],
    )
    items = []
    for position, item in enumerate(content["items"], start=1):
        choices = next((c for c in content["choice_lists"] if c["name"] == item.get("choice_list")), None)
        values = [choice["value"] for choice in choices["choices"]] if choices else []
        numeric = item["type"] == "likert" and all(isinstance(v, int | float) for v in values)
        items.append(
            {
                "id": ids.take(InstrumentItem),
                "instrument_id": instrument_id,
                "position": position,
                "code": item["code"],
                "item_type": item["type"],
                "choice_list": item.get("choice_list"),
                "subscale_code": item.get("subscale"),
                "is_reverse": bool(item.get("reverse")),
                "group_code": item.get("group"),
                "min_value": min(values) if numeric else None,
                "max_value": max(values) if numeric else None,
                "texts": item["texts"],
            }
        )
    plan.add(InstrumentItem, items)
    rules = list(content.get("subscales", []))
    if content.get("total"):
        rules.append({"code": TOTAL_CODE, "texts": {"en": "Total"}, **content["total"]})
    plan.add(
        Subscale,
        [
            {
                "id": ids.take(Subscale),
                "instrument_id": instrument_id,
                "position": position,
                "code": rule["code"],
                "texts": rule.get("texts", {}),
                "method": rule.get("method", "mean"),
                "min_answered_share": rule.get("min_answered_share", 0.8),
                "prorate": bool(rule.get("prorate", False)),
            }
            for position, rule in enumerate(rules)
        ],
    )
    return instrument_id, items


def _local(day: date, at: time) -> datetime:
    return (datetime.combine(day, at) - UTC_OFFSET).replace(tzinfo=UTC)


def _meeting_days(start: date) -> set[date]:
    return {start + timedelta(weeks=week) for week in range(10)}


def _free_members(
    members: list[int], index: int, days: set[date], booked: dict[int, set[date]], skip: int | None = None
) -> list[int]:
    """The team's members free on all these days, in turn from the cohort's index (fair spread)."""
    turn = index % len(members)
    return [uid for uid in members[turn:] + members[:turn] if uid != skip and booked[uid].isdisjoint(days)]


def build(  # noqa: PLR0915 - one story, told in order
    seed: int, fraction: float, bases: dict[str, int] | None = None
) -> Plan:
    """Every row of the national dataset (dicts per model), from the seed and the size."""
    rng = np.random.default_rng(seed)
    ids = Ids(bases)
    plan = Plan()
    plan.bases = ids.bases
    n_facilities = scaled(BASE["facilities"], fraction, 2)
    n_departments = scaled(BASE["departments"], fraction, 2)
    n_facilitators = max(2 * n_departments, scaled(BASE["facilitators"], fraction, 4))
    n_cohorts = scaled(BASE["cohorts"], fraction, 3)
    n_comparison = scaled(BASE["comparison"], fraction, 5)

    # Organisations: facilities in every region, departments each partnering a set of facilities.
    first_facility = ids.take(Facility, n_facilities)
    facilities = []
    for index in range(n_facilities):
        region = REGION_CODES[index % len(REGION_CODES)]
        facilities.append(
            {
                "id": first_facility + index,
                "code": f"NAT-{index + 1:03d}",
                "name_kk": f"Түзеу мекемесі №{index + 1}",
                "name_ru": f"Учреждение №{index + 1}",
                "name_en": f"Facility No. {index + 1}",
                "region": region,
                "security_level": ("minimum", "medium", "maximum", "mixed")[index % 4],
                "timezone": "Asia/Almaty",
                "is_active": True,
                "version_id": 1,
            }
        )
    plan.add(Facility, facilities)
    first_department = ids.take(Department, n_departments)
    department_ids = [first_department + i for i in range(n_departments)]
    plan.add(
        Department,
        [
            {
                "id": department_ids[i],
                "university": f"National University No. {i + 1}",
                "name": "Department of Philosophy",
                "city": f"City {i + 1}",
                "is_active": True,
                "version_id": 1,
            }
            for i in range(n_departments)
        ],
    )
    facility_department = [department_ids[i % n_departments] for i in range(n_facilities)]

    # People with accounts: the demo roles (scoped to the first facility and department) and facilitators.
    password_hash = hash_password(DEMO_PASSWORD)  # one hash: every synthetic account shares it
    users = []

    def user(email, role, name, facility_id=None, department_id=None) -> int:
        user_id = ids.take(User)
        users.append(
            {
                "id": user_id,
                "email": email,
                "full_name": name,
                "role": role,
                "facility_id": facility_id,
                "department_id": department_id,
                "password_hash": password_hash,
                "is_active_account": True,
                "must_change_password": False,
                "session_version": 1,
                "recovery_code_hashes": [],
                "version_id": 1,
            }
        )
        return user_id

    user("admin@demo.kz", "admin", "Айгерім Сейітова")
    user("coordinator@demo.kz", "coordinator", "Данияр Ахметов", department_id=department_ids[0])
    officer_id = user("officer@demo.kz", "officer", "Ерлан Жұмабаев", facility_id=facilities[0]["id"])
    user("evaluator@demo.kz", "evaluator", "Сауле Нұрланқызы")
    team: dict[int, list[int]] = {d: [] for d in department_ids}
    for index in range(n_facilitators):
        department_id = department_ids[index % n_departments]
        email = "facilitator@demo.kz" if index == 0 else f"facilitator{index:03d}@national.example"
        name = f"{FIRST_NAMES[index % 10]} {SURNAMES[index % 9]}" if index else "Мадина Қасымова"
        team[department_id].append(user(email, "facilitator", name, department_id=department_id))
    plan.add(User, users)
    facilitator_ids = [uid for members in team.values() for uid in members]
    plan.add(
        FacilitatorProfile,
        [
            {
                "id": ids.take(FacilitatorProfile),
                "user_id": uid,
                "languages": ["kk", "ru"],
                "training_date": date(2019, 9, 1),
                "max_sessions_per_week": 4,
                "version_id": 1,
            }
            for uid in facilitator_ids
        ],
    )
    passes = []
    for department_id, members in team.items():
        for facility in facilities:
            if facility_department[facility["id"] - first_facility] != department_id:
                continue
            for uid in members:
                passes.append(
                    {
                        "id": ids.take(AccessPass),
                        "user_id": uid,
                        "facility_id": facility["id"],
                        "number": f"P-{uid}-{facility['id']}",
                        "valid_from": date(2019, 1, 1),
                        "valid_until": date(2027, 12, 31),
                    }
                )
    plan.add(AccessPass, passes)

    # Cohorts: spread over seven years; facility i works with department i % D.
    span = (LAST_START - FIRST_START).days
    offsets = np.sort(rng.integers(0, span, n_cohorts))
    cohorts, sessions, assignments = [], [], []
    cohort_rows = []  # (cohort id, facility id, status, held session ids, start date)
    # Days each facilitator already meets a cohort (all meet on Tuesdays at 10:00): the database
    # refuses a facilitator on two overlapping sessions, so staff go only where they are free.
    booked: dict[int, set[date]] = {uid: set() for uid in facilitator_ids}
    register_start = AS_OF - timedelta(days=35)
    register_start += timedelta(days=(1 - register_start.weekday()) % 7)
    booked[facilitator_ids[0]] |= _meeting_days(register_start)  # the demo facilitator leads it
    first_cohort = ids.take(Cohort, n_cohorts + 1)
    for index in range(n_cohorts + 1):
        if index < n_cohorts:
            facility_index = int(rng.integers(0, n_facilities))
            start = FIRST_START + timedelta(days=int(offsets[index]))
            size = int(rng.integers(10, 17))
            name = f"Топ {index + 1}"
        else:  # the register benchmark's cohort: 40 people, running now, at the officer's facility
            facility_index, start, size, name = 0, AS_OF - timedelta(days=35), REGISTER_SIZE, "Bench — 40"
        start += timedelta(days=(1 - start.weekday()) % 7)  # cohorts meet on Tuesdays
        department_id = facility_department[facility_index]
        end = start + timedelta(weeks=9)
        status = "completed" if end < AS_OF else ("running" if start <= AS_OF else "planned")
        cohort_id = first_cohort + index
        cohorts.append(
            {
                "id": cohort_id,
                "name": name,
                "facility_id": first_facility + facility_index,
                "department_id": department_id,
                "curriculum_version_id": department_id,  # replaced by the starter version in load()
                "language": ("kk", "ru")[index % 2],
                "capacity": max(size, 12),
                "room": "Library",
                "start_date": start,
                "weekdays": [2],
                "start_time": time(10, 0),
                "duration_minutes": 120,
                "status": status,
                "version_id": 1,
            }
        )
        members = team[department_id]
        days = _meeting_days(start)
        if index == n_cohorts:
            free = [facilitator_ids[0]] + _free_members(members, index, days, booked, facilitator_ids[0])
        else:
            free = _free_members(members, index, days, booked)
        staff = free[:2]
        for uid in staff:
            booked[uid] |= days
        first_session = ids.take(ProgrammeSession, 10)
        held = []
        for sequence in range(1, 11):
            day = start + timedelta(weeks=sequence - 1)
            session_id = first_session + sequence - 1
            if day < AS_OF:
                state = "cancelled" if rng.random() < 0.03 else "held"
            else:
                state = "scheduled"
            if state == "held":
                held.append(session_id)
            starts_at = _local(day, time(10, 0))
            sessions.append(
                {
                    "id": session_id,
                    "cohort_id": cohort_id,
                    "plan_id": sequence,  # a position: mapped to the plan's id in load()
                    "sequence": sequence,
                    "starts_at": starts_at,
                    "ends_at": starts_at + timedelta(minutes=120),
                    "room": "Library",
                    "status": state,
                    "cancel_reason": "lockdown" if state == "cancelled" else "",
                    "version_id": 1,
                }
            )
            for role, uid in zip(("lead", "co"), staff, strict=False):
                assignments.append(
                    {
                        "id": ids.take(SessionAssignment),
                        "session_id": session_id,
                        "user_id": uid,
                        "role": role,
                    }
                )
        cohort_rows.append((cohort_id, first_facility + facility_index, status, held, start, size))
    plan.add(Cohort, cohorts)
    plan.add(ProgrammeSession, sessions)
    plan.add(SessionAssignment, assignments)

    # People: cohort members (a few enrol twice) and a comparison group; consent for everyone.
    participants, consents, enrolments, marks = [], [], [], []
    people_of_cohort: list[list[int]] = []
    pool: dict[int, dict[int, date]] = {}  # facility -> {participant: end of a cohort completed}
    motivation: dict[int, float] = {}
    completer: dict[int, bool] = {}
    ordinal = 0

    def person(facility_id: int, start: date, is_comparison: bool) -> int:
        nonlocal ordinal
        ordinal += 1
        pid = ids.take(Participant)
        sentence_start = start - timedelta(days=int(rng.integers(200, 2000)))
        participants.append(
            {
                "id": pid,
                "study_code": f"N{ordinal:07d}",
                "facility_id": facility_id,
                "full_name": f"{SURNAMES[ordinal % 9]} {FIRST_NAMES[(ordinal // 9) % 10]} {ordinal}",
                "facility_number": f"{ordinal:07d}",
                "birth_year": int(rng.integers(1960, 2004)),
                "gender": "female" if rng.random() < 0.08 else "male",
                "languages": ["kk", "ru"] if rng.random() < 0.5 else ["ru"],
                "education_level": EDUCATION[int(rng.integers(0, 6))],
                "offence_category": OFFENCES[int(rng.integers(0, 6))],
                "is_repeat_conviction": bool(rng.random() < 0.4),
                "sentence_start": sentence_start,
                "expected_release": start + timedelta(days=int(rng.integers(60, 1500))),
                "notes": "",
                "is_comparison": is_comparison,
                "version_id": 1,
            }
        )
        consents.append(
            {
                "id": ids.take(Consent),
                "participant_id": pid,
                "consented_on": start - timedelta(days=14),
                "form_version": "2024-1",
            }
        )
        motivation[pid] = float(rng.normal(0, 1))
        return pid

    for cohort_id, facility_id, status, held, start, size in cohort_rows:
        finished = [pid for pid, ended in pool.get(facility_id, {}).items() if ended < start]
        members = [pid for pid in finished if rng.random() < 0.02][:2]
        while len(members) < size:
            members.append(person(facility_id, start, False))
        people_of_cohort.append(members)
        for pid in members:
            withdraws = status != "planned" and rng.random() < 0.07
            leave_after = int(rng.integers(1, max(2, len(held)))) if withdraws and held else len(held)
            rate_base = 0.85 + 0.08 * motivation[pid]
            attended = 0
            for position, session_id in enumerate(held[:leave_after]):
                draw = rng.random()
                if draw < rate_base:
                    state, reason = ("late" if draw > rate_base - 0.03 else "present"), None
                    attended += 1
                elif draw < rate_base + 0.05:
                    state, reason = "excused", ("court", "medical", "visit")[position % 3]
                    attended += 1
                else:
                    state, reason = "absent", ("lockdown", "refused", "other")[position % 3]
                marks.append(
                    {
                        "id": ids.take(AttendanceMark),
                        "session_id": session_id,
                        "participant_id": pid,
                        "status": state,
                        "reason": reason,
                        "note": "",
                        "version_id": 1,
                    }
                )
            rate = attended / len(held) if held else None
            if withdraws:
                enrolment_status = "withdrawn"
            elif status == "completed":
                enrolment_status = "completed" if (rate or 0) >= 0.75 else "withdrawn"
            else:
                enrolment_status = "enrolled"
            completer[pid] = enrolment_status == "completed"
            if completer[pid]:
                pool.setdefault(facility_id, {})[pid] = start + timedelta(weeks=10)
            left = enrolment_status == "withdrawn"
            enrolments.append(
                {
                    "id": ids.take(Enrolment),
                    "participant_id": pid,
                    "cohort_id": cohort_id,
                    "status": enrolment_status,
                    "enrolled_on": start - timedelta(days=7),
                    "withdrawn_on": start + timedelta(weeks=max(leave_after, 1)) if left else None,
                    "withdrawal_reason": ("voluntary", "transferred", "released")[pid % 3] if left else None,
                    "final_attendance_rate": rate if status == "completed" else None,
                    "completed_at": _local(start + timedelta(weeks=9), time(12, 0))
                    if completer[pid]
                    else None,
                    "version_id": 1,
                }
            )
    comparison = []
    for index in range(n_comparison):
        _cohort, facility_id, *_rest, start, _size = cohort_rows[index % len(cohort_rows)]
        comparison.append(person(facility_id, start, True))
    plan.add(Participant, participants)
    plan.add(Consent, consents)
    plan.add(Enrolment, enrolments)
    plan.add(AttendanceMark, marks)

    # Questionnaires: REFLECT before and after each cohort (and a follow-up for older ones).
    reflect_id, reflect_items = _instrument(plan, ids, "reflection.json")
    _instrument(plan, ids, "resocialisation_survey.json")
    administrations, respondents = [], []  # (administration id, participant, timepoint, date)
    enrolled = {(e["cohort_id"], e["participant_id"]): e["status"] for e in enrolments}
    for (cohort_id, _facility, status, _held, start, _size), members in zip(
        cohort_rows, people_of_cohort, strict=True
    ):
        if status == "planned":
            continue
        points = [("pre", start)]
        if status == "completed":
            points.append(("post", start + timedelta(weeks=10)))
            if start + timedelta(weeks=36) < AS_OF and rng.random() < 0.35:
                points.append(("followup_1", start + timedelta(weeks=36)))
        for timepoint, day in points:
            administration_id = ids.take(Administration)
            administrations.append(
                {
                    "id": administration_id,
                    "cohort_id": cohort_id,
                    "instrument_id": reflect_id,
                    "timepoint": timepoint,
                    "opens_on": day - timedelta(days=7),
                    "closes_on": day + timedelta(days=14),
                    "requires_double_entry": False,
                    "version_id": 1,
                }
            )
            for pid in members:
                if timepoint != "pre" and enrolled[(cohort_id, pid)] != "completed":
                    continue
                if rng.random() < (0.97 if timepoint != "followup_1" else 0.8):
                    respondents.append((administration_id, pid, timepoint, day))
    plan.add(Administration, administrations)

    count = len(respondents)
    n_items = len(reflect_items)
    reverse = np.array([item["is_reverse"] for item in reflect_items])
    base = rng.normal(3.0, 0.55, count)
    gain = np.array(
        [
            (0.0 if tp == "pre" else (0.35 if tp == "post" else 0.25)) + 0.1 * motivation[pid]
            for _a, pid, tp, _d in respondents
        ]
    )
    latent = base + gain + np.array([0.15 * motivation[pid] for _a, pid, _t, _d in respondents])
    intended = np.clip(np.rint(latent[:, None] + rng.normal(0, 0.8, (count, n_items))), 1, 5)
    values = np.where(reverse[None, :], 6 - intended, intended)
    values[rng.random((count, n_items)) < 0.025] = np.nan
    groups: dict[str, list[int]] = {}
    for column, item in enumerate(reflect_items):
        groups.setdefault(item["subscale_code"], []).append(column)
    groups[TOTAL_CODE] = list(range(n_items))
    scored = score_matrix(values, reverse, 1, 5, groups)
    first_response = ids.take(Response, count)
    first_answer = ids.take(Answer, count * n_items)
    first_score = ids.take(ResponseScore, count * len(groups))
    first_values = ids.take(ResponseValues, count)
    responses, answers, scores, item_values = [], [], [], []
    for row, (administration_id, pid, _timepoint, day) in enumerate(respondents):
        response_id = first_response + row
        responses.append(
            {
                "id": response_id,
                "administration_id": administration_id,
                "participant_id": pid,
                "status": "complete",
                "mode": "paper",
                "language": "ru",
                "answered_on": day,
                "entered_by_id": officer_id,
                "completed_at": _local(day, time(12, 0)),
                "version_id": 1,
            }
        )
        by_code = {}
        for column, item in enumerate(reflect_items):
            value = values[row, column]
            missing = bool(np.isnan(value))
            by_code[item["code"]] = None if missing else float(value)
            answers.append(
                {
                    "id": first_answer + row * n_items + column,
                    "response_id": response_id,
                    "item_id": item["id"],
                    "entry": 1,
                    "value_number": None if missing else float(value),
                    "missing_code": "missing" if missing else None,
                }
            )
        for position, (code, (means, answered)) in enumerate(scored.items()):
            mean = means[row]
            scores.append(
                {
                    "id": first_score + row * len(groups) + position,
                    "response_id": response_id,
                    "subscale_code": code,
                    "score": None if np.isnan(mean) else round(float(mean), 4),
                    "answered_count": int(answered[row]),
                    "item_count": len(groups[code]),
                    "scoring_version": 1,
                }
            )
        # The same rounded scores as the ResponseScore rows just written.
        by_scale = {entry["subscale_code"]: entry["score"] for entry in scores[-len(groups) :]}
        item_values.append(
            {"id": first_values + row, "response_id": response_id, **ResponseValues.encode(by_code, by_scale)}
        )
    plan.add(Response, responses)
    plan.add(Answer, answers)
    plan.add(ResponseScore, scores)
    plan.add(ResponseValues, item_values)

    # Releases and follow-up checks at 6 and 12 months; completers reoffend less.
    released = [p for p in participants if p["expected_release"] < AS_OF - timedelta(days=60)]
    share = min(1.0, 8000 * fraction / max(1, len(released)))
    releases, checks = [], []
    for row in released:
        if rng.random() >= share:
            continue
        pid = row["id"]
        released_on = row["expected_release"]
        releases.append(
            {
                "id": ids.take(Release),
                "participant_id": pid,
                "released_on": released_on,
                "release_type": ("end_of_sentence", "conditional_early", "probation")[pid % 3],
                "probation_region": REGION_CODES[pid % len(REGION_CODES)],
                "recorded_by_id": officer_id,
                "version_id": 1,
            }
        )
        chance = 0.08 if completer.get(pid) else (0.15 if not row["is_comparison"] else 0.17)
        reoffended = False
        for months in (6, 12):
            due = released_on + timedelta(days=round(months * 30.44))
            done = due < AS_OF and not reoffended and rng.random() < 0.92
            outcome = None
            if done:
                reoffended = rng.random() < chance
                outcome = "reconvicted" if reoffended else "no_new_conviction"
            offence = due - timedelta(days=int(rng.integers(10, 150))) if reoffended and done else None
            checks.append(
                {
                    "id": ids.take(FollowUpCheck),
                    "participant_id": pid,
                    "months_after_release": months,
                    "due_on": due,
                    "checked_on": due + timedelta(days=5) if done else None,
                    "source": "probation" if done else None,
                    "outcome": outcome,
                    "offence_date": offence,
                    "conviction_date": offence + timedelta(days=60) if offence else None,
                    "offence_category": OFFENCES[pid % 6] if offence else None,
                    "is_custodial": bool(pid % 2) if offence else None,
                    "notes": "",
                    "recorded_by_id": officer_id if done else None,
                    "version_id": 1,
                }
            )
    plan.add(Release, releases)
    plan.add(FollowUpCheck, checks)
    plan.first_facility = first_facility
    plan.comparison = len(comparison)
    return plan


# --- writing: one committed transaction per batch, so an interrupted load can resume ------------

STARTED, FINISHED = "national_load_started", "national_load_finished"
# Written through the ORM (the starter curricula): their ids come from the sequences on PostgreSQL.
ORM_WRITTEN = (Curriculum, CurriculumVersion, CurriculumText, SessionPlan, SessionPlanText)


def interrupted_load() -> dict | None:
    """The marker of a national load that started and never finished (seed, fraction, first
    ids), or None."""
    last = db.session.execute(
        select(AuditEvent.action, AuditEvent.changes)
        .where(AuditEvent.action.in_((STARTED, FINISHED)))
        .order_by(AuditEvent.id.desc())
        .limit(1)
    ).first()
    return last.changes if last is not None and last.action == STARTED else None


def wipe() -> None:
    """Empty every table (the restart of an interrupted load, which only ever went into an
    empty database)."""
    tables = db.metadata.sorted_tables
    if db.engine.dialect.name == "postgresql":
        names = ", ".join(f'"{table.name}"' for table in tables)  # our own table names
        db.session.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
    else:
        for table in reversed(tables):
            db.session.execute(table.delete())
    db.session.commit()


def _insert_batch(table, rows: list[dict]) -> None:
    db.session.execute(insert(table), rows)
    db.session.commit()


def _rows_present(table, rows: list[dict]) -> int:
    """How many of these rows an earlier, interrupted run wrote. Batches are committed whole
    and in order, so they are the first ones."""
    if not rows:
        return 0
    ids = [row["id"] for row in rows]
    return db.session.execute(
        select(func.count()).select_from(table).where(table.c.id.between(min(ids), max(ids)))
    ).scalar_one()


def _bulk(model, rows: list[dict], advance: Callable[[int], None]) -> None:
    table = model.__table__
    keys = {column.key: column.name for column in table.columns}
    done = _rows_present(table, rows)
    advance(done)
    for start in range(done, len(rows), BATCH):
        chunk = rows[start : start + BATCH]
        _insert_batch(table, [{keys.get(k, k): v for k, v in row.items()} for row in chunk])
        advance(len(chunk))


def move_sequences(tables: Iterable, connection=None) -> None:
    """PostgreSQL: each id sequence continues after the table's largest id (1 when empty).

    For rows inserted with their ids given (bulk loads, copies). Takes tables or models."""
    if db.engine.dialect.name != "postgresql":
        return
    execute = (connection or db.session).execute
    for table in tables:
        name = getattr(table, "__tablename__", None) or table.name
        if "id" not in getattr(table, "__table__", table).c:
            continue
        # Table names come from our own models, never from input.
        statement = f"SELECT setval(pg_get_serial_sequence('{name}', 'id'), (SELECT COALESCE(MAX(id), 0) + 1 FROM {name}), false)"  # noqa: S608, E501  # nosec B608
        execute(text(statement))


def load(
    seed: int = 2026,
    fraction: float = 1.0,
    progressbar=None,
    *,
    resume: bool = False,
    restart: bool = False,
) -> dict[str, int]:
    """Generate and write the national dataset into an empty (migrated) database.

    Every batch of rows is committed on its own, after a marker that names the seed, the size and
    the first ids: an interrupted load is refused by a plain re-run, continued by `resume` (the
    same rows, from where it stopped) or wiped and done again by `restart`.
    `progressbar(length)` may give a context manager with `update(n)` (e.g. click.progressbar).
    """
    marker = interrupted_load()
    if restart:
        if marker is None and _holds_data():
            raise NationalDataExists(
                "the database holds data that is not an interrupted national load: restart refused"
            )
        wipe()
        marker = None
    if resume:
        if marker is None:
            raise NationalDataExists("there is no interrupted national load to resume")
        seed, fraction = marker["seed"], marker["fraction"]
    elif marker is not None:
        raise NationalDataExists(
            f"an interrupted national load (seed {marker['seed']}, fraction {marker['fraction']}) is in "
            "the database: --resume continues it, --restart wipes it and starts again"
        )
    elif _holds_data():
        raise NationalDataExists("the database already holds data; load national data into an empty one")
    plan = build(seed, fraction, bases=marker["bases"] if marker else None)
    if marker is None:
        record(STARTED, "national_data", None, {"seed": seed, "fraction": fraction, "bases": plan.bases})
        db.session.commit()
    if progressbar is None:
        return _write(plan, lambda _n: None)
    with progressbar(plan.total) as bar:
        return _write(plan, bar.update)


def _holds_data() -> bool:
    return db.session.execute(select(Facility.id).limit(1)).first() is not None


def _write(plan: Plan, advance: Callable[[int], None]) -> dict[str, int]:
    first_facility = plan.first_facility
    counts = plan.counts()
    organisations = (Facility, Department, User)
    for model in organisations:
        _bulk(model, plan.tables.pop(model), advance)
    # The starter curriculum per department, through the curriculum domain's own importer
    # (idempotent: a resumed load finds the ones already committed). The ids continue from the
    # tables' largest, as in a load that was never interrupted.
    move_sequences(ORM_WRITTEN)
    versions, plans = {}, {}
    for department_id in db.session.execute(select(Department.id).order_by(Department.id)).scalars():
        version = import_starter(department_id)
        db.session.flush()
        versions[department_id] = version.id
        plans[department_id] = dict(
            db.session.execute(
                select(SessionPlan.position, SessionPlan.id).where(
                    SessionPlan.curriculum_version_id == version.id
                )
            ).all()
        )
    db.session.commit()
    cohort_department = {}
    for row in plan.tables[Cohort]:
        row["curriculum_version_id"] = versions[row["department_id"]]
        cohort_department[row["id"]] = row["department_id"]
    for row in plan.tables[ProgrammeSession]:
        by_position = plans[cohort_department[row["cohort_id"]]]
        row["plan_id"] = by_position.get(row["plan_id"]) or by_position.get(min(by_position), None)
    for model, rows in plan.tables.items():
        _bulk(model, rows, advance)
    move_sequences([*organisations, *plan.tables])
    record(FINISHED, "national_data", None, {"rows": plan.total})
    db.session.commit()
    # Fresh statistics for the planner (SQLite samples; see programme.core.database).
    db.session.execute(text("ANALYZE"))
    db.session.commit()
    counts["comparison_people"] = plan.comparison
    counts["first_facility_id"] = first_facility
    return counts
