"""The demo seeder: with the demo cohorts made by factories it releases their people, records
checks, registers a comparison group; it is idempotent and does nothing without facilities."""

from __future__ import annotations

from datetime import date

from sqlalchemy import func, select

from programme.core.demo_plan import DEMO_COHORTS
from programme.followup.demo import seed_followup
from programme.followup.measures import survival_summary
from programme.followup.models import FollowUpCheck, Release
from programme.participants.models import Participant


def test_seeder_does_nothing_without_the_demo_facilities(db):
    assert seed_followup() == []


def test_seeder_builds_releases_checks_and_a_comparison_group(
    app, db, make_facility, make_participant, make_cohort, make_enrolment
):
    facilities = {code: make_facility(code=code) for code in ("ALA-02", "KRG-01", "TRK-05")}
    for plan in DEMO_COHORTS:
        if plan.status != "completed":
            continue
        cohort = make_cohort(
            facility_id=facilities[plan.facility_code].id,
            name=plan.name,
            status="completed",
            start_date=plan.start_date,
        )
        for index in range(plan.participants):
            person = make_participant(
                facility_id=cohort.facility_id, birth_year=1975 + index * 2, expected_release=plan.start_date
            )
            make_enrolment(
                person,
                cohort,
                status="completed" if index % 3 else "withdrawn",
                final_attendance_rate=0.9 if index % 3 else 0.3,
            )
    lines = seed_followup()
    assert lines and "comparison people" in lines[0]
    comparison = db.session.execute(
        select(func.count()).where(Participant.is_comparison.is_(True))
    ).scalar_one()
    assert comparison == 20
    releases = db.session.execute(select(func.count(Release.id))).scalar_one()
    assert releases == 3 * 9 + 17  # three quarters of each cohort, and the comparison people already out
    recorded = db.session.execute(
        select(func.count(FollowUpCheck.id)).where(FollowUpCheck.checked_on.is_not(None))
    ).scalar_one()
    assert recorded > 40
    almaty = (
        db.session.execute(
            select(Release.released_on)
            .join(Participant)
            .where(Participant.facility_id == facilities["ALA-02"].id, Participant.is_comparison.is_(False))
        )
        .scalars()
        .all()
    )
    assert all(date(2025, 1, 1) <= day <= date(2025, 12, 31) for day in almaty)
    summary = survival_summary({"analysis_date": "2026-11-27"})
    assert summary.rate.overall.n >= 9  # the Almaty people's 18-month window has passed
    assert all(curve.n >= 5 for curve in summary.curves)

    assert seed_followup() == []  # idempotent
    assert db.session.execute(select(func.count(Release.id))).scalar_one() == releases
