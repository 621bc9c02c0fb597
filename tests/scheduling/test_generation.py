"""Session generation from the weekly pattern (local time, holidays, closures), and changes."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

import pytest
from sqlalchemy import func, select

from programme.core.services import ValidationFailed
from programme.notifications.models import Notification
from programme.scheduling.models import FacilityClosure, ProgrammeSession
from programme.scheduling.services.generation import (
    cancel_session,
    generate_sessions,
    mark_held,
    move_session,
    public_holiday,
)
from programme.scheduling.services.scope import as_utc


def _count(db) -> int:
    return db.session.execute(select(func.count(ProgrammeSession.id))).scalar_one()


def test_kazakhstan_holidays_come_from_the_holidays_package():
    assert public_holiday(date(2026, 12, 16)) == "Independence Day"
    assert public_holiday(date(2027, 7, 6)) == "Capital Day"
    assert public_holiday(date(2027, 7, 7)) is None


def test_preview_saves_nothing_and_skips_a_public_holiday(db, make_cohort):
    cohort = make_cohort(start_date=date(2027, 5, 4), weekdays=[2], start_time=time(10), status="planned")
    plan = generate_sessions(cohort, preview=True)
    days = [s.local_start.date() for s in plan.sessions]
    assert len(days) == 10 and days[0] == date(2027, 5, 4) and days[-1] == date(2027, 7, 13)
    assert date(2027, 7, 6) not in days
    assert [(s.day, s.reason) for s in plan.skipped] == [(date(2027, 7, 6), "Public holiday: Capital Day")]
    assert _count(db) == 0


def test_generation_saves_one_session_per_plan_in_utc(db, make_cohort):
    cohort = make_cohort(start_date=date(2027, 5, 4), weekdays=[2], start_time=time(10), status="planned")
    generate_sessions(cohort, preview=False)
    sessions = (
        db.session.execute(select(ProgrammeSession).order_by(ProgrammeSession.sequence)).scalars().all()
    )
    assert [s.sequence for s in sessions] == list(range(1, 11))
    assert [s.plan_id for s in sessions] == [p.id for p in cohort.curriculum_version.plans]
    # 10:00 in Almaty (UTC+5) is 05:00 UTC; two hours long.
    assert as_utc(sessions[0].starts_at) == datetime(2027, 5, 4, 5, 0, tzinfo=UTC)
    assert as_utc(sessions[0].ends_at) - as_utc(sessions[0].starts_at) == timedelta(minutes=120)
    with pytest.raises(ValidationFailed):
        generate_sessions(cohort, preview=False)
    assert _count(db) == 10


def test_generation_uses_the_facilitys_time_zone(db, make_facility, make_cohort):
    facility = make_facility(timezone="Asia/Oral")  # UTC+5 as well; Europe/Moscow is +3
    moscow = make_facility(timezone="Europe/Moscow")
    a = make_cohort(facility_id=facility.id, start_date=date(2027, 5, 4), start_time=time(10))
    b = make_cohort(facility_id=moscow.id, start_date=date(2027, 5, 4), start_time=time(10))
    assert generate_sessions(a).sessions[0].starts_at == datetime(2027, 5, 4, 5, tzinfo=UTC)
    assert generate_sessions(b).sessions[0].starts_at == datetime(2027, 5, 4, 7, tzinfo=UTC)


def test_generation_skips_the_facilitys_closures_and_uses_every_weekday(db, make_cohort):
    cohort = make_cohort(start_date=date(2027, 4, 5), weekdays=[2, 4], start_time=time(10))
    db.session.add(
        FacilityClosure(
            facility_id=cohort.facility_id,
            start_date=date(2027, 4, 8),
            end_date=date(2027, 4, 13),
            reason="Quarantine",
        )
    )
    db.session.commit()
    plan = generate_sessions(cohort)
    days = [s.local_start.date() for s in plan.sessions]
    assert days[:3] == [date(2027, 4, 6), date(2027, 4, 15), date(2027, 4, 20)]
    assert [s.day for s in plan.skipped][:2] == [date(2027, 4, 8), date(2027, 4, 13)]
    assert plan.skipped[0].reason == "Facility closed: Quarantine"


def test_a_completed_cohort_gets_no_sessions(make_cohort):
    with pytest.raises(ValidationFailed):
        generate_sessions(make_cohort(status="completed"))


@pytest.fixture
def weekly(db, make_cohort, make_session):
    cohort = make_cohort(start_date=date(2027, 5, 4), start_time=time(10))
    return [make_session(cohort, sequence=n) for n in range(1, 5)]


def test_moving_a_session_alone_keeps_the_others(db, weekly):
    moved = move_session(weekly[1], date(2027, 5, 12), time(15))
    assert [s.id for s in moved] == [weekly[1].id]
    assert as_utc(weekly[1].starts_at) == datetime(2027, 5, 12, 10, tzinfo=UTC)
    assert weekly[1].status == "moved" and weekly[2].status == "scheduled"


def test_moving_with_shift_moves_the_following_by_the_same_time(db, weekly, make_user, assign):
    facilitator = make_user("facilitator", department_id=weekly[0].cohort.department_id)
    assign(weekly[3], facilitator)
    before = [as_utc(s.starts_at) for s in weekly]
    move_session(weekly[1], date(2027, 5, 18), time(10), shift_following=True)
    db.session.expire_all()
    after = [as_utc(s.starts_at) for s in weekly]
    assert after[0] == before[0]
    assert [a - b for a, b in zip(after[1:], before[1:], strict=True)] == [timedelta(days=7)] * 3
    assert (
        db.session.execute(
            select(Notification.kind).where(Notification.user_id == facilitator.id)
        ).scalar_one()
        == "session_moved"
    )


def test_moving_onto_a_closed_day_is_refused(db, weekly):
    db.session.add(
        FacilityClosure(
            facility_id=weekly[0].cohort.facility_id,
            start_date=date(2027, 5, 12),
            end_date=date(2027, 5, 12),
            reason="x",
        )
    )
    db.session.commit()
    with pytest.raises(ValidationFailed):
        move_session(weekly[1], date(2027, 5, 12), time(10))


def test_cancel_needs_a_reason_and_tells_the_facilitators(db, weekly, make_user, assign):
    facilitator = make_user("facilitator", department_id=weekly[0].cohort.department_id)
    assign(weekly[0], facilitator)
    with pytest.raises(ValidationFailed):
        cancel_session(weekly[0], "  ")
    cancel_session(weekly[0], "Court day")
    assert weekly[0].status == "cancelled" and weekly[0].cancel_reason == "Court day"
    note = db.session.execute(select(Notification).where(Notification.user_id == facilitator.id)).scalar_one()
    assert note.kind == "session_cancelled" and note.params["reason"] == "Court day"
    with pytest.raises(ValidationFailed):
        cancel_session(weekly[0], "again")


def test_a_session_is_held_only_once_it_has_started(db, weekly):
    start = as_utc(weekly[0].starts_at)
    with pytest.raises(ValidationFailed):
        mark_held(weekly[0], now=start - timedelta(minutes=1))
    mark_held(weekly[0], now=start)
    assert weekly[0].status == "held"
