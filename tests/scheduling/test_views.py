"""Each scheduling page: who may use it, and its happy path over HTTP."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import func, select

from programme.scheduling.models import (
    AccessPass,
    AvailabilityException,
    AvailabilitySlot,
    Cohort,
    FacilitatorProfile,
    ProgrammeSession,
    SessionAssignment,
    SessionLog,
)


def _count(db, model) -> int:
    return db.session.execute(select(func.count(model.id))).scalar_one()


@pytest.fixture
def coordinator_cohort(login_as, make_cohort, make_session):
    coordinator = login_as("coordinator")
    cohort = make_cohort(department_id=coordinator.department_id, status="planned")
    return coordinator, cohort


def test_coordinator_creates_a_cohort_then_previews_and_generates(
    db, client, login_as, make_facility, make_curriculum_version
):
    coordinator = login_as("coordinator")
    version = make_curriculum_version(department_id=coordinator.department_id)
    facility = make_facility()
    assert client.get("/cohorts/new").status_code == 200
    response = client.post_form(
        "/cohorts/new",
        {
            "name": "Spring",
            "facility_id": facility.id,
            "curriculum_version_id": version.id,
            "language": "ru",
            "capacity": 12,
            "room": "Hall",
            "start_date": "2027-05-04",
            "weekdays": ["2"],
            "start_time": "10:00",
            "duration_minutes": 120,
        },
    )
    assert response.status_code == 302, response.get_data(as_text=True)
    cohort = db.session.execute(select(Cohort)).scalar_one()
    assert (cohort.department_id, cohort.status, cohort.weekdays) == (
        coordinator.department_id,
        "planned",
        [2],
    )
    preview = client.get(f"/cohorts/{cohort.id}/sessions/generate").get_data(as_text=True)
    assert preview.count('data-testid="preview-row"') == 10 and "Capital Day" in preview
    assert _count(db, ProgrammeSession) == 0
    assert client.post_form(f"/cohorts/{cohort.id}/sessions/generate").status_code == 302
    assert _count(db, ProgrammeSession) == 10
    page = client.get(f"/cohorts/{cohort.id}").get_data(as_text=True)
    assert page.count('data-testid="session-row"') == 10


def test_coordinator_cannot_use_another_departments_curriculum(
    db, client, login_as, make_facility, make_curriculum_version
):
    login_as("coordinator")
    foreign = make_curriculum_version()
    response = client.post_form(
        "/cohorts/new",
        {
            "name": "X",
            "facility_id": make_facility().id,
            "curriculum_version_id": foreign.id,
            "language": "ru",
            "capacity": 12,
            "start_date": "2027-05-04",
            "weekdays": ["2"],
            "start_time": "10:00",
            "duration_minutes": 120,
        },
    )
    assert response.status_code == 200
    assert _count(db, Cohort) == 0


def test_edit_and_status_changes(db, client, coordinator_cohort):
    _coordinator, cohort = coordinator_cohort
    assert client.get(f"/cohorts/{cohort.id}/edit").status_code == 200
    client.post_form(f"/cohorts/{cohort.id}/status", {"status": "completed"})
    db.session.expire_all()
    assert cohort.status == "planned"  # planned cannot jump to completed
    client.post_form(f"/cohorts/{cohort.id}/status", {"status": "running"})
    db.session.expire_all()
    assert cohort.status == "running"


def test_cohort_scope_per_role(
    relogin, db, client, login_as, make_cohort, make_session, make_facility, assign
):
    facility = make_facility()
    cohort = make_cohort(facility_id=facility.id)
    session = make_session(cohort)
    login_as("coordinator")
    assert client.get(f"/cohorts/{cohort.id}").status_code == 404
    assert client.get(f"/cohorts/{cohort.id}/edit").status_code == 404
    assert client.get(f"/sessions/{session.id}/assignments").status_code == 404
    relogin("officer", facility_id=facility.id)
    assert client.get(f"/cohorts/{cohort.id}").status_code == 200
    assert client.get(f"/cohorts/{cohort.id}/edit").status_code == 403
    relogin("officer")
    assert client.get(f"/cohorts/{cohort.id}").status_code == 404
    facilitator = relogin("facilitator", department_id=cohort.department_id)
    assert client.get(f"/cohorts/{cohort.id}").status_code == 404
    assign(session, facilitator)
    assert client.get(f"/cohorts/{cohort.id}").status_code == 200
    assert "Cohort" in client.get("/cohorts").get_data(as_text=True)
    relogin("evaluator")
    assert client.get("/cohorts").status_code == 403


def test_session_actions_over_http(db, client, coordinator_cohort, make_session, make_facilitator):
    coordinator, cohort = coordinator_cohort
    past = make_session(cohort, 1, datetime.now(UTC) - timedelta(days=1))
    future = make_session(cohort, 2, datetime.now(UTC) + timedelta(days=7))
    third = make_session(cohort, 3, datetime.now(UTC) + timedelta(days=14))
    facilitator = make_facilitator(
        coordinator.department_id, pass_facilities=[cohort.facility_id], languages=["ru"]
    )
    assert client.post_form(f"/sessions/{past.id}/held").status_code == 302
    local = future.starts_at.replace(tzinfo=UTC) + timedelta(days=1, hours=5)
    assert client.get(f"/sessions/{future.id}/move").status_code == 200
    client.post_form(
        f"/sessions/{future.id}/move",
        {"day": local.date().isoformat(), "at": local.strftime("%H:%M"), "shift_following": "y"},
    )
    client.post_form(f"/sessions/{third.id}/cancel", {"reason": "Transfer"})
    page = client.get(f"/sessions/{future.id}/assignments").get_data(as_text=True)
    assert facilitator.full_name in page and "fits" in page
    response = client.post_form(
        f"/sessions/{future.id}/assignments",
        {"facilitator_id": facilitator.id, "role": "lead", "confirm": "y"},
    )
    assert response.status_code == 302, response.get_data(as_text=True)
    db.session.expire_all()
    assert (past.status, future.status, third.status) == ("held", "moved", "cancelled")
    assert third.cancel_reason == "Transfer"
    assert db.session.execute(select(SessionAssignment.user_id)).scalar_one() == facilitator.id


def test_assignment_with_warnings_needs_confirmation_over_http(
    db, client, coordinator_cohort, make_session, make_facilitator
):
    coordinator, cohort = coordinator_cohort
    session = make_session(cohort, 1, datetime.now(UTC) + timedelta(days=7))
    facilitator = make_facilitator(
        coordinator.department_id, pass_facilities=[cohort.facility_id], languages=["en"]
    )
    page = client.post_form(
        f"/sessions/{session.id}/assignments", {"facilitator_id": facilitator.id, "role": "lead"}
    )
    assert "Does not speak the cohort" in page.get_data(as_text=True)
    assert _count(db, SessionAssignment) == 0
    client.post_form(
        f"/sessions/{session.id}/assignments",
        {"facilitator_id": facilitator.id, "role": "lead", "confirm": "y"},
    )
    assert _count(db, SessionAssignment) == 1
    assignment_id = db.session.execute(select(SessionAssignment.id)).scalar_one()
    client.post_form(f"/sessions/{session.id}/assignments/{assignment_id}/delete")
    assert _count(db, SessionAssignment) == 0


def test_assign_to_all_sessions_shows_a_report(
    db, client, coordinator_cohort, make_session, make_facilitator
):
    coordinator, cohort = coordinator_cohort
    for n in range(1, 4):
        make_session(cohort, n, datetime(2026, 10, 6, 9, tzinfo=UTC) + timedelta(weeks=n - 1))
    facilitator = make_facilitator(
        coordinator.department_id,
        pass_facilities=[cohort.facility_id],
        languages=["ru"],
        valid_until=date(2026, 10, 14),
    )
    assert client.get(f"/cohorts/{cohort.id}/assignments").status_code == 200
    page = client.post_form(
        f"/cohorts/{cohort.id}/assignments", {"facilitator_id": facilitator.id, "role": "lead"}
    ).get_data(as_text=True)
    assert page.count('data-testid="report-assigned"') == 2
    assert page.count('data-testid="report-refused"') == 1 and "No valid access pass" in page


def test_session_log_written_by_the_facilitator_read_by_the_coordinator(
    relogin, db, client, login_as, make_cohort, make_session, assign
):
    facilitator = login_as("facilitator")
    cohort = make_cohort(department_id=facilitator.department_id)
    session = make_session(cohort, 1, datetime.now(UTC) - timedelta(days=1))
    assign(session, facilitator)
    assert "marked as held" in client.get(f"/sessions/{session.id}/log").get_data(as_text=True)
    client.post_form(f"/sessions/{session.id}/held")
    response = client.post_form(
        f"/sessions/{session.id}/log",
        {
            "chosen_question": "Is it ever right to lie?",
            "themes": "truth",
            "engagement": "4",
            "incidents": "",
            "reflection": "Good",
        },
    )
    assert response.status_code == 302, response.get_data(as_text=True)
    log = db.session.execute(select(SessionLog)).scalar_one()
    assert (log.author_id, log.engagement) == (facilitator.id, 4)
    other = make_session(cohort, 2, datetime.now(UTC) - timedelta(hours=3), status="held")
    assert client.get(f"/sessions/{other.id}/log").status_code == 404  # not theirs
    relogin("coordinator", department_id=facilitator.department_id)
    assert "Is it ever right to lie?" in client.get(f"/cohorts/{cohort.id}/logs").get_data(as_text=True)
    relogin("coordinator")
    assert client.get(f"/cohorts/{cohort.id}/logs").status_code == 404


def test_coordinator_manages_profiles_and_passes(db, client, login_as, make_user, make_facility):
    coordinator = login_as("coordinator")
    facilitator = make_user("facilitator", department_id=coordinator.department_id)
    stranger = make_user("facilitator")
    facility = make_facility()
    assert facilitator.full_name in client.get("/facilitators").get_data(as_text=True)
    assert stranger.full_name not in client.get("/facilitators").get_data(as_text=True)
    assert client.get(f"/facilitators/{stranger.id}").status_code == 404
    client.post_form(
        f"/facilitators/{facilitator.id}/edit", {"languages": ["kk", "ru"], "max_sessions_per_week": 2}
    )
    profile = db.session.execute(select(FacilitatorProfile)).scalar_one()
    assert (profile.languages, profile.max_sessions_per_week) == (["kk", "ru"], 2)
    client.post_form(
        f"/facilitators/{facilitator.id}/passes",
        {
            "facility_id": facility.id,
            "number": "P-1",
            "valid_from": "2026-01-01",
            "valid_until": "2026-12-31",
        },
    )
    access_pass = db.session.execute(select(AccessPass)).scalar_one()
    assert "P-1" in client.get(f"/facilitators/{facilitator.id}").get_data(as_text=True)
    client.post_form(f"/facilitators/{facilitator.id}/passes/{access_pass.id}/delete")
    assert _count(db, AccessPass) == 0


def test_facilitators_edit_only_their_own_availability(relogin, db, client, login_as, make_user):
    me = login_as("facilitator")
    assert client.get("/my/availability").status_code == 200
    client.post_form("/my/availability/slots", {"weekday": 2, "start_time": "09:00", "end_time": "13:00"})
    client.post_form(
        "/my/availability/exceptions",
        {"start_date": "2026-12-20", "end_date": "2026-12-31", "reason": "Exams"},
    )
    slot = db.session.execute(select(AvailabilitySlot)).scalar_one()
    assert (slot.user_id, slot.weekday) == (me.id, 2)
    assert db.session.execute(select(AvailabilityException.reason)).scalar_one() == "Exams"
    other = make_user("facilitator")
    theirs = AvailabilitySlot(user_id=other.id, weekday=3, start_time=slot.start_time, end_time=slot.end_time)
    db.session.add(theirs)
    db.session.commit()
    assert client.post_form(f"/my/availability/slots/{theirs.id}/delete").status_code == 404
    client.post_form(f"/my/availability/slots/{slot.id}/delete")
    assert _count(db, AvailabilitySlot) == 1
    relogin("coordinator")
    assert client.get("/my/availability").status_code == 403


def test_dashboard_panels_per_role(relogin, db, client, login_as, make_cohort, make_session, make_facility):
    facility = make_facility()
    coordinator = login_as("coordinator")
    cohort = make_cohort(facility_id=facility.id, department_id=coordinator.department_id)
    make_session(cohort, 1, datetime.now(UTC) + timedelta(days=2))
    page = client.get("/").get_data(as_text=True)
    assert 'data-testid="panel-unstaffed"' in page and cohort.name in page
    relogin("officer", facility_id=facility.id)
    assert 'data-testid="panel-facility-week"' in client.get("/").get_data(as_text=True)
    relogin("facilitator")
    assert 'data-testid="panel-next-sessions"' in client.get("/").get_data(as_text=True)
