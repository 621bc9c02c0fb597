"""The participants and attendance seeders, on the demo cohorts."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import func, select

from programme.attendance.demo import seed_attendance
from programme.attendance.models import AttendanceMark
from programme.attendance.watch import watch_list
from programme.auth.models import User
from programme.participants.consent import questionnaire_consent_clause
from programme.participants.demo import seed_participants
from programme.participants.models import Consent, Enrolment, Participant
from programme.scheduling.models import ProgrammeSession


def seed(db):
    lines = seed_participants() + seed_attendance()
    db.session.commit()
    return lines


def test_without_cohorts_the_seeders_do_nothing(db, demo_data):
    assert seed_participants() == [] and seed_attendance() == []


def test_about_twelve_people_per_demo_cohort_with_consent_for_most(db, demo_cohorts):
    seed(db)
    per_cohort = dict(
        db.session.execute(
            select(Enrolment.cohort_id, func.count(Enrolment.id)).group_by(Enrolment.cohort_id)
        ).all()
    )
    with_people = [c for c in demo_cohorts if c.status != "planned"]
    assert all(per_cohort[c.id] == 12 for c in with_people)
    # The comparison group (follow-up seeder) is registered at facilities but enrolled nowhere.
    people = (
        db.session.execute(select(Participant).where(Participant.is_comparison.is_(False))).scalars().all()
    )
    assert all(
        p.facility_id == next(c.facility_id for c in demo_cohorts if c.id == p.enrolments[0].cohort_id)
        for p in people
    )
    consenting = db.session.execute(
        select(func.count(Participant.id)).where(
            questionnaire_consent_clause(), Participant.is_comparison.is_(False)
        )
    ).scalar_one()
    assert len(people) - 3 <= consenting < len(people)
    assert db.session.execute(select(Consent).where(Consent.withdrawal_choice == "exclude_data")).scalar_one()
    assert db.session.execute(select(Enrolment).where(Enrolment.status == "withdrawn")).scalar_one()


def test_past_sessions_get_marks_and_completed_cohorts_the_completion_rule(db, demo_cohorts):
    seed(db)
    now = datetime.now(UTC)
    past = [
        s
        for s in db.session.execute(select(ProgrammeSession)).scalars()
        if (s.starts_at if s.starts_at.tzinfo else s.starts_at.replace(tzinfo=UTC)) <= now
        and s.status != "cancelled"  # the demo lockdown day: not held, no register
    ]
    assert past and all(s.status == "held" for s in past)
    marked = set(db.session.execute(select(AttendanceMark.session_id)).scalars())
    assert marked == {s.id for s in past}
    completed = db.session.execute(
        select(func.count(Enrolment.id)).where(Enrolment.status == "completed")
    ).scalar_one()
    assert completed >= 25
    officer = db.session.execute(select(User).where(User.email == "officer@demo.kz")).scalar_one()
    assert watch_list(officer)["people"], "the running Karaganda cohort shows someone to watch"


def test_seeding_twice_changes_nothing(db, demo_cohorts):
    seed(db)
    counts = (
        db.session.execute(select(func.count(Participant.id))).scalar_one(),
        db.session.execute(select(func.count(AttendanceMark.id))).scalar_one(),
    )
    assert seed(db) == []
    assert counts == (
        db.session.execute(select(func.count(Participant.id))).scalar_one(),
        db.session.execute(select(func.count(AttendanceMark.id))).scalar_one(),
    )
