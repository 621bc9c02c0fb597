"""Demo attendance: realistic marks for every past session of the demo cohorts.

Mostly present, some late, excused absences with reasons (court, medical, visit), a few plain
absences; in each running cohort one person has missed the last two sessions (the watch list).
Past sessions get their register and are held; completed cohorts get the completion rule.
"""

from __future__ import annotations

import random
import zlib
from datetime import UTC, datetime

from sqlalchemy import insert, select

from programme.attendance.completion import apply_completion
from programme.attendance.models import AttendanceMark
from programme.audit.services import record
from programme.core.demo_plan import DEMO_COHORTS
from programme.core.services import unit_of_work
from programme.extensions import db
from programme.participants.models import Enrolment
from programme.scheduling.models import Cohort

EXCUSE_REASONS = ("court", "medical", "visit", "medical", "court")


def _status(rng: random.Random) -> tuple[str, str | None]:
    roll = rng.random()
    if roll < 0.78:
        return "present", None
    if roll < 0.86:
        return "late", None
    if roll < 0.94:
        return "excused", rng.choice(EXCUSE_REASONS)
    return "absent", rng.choice(("refused", "other", None))


def _seed_cohort(cohort: Cohort, plan, now: datetime) -> int:
    sessions = [
        s
        for s in cohort.sessions
        if s.status in ("scheduled", "held")
        and (s.starts_at if s.starts_at.tzinfo else s.starts_at.replace(tzinfo=UTC)) <= now
    ]
    if not sessions:
        return 0
    marked = set(
        db.session.execute(
            select(AttendanceMark.session_id).where(AttendanceMark.session_id.in_([s.id for s in sessions]))
        ).scalars()
    )
    enrolments = (
        db.session.execute(
            select(Enrolment)
            .where(Enrolment.cohort_id == cohort.id, Enrolment.status != "waitlisted")
            .order_by(Enrolment.id)
        )
        .scalars()
        .all()
    )
    rng = random.Random(zlib.crc32(plan.name.encode()) + 55)  # noqa: S311 - repeatable demo data
    watched = enrolments[4].participant_id if plan.status == "running" and len(enrolments) > 4 else None
    rows = []
    for number, session in enumerate(sessions):
        if session.id in marked:
            continue
        session.status = "held"
        session_day = (
            session.starts_at if session.starts_at.tzinfo else session.starts_at.replace(tzinfo=UTC)
        ).date()
        for enrolment in enrolments:
            if (
                enrolment.status == "withdrawn"
                and enrolment.withdrawn_on
                and enrolment.withdrawn_on <= session_day
            ):
                continue
            status, reason = _status(rng)
            if enrolment.participant_id == watched:
                status, reason = ("absent", "refused") if number >= len(sessions) - 2 else ("present", None)
            rows.append(
                {
                    "session_id": session.id,
                    "participant_id": enrolment.participant_id,
                    "status": status,
                    "reason": reason,
                    "note": "",
                    "recorded_at": session.starts_at,
                    "version_id": 1,
                }
            )
    if rows:
        db.session.execute(insert(AttendanceMark.__table__), rows)
        record("take_register", "cohort", cohort.id, {"marks": len(rows)}, purpose="demo data")
    return len(rows)


def seed_attendance() -> list[str]:
    plans = {plan.name: plan for plan in DEMO_COHORTS if plan.participants}
    cohorts = db.session.execute(select(Cohort).where(Cohort.name.in_(list(plans)))).scalars().all()
    now = datetime.now(UTC)
    created = 0
    with unit_of_work():
        for cohort in cohorts:
            created += _seed_cohort(cohort, plans[cohort.name], now)
            db.session.flush()
            if cohort.status == "completed":
                apply_completion(cohort, commit=False)
    return [f"attendance: {created} marks created"] if created else []


def has_attendance() -> bool:
    return db.session.execute(select(AttendanceMark.id).limit(1)).first() is not None
