"""Demo scheduling: the cohorts of core.demo_plan with their sessions, four facilitators with
profiles, passes and availability, staffed sessions, the Karaganda lockdown and a few logs.

Runs after the curriculum seeder (order 40); finds facilities, departments and accounts by their
natural keys and does nothing when they are missing. Idempotent: existing cohorts are left alone.
"""

from __future__ import annotations

import secrets
from datetime import UTC, date, datetime, time

from sqlalchemy import select

from programme.auth.demo import DEMO_PASSWORD
from programme.auth.models import User
from programme.auth.services import create_user
from programme.core.demo_plan import DEMO_COHORTS, DEMO_LOCKDOWN, DEMO_PASS_UNTIL
from programme.core.services import unit_of_work
from programme.curriculum.starter import import_starter
from programme.extensions import db
from programme.facilities.models import Department, Facility
from programme.scheduling.models import (
    AccessPass,
    AvailabilitySlot,
    Cohort,
    FacilitatorProfile,
    FacilityClosure,
    ProgrammeSession,
    SessionAssignment,
    SessionLog,
)
from programme.scheduling.services.generation import plan_sessions
from programme.scheduling.services.scope import as_utc, local_day_bounds

# (email, name, department index, languages, training date)
DEMO_FACILITATORS = (
    ("facilitator@demo.kz", None, 0, ["kk", "ru", "en"], date(2024, 9, 15)),
    ("facilitator2@demo.kz", "Әлия Төлеуова", 0, ["kk", "ru"], date(2024, 9, 15)),
    ("facilitator3@demo.kz", "Тимур Ибраев", 1, ["ru", "kk"], date(2025, 2, 1)),
    ("facilitator4@demo.kz", "Жанар Сәрсенова", 1, ["kk", "ru"], date(2025, 2, 1)),
)
# Who staffs each demo cohort: department 0 and department 1 teams (lead, co).
TEAMS = {
    0: ("facilitator@demo.kz", "facilitator2@demo.kz"),
    1: ("facilitator3@demo.kz", "facilitator4@demo.kz"),
}
PASSES_FROM = date(2025, 1, 1)
LOG_QUESTIONS = (
    ("Is a ship that has had every plank replaced still the same ship?", "identity, change, memory", 4),
    ("Can a person who did wrong become a different person?", "identity, responsibility, change", 5),
    ("Would you keep the ring of Gyges?", "justice, being watched, character", 4),
)


def _facilitators(departments: list[int]) -> dict[str, User]:
    users = {u.email: u for u in db.session.execute(select(User).where(User.role == "facilitator")).scalars()}
    for email, name, department_index, _languages, _trained in DEMO_FACILITATORS:
        if email not in users and name is not None and department_index < len(departments):
            users[email] = create_user(
                email=email,
                full_name=name,
                role="facilitator",
                password=DEMO_PASSWORD,
                department_id=departments[department_index],
                locale=None,
                must_change_password=False,
            )
    return users


def _profiles(users: dict[str, User], facility_ids: list[int]) -> int:
    created = 0
    with unit_of_work():
        for email, _name, _department, languages, trained in DEMO_FACILITATORS:
            user = users.get(email)
            if user is None:
                continue
            exists = db.session.execute(
                select(FacilitatorProfile.id).where(FacilitatorProfile.user_id == user.id)
            ).first()
            if exists:
                continue
            created += 1
            db.session.add(
                FacilitatorProfile(
                    user_id=user.id,
                    languages=languages,
                    training_date=trained,
                    max_sessions_per_week=3,
                    calendar_token=secrets.token_urlsafe(32),
                )
            )
            for n, facility_id in enumerate(facility_ids, start=1):
                db.session.add(
                    AccessPass(
                        user_id=user.id,
                        facility_id=facility_id,
                        number=f"KUIS-{user.id:03d}-{n:02d}",
                        valid_from=PASSES_FROM,
                        valid_until=DEMO_PASS_UNTIL,
                    )
                )
            for weekday in (2, 3, 4):
                db.session.add(
                    AvailabilitySlot(user_id=user.id, weekday=weekday, start_time=time(9), end_time=time(18))
                )
    return created


def _cohort(plan, facility: Facility, department_id: int, now: datetime) -> Cohort:
    version = import_starter(department_id)
    cohort = Cohort(
        name=plan.name,
        facility_id=facility.id,
        department_id=department_id,
        curriculum_version_id=version.id,
        language=plan.language,
        capacity=15,
        room="Кітапхана / Библиотека",
        start_date=plan.start_date,
        weekdays=list(plan.weekdays),
        start_time=plan.start_time,
        duration_minutes=120,
        status=plan.status,
    )
    db.session.add(cohort)
    db.session.flush()
    for planned in plan_sessions(cohort).sessions:
        held = plan.status == "completed" or (plan.status == "running" and planned.ends_at <= now)
        db.session.add(
            ProgrammeSession(
                cohort_id=cohort.id,
                plan_id=planned.plan_id,
                sequence=planned.sequence,
                starts_at=planned.starts_at,
                ends_at=planned.ends_at,
                room=cohort.room,
                status="held" if held else "scheduled",
            )
        )
    db.session.flush()
    return cohort


def seed_scheduling(now: datetime | None = None) -> list[str]:
    now = now or datetime.now(UTC)
    facilities = {f.code: f for f in db.session.execute(select(Facility)).scalars()}
    departments = list(db.session.execute(select(Department.id).order_by(Department.id)).scalars())
    if not facilities or not departments:
        return []
    users = _facilitators(departments)
    profiles = _profiles(users, sorted(f.id for f in facilities.values()))
    existing = set(db.session.execute(select(Cohort.name)).scalars())
    created: list[Cohort] = []
    lockdown = 0
    with unit_of_work():
        for plan in DEMO_COHORTS:
            facility = facilities.get(plan.facility_code)
            if plan.name in existing or facility is None or plan.department_index >= len(departments):
                continue
            cohort = _cohort(plan, facility, departments[plan.department_index], now)
            created.append(cohort)
            lockdown += _apply_lockdown(cohort, facility)
            lead, co = (users.get(email) for email in TEAMS[plan.department_index])
            if plan.status == "planned":
                # Planned: staffed with a lead; the co-facilitator is still to be found.
                lead, co = co, None
            for session in cohort.sessions:
                for role, user in (("lead", lead), ("co", co)):
                    if user is not None:
                        db.session.add(SessionAssignment(session_id=session.id, user_id=user.id, role=role))
            held = [s for s in cohort.sessions if s.status == "held"]
            for session, (question, themes, engagement) in zip(held[-3:], LOG_QUESTIONS, strict=False):
                db.session.add(
                    SessionLog(
                        session_id=session.id,
                        author_id=lead.id if lead else None,
                        chosen_question=question,
                        themes=themes,
                        engagement=engagement,
                        incidents="",
                        reflection="The group built on each other's reasons; two quieter members spoke.",
                    )
                )
    lines = []
    if profiles:
        lines.append(f"scheduling: {profiles} facilitator profile(s) with passes and availability")
    if created:
        lines.append(
            f"scheduling: {len(created)} cohort(s) with sessions; lockdown cancelled {lockdown} session(s)"
        )
    return lines


def _apply_lockdown(cohort: Cohort, facility: Facility) -> int:
    """The demo lockdown day at its facility: a closure row and that day's session cancelled."""
    code, day, reason = DEMO_LOCKDOWN
    if facility.code != code:
        return 0
    lower, upper = local_day_bounds(day, day, facility.timezone)
    cancelled = 0
    for session in cohort.sessions:
        if lower <= as_utc(session.starts_at) < upper:
            session.status = "cancelled"
            session.cancel_reason = reason
            cancelled += 1
    if cancelled:
        db.session.add(FacilityClosure(facility_id=facility.id, start_date=day, end_date=day, reason=reason))
    return cancelled


def has_scheduling() -> bool:
    return db.session.execute(select(Cohort.id).limit(1)).first() is not None
