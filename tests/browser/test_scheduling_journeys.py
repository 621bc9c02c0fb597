"""A coordinator plans a cohort from the starter curriculum and staffs it (real Chromium)."""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from pathlib import Path

from sqlalchemy import select

from programme.auth.models import User
from programme.core.demo_plan import DEMO_PASS_UNTIL
from programme.curriculum.starter import find_starter_version
from programme.facilities.models import Facility
from programme.scheduling.models import Cohort, ProgrammeSession, SessionAssignment
from tests.browser.conftest import log_in

SCREENSHOTS = Path(__file__).parent / "screenshots"


def _booked_elsewhere(db, facilitator: User, day: date) -> None:
    """facilitator@demo.kz already runs a session at ALR-03 at the same hour on `day`."""
    facility = db.session.execute(select(Facility).where(Facility.code == "ALR-03")).scalar_one()
    version = find_starter_version(facilitator.department_id)
    cohort = Cohort(
        name="Elsewhere",
        facility_id=facility.id,
        department_id=facilitator.department_id,
        curriculum_version_id=version.id,
        language="ru",
        start_date=day,
        weekdays=[day.isoweekday()],
        start_time=time(10),
        status="planned",
    )
    db.session.add(cohort)
    db.session.flush()
    starts = datetime(day.year, day.month, day.day, 5, 0, tzinfo=UTC)  # 10:00 in Almaty
    session = ProgrammeSession(
        cohort_id=cohort.id, sequence=1, starts_at=starts, ends_at=starts.replace(hour=7)
    )
    db.session.add(session)
    db.session.flush()
    db.session.add(SessionAssignment(session_id=session.id, user_id=facilitator.id, role="lead"))
    db.session.commit()


def test_coordinator_plans_generates_and_staffs_a_cohort(db, page, demo_data):
    facilitator = db.session.execute(select(User).where(User.email == "facilitator@demo.kz")).scalar_one()
    _booked_elsewhere(db, facilitator, date(2027, 5, 18))
    assert DEMO_PASS_UNTIL == date(2027, 6, 30)  # the last session (13 July) is after the pass ends

    log_in(page, "coordinator@demo.kz")
    page.click("text=Cohorts")
    page.click("[data-testid=new-cohort]")
    page.fill("#name", "East Kazakhstan — spring 2027")
    page.select_option("#facility_id", label="EKZ-06 — East Kazakhstan Region Facility No. 6")
    page.select_option("#curriculum_version_id", index=0)
    page.select_option("#language", "ru")
    page.fill("#room", "Library")
    page.fill("#start_date", "2027-05-04")
    page.check("input[name=weekdays][value='2']")
    page.fill("#start_time", "10:00")
    page.click("[data-testid=save-cohort]")

    # Preview: ten Tuesdays, Capital Day (Tuesday 6 July) skipped, nothing saved yet.
    page.wait_for_selector("[data-testid=preview-sessions]")
    assert page.locator("[data-testid=preview-row]").count() == 10
    assert "Capital Day" in page.locator("[data-testid=skipped-dates]").inner_text()
    assert (
        db.session.execute(select(ProgrammeSession).join(Cohort).where(Cohort.name.like("East%"))).first()
        is None
    )
    page.click("[data-testid=confirm-generate]")
    page.wait_for_selector("[data-testid=sessions]")
    assert page.locator("[data-testid=session-row]").count() == 10

    page.click("[data-testid=assign-all]")
    page.select_option("#facilitator_id", label=facilitator.full_name)
    page.select_option("#role", "lead")
    page.click("[data-testid=assign-all-submit]")
    page.wait_for_selector("[data-testid=assign-report]")
    refused = page.locator("[data-testid=report-refused]")
    assert refused.count() == 2
    assert [refused.nth(i).get_attribute("data-date") for i in range(2)] == ["2027-05-18", "2027-07-13"]
    assert "Already booked at ALR-03" in refused.nth(0).inner_text()
    assert "No valid access pass for EKZ-06" in refused.nth(1).inner_text()
    assert page.locator("[data-testid=report-assigned]").count() == 8

    # The month calendar of the department shows the new sessions with their lead.
    page.goto(f"/calendar/departments/{facilitator.department_id}?view=month&date=2027-05-01")
    entries = page.locator("[data-testid=calendar-entry]")
    assert entries.count() == 6  # five new Tuesdays (to 1 June) + the session elsewhere on 18 May
    assert facilitator.full_name in entries.first.inner_text()
    SCREENSHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "scheduling_month_calendar.png"), full_page=True)
