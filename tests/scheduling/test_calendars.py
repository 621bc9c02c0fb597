"""Calendars (bounded queries with hundreds of sessions, no participant data) and iCal feeds."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from icalendar import Calendar
from sqlalchemy import select

from programme.extensions import db as _db
from programme.scheduling.models import FacilitatorProfile, ProgrammeSession, SessionAssignment
from programme.scheduling.services.calendars import calendar_range, ical_for_facilitator
from programme.scheduling.services.facilitators import regenerate_calendar_token


def _fill(cohort, facilitator, count: int, first: datetime) -> list[ProgrammeSession]:
    """`count` sessions of two hours, four a day from `first`, each with a lead."""
    sessions = []
    for n in range(count):
        starts = first + timedelta(days=n // 4, hours=3 * (n % 4))
        session = ProgrammeSession(
            cohort_id=cohort.id,
            sequence=n + 1,
            starts_at=starts,
            ends_at=starts + timedelta(hours=2),
            room="Hall",
        )
        session.assignments.append(SessionAssignment(user_id=facilitator.id, role="lead"))
        sessions.append(session)
    _db.session.add_all(sessions)
    _db.session.commit()
    return sessions


def test_month_range_covers_whole_weeks():
    period = calendar_range("month", date(2026, 11, 18))
    assert period.first == date(2026, 10, 26) and period.last == date(2026, 12, 6)
    assert all(len(week) == 7 for week in period.weeks)
    assert period.previous == date(2026, 10, 1) and period.next == date(2026, 12, 1)
    week = calendar_range("week", date(2026, 11, 18))
    assert (week.first, week.last) == (date(2026, 11, 16), date(2026, 11, 22))


@pytest.mark.parametrize("count", [40, 400])
def test_calendar_pages_stay_within_a_bounded_number_of_queries(
    db, client, login_as, make_cohort, make_user, assert_max_queries, count
):
    coordinator = login_as("coordinator")
    cohort = make_cohort(department_id=coordinator.department_id)
    facilitator = make_user("facilitator", department_id=coordinator.department_id)
    _fill(cohort, facilitator, count, datetime(2026, 11, 1, 3, 0, tzinfo=UTC))
    urls = [
        f"/calendar/departments/{coordinator.department_id}?view=month&date=2026-11-01",
        f"/calendar/departments/{coordinator.department_id}?view=month&date=2026-12-01",
        f"/calendar/facilities/{cohort.facility_id}?view=week&date=2026-11-03",
        f"/calendar/facilitators/{facilitator.id}?view=month&date=2026-11-01",
    ]
    for url in urls:
        with assert_max_queries(7):
            response = client.get(url)
        assert response.status_code == 200, url
    page = client.get(urls[0]).get_data(as_text=True)
    assert page.count('data-testid="calendar-entry"') == min(count, 4 * 30 + 4 * 6)
    assert facilitator.full_name in page


def test_facilitator_sees_only_own_sessions_and_no_other_calendar(
    db, client, login_as, make_cohort, make_user
):
    me = login_as("facilitator")
    colleague = make_user("facilitator", department_id=me.department_id)
    cohort = make_cohort(department_id=me.department_id)
    _fill(cohort, me, 2, datetime(2026, 11, 3, 5, tzinfo=UTC))
    _fill(make_cohort(department_id=me.department_id), colleague, 3, datetime(2026, 11, 4, 5, tzinfo=UTC))
    page = client.get("/my/sessions?view=month&date=2026-11-01").get_data(as_text=True)
    assert page.count('data-testid="calendar-entry"') == 2
    assert client.get(f"/calendar/facilitators/{colleague.id}").status_code == 404
    assert client.get(f"/calendar/facilities/{cohort.facility_id}").status_code == 403


def test_coordinator_cannot_open_another_departments_calendar(client, login_as, make_department):
    login_as("coordinator")
    assert client.get(f"/calendar/departments/{make_department().id}").status_code == 404


def test_ical_feed_parses_and_matches_the_sessions(db, client, make_cohort, make_user):
    cohort = make_cohort()
    facilitator = make_user("facilitator", department_id=cohort.department_id)
    now = datetime.now(UTC).replace(microsecond=0)
    sessions = _fill(cohort, facilitator, 6, now + timedelta(days=1))
    sessions[2].status = "cancelled"
    db.session.commit()
    token = regenerate_calendar_token(facilitator.id)
    response = client.get(f"/calendars/{token}.ics")
    assert response.status_code == 200 and response.mimetype == "text/calendar"
    assert response.headers["Cache-Control"] == "no-store"
    calendar = Calendar.from_ical(response.data)
    events = sorted(calendar.walk("VEVENT"), key=lambda e: e.decoded("dtstart"))
    assert [(e.decoded("dtstart"), e.decoded("dtend")) for e in events] == [
        (s.starts_at.replace(tzinfo=UTC), s.ends_at.replace(tzinfo=UTC)) for s in sessions
    ]
    assert [str(e["uid"]) for e in events] == [f"pip-session-{s.id}@philosophy-in-prison" for s in sessions]
    assert [str(e["status"]) for e in events].count("CANCELLED") == 1
    assert all(cohort.name in str(e["summary"]) and "Hall" in str(e["location"]) for e in events)


def test_ical_carries_no_participant_data(db, make_cohort, make_user):
    cohort = make_cohort()
    facilitator = make_user("facilitator", department_id=cohort.department_id)
    _fill(cohort, facilitator, 1, datetime.now(UTC) + timedelta(days=1))
    text = ical_for_facilitator(facilitator.id).decode()
    assert "ATTENDEE" not in text and "DESCRIPTION" not in text


def test_wrong_or_revoked_token_is_a_404(db, client, make_user):
    facilitator = make_user("facilitator")
    old = regenerate_calendar_token(facilitator.id)
    new = regenerate_calendar_token(facilitator.id)
    assert old != new
    assert client.get(f"/calendars/{old}.ics").status_code == 404
    assert client.get("/calendars/not-a-token.ics").status_code == 404
    assert client.get(f"/calendars/{new}.ics").status_code == 200
    facilitator.is_active_account = False
    db.session.commit()
    assert client.get(f"/calendars/{new}.ics").status_code == 404


def test_facilitator_revokes_and_downloads_own_calendar(db, client, login_as):
    me = login_as("facilitator")
    client.post_form("/my/calendar-token")
    token = db.session.scalars(select(FacilitatorProfile).filter_by(user_id=me.id)).one().calendar_token
    assert token and token in client.get("/my/sessions").get_data(as_text=True)
    client.post_form("/my/calendar-token/revoke")
    db.session.expire_all()
    assert (
        db.session.scalars(select(FacilitatorProfile).filter_by(user_id=me.id)).one().calendar_token is None
    )
    assert client.get(f"/calendars/{token}.ics").status_code == 404
    download = client.get("/my/sessions.ics")
    assert download.status_code == 200 and "attachment" in download.headers["Content-Disposition"]
    assert Calendar.from_ical(download.data).name == "VCALENDAR"


@pytest.mark.parametrize("count", [3, 30])
def test_cohort_list_and_page_stay_within_a_bounded_number_of_queries(
    db, client, login_as, make_cohort, make_user, make_facility, assert_max_queries, count
):
    coordinator = login_as("coordinator")
    facilitator = make_user("facilitator", department_id=coordinator.department_id)
    cohort = make_cohort(department_id=coordinator.department_id)
    for _n in range(count):
        make_cohort(department_id=coordinator.department_id, facility_id=make_facility().id)
    _fill(cohort, facilitator, count * 10, datetime(2026, 11, 1, 3, 0, tzinfo=UTC))
    with assert_max_queries(8):
        assert client.get("/cohorts").status_code == 200
    with assert_max_queries(10):
        page = client.get(f"/cohorts/{cohort.id}")
    assert page.get_data(as_text=True).count('data-testid="session-row"') == count * 10


def test_sessions_at_the_same_utc_time_overlap_across_time_zones(
    db, make_facility, make_cohort, make_session, make_facilitator
):
    from programme.scheduling.services.conflicts import check_assignment

    almaty, moscow = make_facility(timezone="Asia/Almaty"), make_facility(timezone="Europe/Moscow")
    cohort = make_cohort(facility_id=almaty.id)
    other = make_cohort(facility_id=moscow.id, department_id=cohort.department_id)
    facilitator = make_facilitator(cohort.department_id, pass_facilities=[almaty.id, moscow.id])
    # 14:00 in Almaty and 12:00 in Moscow are the same instant (09:00 UTC).
    here = make_session(cohort, starts_at=datetime(2026, 10, 6, 9, tzinfo=UTC))
    there = make_session(other, starts_at=datetime(2026, 10, 6, 9, tzinfo=UTC))
    _db.session.add(SessionAssignment(session_id=there.id, user_id=facilitator.id, role="lead"))
    _db.session.commit()
    assert "Already booked" in check_assignment(here, facilitator, "lead").hard[0]


def test_sessions_to_log_are_the_recent_held_ones_without_a_log(db, make_cohort, make_user):
    from programme.scheduling.services.logs import LOG_REMINDER_DAYS, sessions_to_log

    now = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)
    facilitator = make_user("facilitator")
    cohort = make_cohort()
    old, recent, coming = _fill(cohort, facilitator, 3, now - timedelta(days=LOG_REMINDER_DAYS + 5))
    recent.starts_at, recent.ends_at = now - timedelta(days=3), now - timedelta(days=3, hours=-2)
    coming.starts_at, coming.ends_at = now + timedelta(days=4), now + timedelta(days=4, hours=2)
    old.status = recent.status = "held"
    _db.session.commit()
    # The session held 65 days ago is past the reminder window; the coming one is not held yet.
    assert [s.id for s in sessions_to_log(facilitator.id, now=now)] == [recent.id]


def test_a_calendar_shows_a_new_or_moved_session_at_once(db, client, login_as, make_cohort):
    """The month is a cached fragment: it is drawn again as soon as its sessions change."""
    cohort = make_cohort(name="Evening circle")
    facilitator = login_as("facilitator", department_id=cohort.department_id)
    url = "/my/sessions?view=month&date=2026-11-15"
    assert "Evening circle" not in client.get(url).get_data(as_text=True)
    assert "Evening circle" not in client.get(url).get_data(as_text=True)  # from the cache
    (session,) = _fill(cohort, facilitator, 1, datetime(2026, 11, 18, 9, 0, tzinfo=UTC))
    page = client.get(url).get_data(as_text=True)
    assert "Evening circle</a> #1" in page
    session.room = "Chapel"
    db.session.commit()
    assert "Chapel" in client.get(url).get_data(as_text=True)


def test_the_cohort_page_is_reused_yet_its_forms_carry_this_sessions_token(db, client, login_as, make_cohort):
    """The cohort page is a cached fragment: its forms get the reader's own CSRF token, and a
    change made through them shows at once."""
    import re

    cohort = make_cohort(name="Morning circle")
    coordinator = login_as("coordinator", department_id=cohort.department_id)
    (session,) = _fill(cohort, coordinator, 1, datetime.now(UTC).replace(microsecond=0) - timedelta(days=2))
    first = client.get(f"/cohorts/{cohort.id}").get_data(as_text=True)
    again = client.get(f"/cohorts/{cohort.id}").get_data(as_text=True)
    assert "<title>Morning circle" in again and first == again
    tokens = set(re.findall(r'name="csrf_token" type="hidden" value="([^"]+)"', again))
    assert len(tokens) == 1
    response = client.post(f"/sessions/{session.id}/held", data={"csrf_token": tokens.pop()})
    assert response.status_code == 302
    db.session.refresh(session)
    assert session.status == "held"
    assert first != client.get(f"/cohorts/{cohort.id}").get_data(as_text=True)
