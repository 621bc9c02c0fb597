"""An officer's closure cancels exactly the sessions in range at that facility and notifies the
people concerned; an officer cannot touch another facility."""

from __future__ import annotations

from datetime import UTC, date, datetime, time

import pytest
from sqlalchemy import select

from programme.core.services import ValidationFailed
from programme.notifications.models import Notification
from programme.scheduling.models import FacilityClosure
from programme.scheduling.services.closures import create_closure


@pytest.fixture
def two_facilities(db, make_facility, make_department, make_cohort, make_session, make_user, assign):
    department = make_department()
    here, there = make_facility(), make_facility()
    cohort = make_cohort(facility_id=here.id, department_id=department.id, start_time=time(10))
    elsewhere = make_cohort(facility_id=there.id, department_id=department.id, start_time=time(10))
    # Local dates in Almaty (UTC+5): 00:30 local on 10 Nov is 19:30 UTC on 9 Nov.
    sessions = {
        "before": make_session(cohort, 1, datetime(2026, 11, 9, 18, 59, tzinfo=UTC)),  # 23:59 on 9 Nov
        "first": make_session(cohort, 2, datetime(2026, 11, 9, 19, 30, tzinfo=UTC)),  # 00:30 on 10 Nov
        "last": make_session(cohort, 3, datetime(2026, 11, 11, 18, 0, tzinfo=UTC)),  # 23:00 on 11 Nov
        "after": make_session(cohort, 4, datetime(2026, 11, 11, 19, 0, tzinfo=UTC)),  # 00:00 on 12 Nov
        "held": make_session(cohort, 5, datetime(2026, 11, 10, 5, 0, tzinfo=UTC), status="held"),
        "other facility": make_session(elsewhere, 1, datetime(2026, 11, 10, 5, 0, tzinfo=UTC)),
    }
    facilitator = make_user("facilitator", department_id=department.id)
    assign(sessions["first"], facilitator)
    assign(sessions["other facility"], facilitator)
    coordinator = make_user("coordinator", department_id=department.id)
    bystander = make_user("coordinator")
    return here, sessions, facilitator, coordinator, bystander


def test_closure_cancels_exactly_the_sessions_in_range(db, two_facilities):
    here, sessions, *_people = two_facilities
    closure, cancelled = create_closure(here, date(2026, 11, 10), date(2026, 11, 11), "Lockdown", None)
    assert {s.id for s in cancelled} == {sessions["first"].id, sessions["last"].id}
    db.session.expire_all()
    statuses = {name: s.status for name, s in sessions.items()}
    assert statuses == {
        "before": "scheduled",
        "first": "cancelled",
        "last": "cancelled",
        "after": "scheduled",
        "held": "held",
        "other facility": "scheduled",
    }
    assert sessions["first"].cancel_reason == "Lockdown"
    assert db.session.get(FacilityClosure, closure.id).facility_id == here.id


def test_closure_notifies_the_facilitators_and_the_departments_coordinators(db, two_facilities):
    here, _sessions, facilitator, coordinator, bystander = two_facilities
    create_closure(here, date(2026, 11, 10), date(2026, 11, 11), "Lockdown", None)
    notes = {n.user_id: n for n in db.session.execute(select(Notification)).scalars()}
    assert set(notes) == {facilitator.id, coordinator.id}
    assert notes[facilitator.id].kind == "closure" and notes[facilitator.id].params["count"] == 1
    assert notes[coordinator.id].params["count"] == 2
    assert bystander.id not in notes


@pytest.mark.parametrize(
    ("start", "end", "reason"),
    [
        (date(2026, 11, 12), date(2026, 11, 10), "x"),
        (date(2026, 11, 10), date(2026, 11, 10), " "),
        (date(2026, 1, 1), date(2027, 1, 2), "x"),
    ],
)
def test_closure_input_is_checked(db, two_facilities, start, end, reason):
    with pytest.raises(ValidationFailed):
        create_closure(two_facilities[0], start, end, reason, None)
    assert db.session.execute(select(FacilityClosure)).first() is None


def test_officer_closes_own_facility_over_http(db, client, login_as, two_facilities):
    here, sessions, *_rest = two_facilities
    login_as("officer", facility_id=here.id)
    response = client.post_form(
        f"/facilities/{here.id}/closures",
        {"start_date": "2026-11-10", "end_date": "2026-11-10", "reason": "Lockdown"},
    )
    assert response.status_code == 302
    db.session.expire_all()
    assert sessions["first"].status == "cancelled" and sessions["last"].status == "scheduled"


def test_officer_cannot_touch_another_facility(db, client, login_as, two_facilities, make_facility):
    here, sessions, *_rest = two_facilities
    login_as("officer", facility_id=make_facility().id)
    assert client.get(f"/facilities/{here.id}/closures").status_code == 404
    response = client.post_form(
        f"/facilities/{here.id}/closures",
        {"start_date": "2026-11-10", "end_date": "2026-11-11", "reason": "x"},
    )
    assert response.status_code == 404
    assert client.get(f"/calendar/facilities/{here.id}").status_code == 404
    db.session.expire_all()
    assert sessions["first"].status == "scheduled"
    assert db.session.execute(select(FacilityClosure)).first() is None


def test_coordinators_read_closures_but_cannot_close(db, client, login_as, two_facilities):
    here, sessions, *_rest = two_facilities
    login_as("coordinator")
    assert client.get(f"/facilities/{here.id}/closures").status_code == 200
    client.post_form(
        f"/facilities/{here.id}/closures",
        {"start_date": "2026-11-10", "end_date": "2026-11-11", "reason": "x"},
    )
    db.session.expire_all()
    assert sessions["first"].status == "scheduled"
