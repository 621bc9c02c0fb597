"""Factories for cohorts and their sessions (owned by scheduling; used by later domains' tests)."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

import pytest

from programme.scheduling.models import Cohort, ProgrammeSession

_counter = iter(range(1, 10**6))


@pytest.fixture
def make_cohort(db, make_facility, make_curriculum_version):
    """A cohort at a facility (new one unless given), running a published curriculum version."""

    def factory(facility_id: int | None = None, department_id: int | None = None, **values) -> Cohort:
        if department_id is None or values.get("curriculum_version_id") is None:
            version = make_curriculum_version(department_id=department_id)
            department_id = version.curriculum.department_id
            values.setdefault("curriculum_version_id", version.id)
        n = next(_counter)
        defaults = dict(
            name=f"Cohort {n}",
            language="ru",
            capacity=12,
            room="Library",
            start_date=date(2026, 10, 6),
            weekdays=[2],
            start_time=time(14, 0),
            duration_minutes=120,
            status="running",
        )
        cohort = Cohort(
            facility_id=facility_id or make_facility().id,
            department_id=department_id,
            **{**defaults, **values},
        )
        db.session.add(cohort)
        db.session.commit()
        return cohort

    return factory


@pytest.fixture
def make_session(db):
    """A session of a cohort; `starts_at` in UTC (default: weekly from the cohort's start date)."""

    def factory(
        cohort: Cohort, sequence: int = 1, starts_at: datetime | None = None, **values
    ) -> ProgrammeSession:
        if starts_at is None:
            first = datetime.combine(cohort.start_date, cohort.start_time, tzinfo=UTC) - timedelta(hours=5)
            starts_at = first + timedelta(weeks=sequence - 1)
        plans = cohort.curriculum_version.plans
        plan_id = plans[sequence - 1].id if len(plans) >= sequence else None
        session = ProgrammeSession(
            cohort_id=cohort.id,
            sequence=sequence,
            starts_at=starts_at,
            ends_at=starts_at + timedelta(minutes=cohort.duration_minutes),
            room=cohort.room,
            plan_id=plan_id,
            **{"status": "scheduled", **values},
        )
        db.session.add(session)
        db.session.commit()
        return session

    return factory


@pytest.fixture
def make_facilitator(db, make_user):
    """An active facilitator with a profile, weekly availability (Mon-Sun 08-20) and, unless
    `pass_facilities=[]`, an access pass per given facility valid through 2027."""
    from programme.scheduling.models import AccessPass, AvailabilitySlot, FacilitatorProfile

    def factory(
        department_id: int,
        pass_facilities=(),
        languages=("kk", "ru"),
        max_sessions_per_week: int = 3,
        valid_from: date = date(2025, 1, 1),
        valid_until: date = date(2027, 12, 31),
        **values,
    ):
        user = make_user("facilitator", department_id=department_id, **values)
        db.session.add(
            FacilitatorProfile(
                user_id=user.id, languages=list(languages), max_sessions_per_week=max_sessions_per_week
            )
        )
        for weekday in range(1, 8):
            db.session.add(
                AvailabilitySlot(user_id=user.id, weekday=weekday, start_time=time(8), end_time=time(20))
            )
        for facility_id in pass_facilities:
            db.session.add(
                AccessPass(
                    user_id=user.id,
                    facility_id=facility_id,
                    number=f"P-{user.id}-{facility_id}",
                    valid_from=valid_from,
                    valid_until=valid_until,
                )
            )
        db.session.commit()
        return user

    return factory


@pytest.fixture
def assign(db):
    """assign(session, user, role="lead"): a SessionAssignment without checks (test set-up)."""
    from programme.scheduling.models import SessionAssignment

    def factory(session, user, role: str = "lead"):
        assignment = SessionAssignment(session_id=session.id, user_id=user.id, role=role)
        db.session.add(assignment)
        db.session.commit()
        return assignment

    return factory
