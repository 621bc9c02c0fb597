"""Enrolment: capacity and the waiting list, withdrawal, cohorts meeting at the same time."""

from __future__ import annotations

from datetime import UTC, date, datetime, time

import pytest
from sqlalchemy import select

from programme.core.services import ValidationFailed
from programme.participants.enrolment import enrol, enrol_many, withdraw_enrolment
from programme.participants.models import Enrolment


def test_the_thirteenth_person_waits_for_a_twelve_place_cohort(db, make_cohort, make_participant):
    cohort = make_cohort(capacity=12)
    people = [make_participant(facility_id=cohort.facility_id) for _ in range(13)]
    enrolments = enrol_many(people, cohort)
    assert [e.status for e in enrolments] == ["enrolled"] * 12 + ["waitlisted"]
    assert enrolments[-1].waitlist_position == 1
    later = enrol(make_participant(facility_id=cohort.facility_id), cohort)
    assert (later.status, later.waitlist_position) == ("waitlisted", 2)


def test_a_freed_place_goes_to_the_first_person_waiting(db, make_cohort, make_participant):
    cohort = make_cohort(capacity=2)
    first, second, third, fourth = enrol_many(
        [make_participant(facility_id=cohort.facility_id) for _ in range(4)], cohort
    )
    withdraw_enrolment(first, "released", date.today())
    db.session.refresh(third)
    db.session.refresh(fourth)
    assert (first.status, first.withdrawal_reason) == ("withdrawn", "released")
    assert (third.status, third.waitlist_position) == ("enrolled", None)
    assert fourth.status == "waitlisted"
    withdraw_enrolment(fourth, "voluntary")
    assert second.status == "enrolled"


def test_withdrawal_needs_a_known_reason_and_an_open_enrolment(db, make_cohort, make_participant):
    cohort = make_cohort()
    enrolment = enrol(make_participant(facility_id=cohort.facility_id), cohort)
    with pytest.raises(ValidationFailed):
        withdraw_enrolment(enrolment, "bored")
    withdraw_enrolment(enrolment, "health")
    with pytest.raises(ValidationFailed):
        withdraw_enrolment(enrolment, "health")


def test_one_person_cannot_join_two_cohorts_meeting_at_the_same_time(db, make_cohort, make_participant):
    first = make_cohort(weekdays=[2], start_time=time(14, 0))
    participant = make_participant(facility_id=first.facility_id)
    enrol(participant, first)
    overlapping = make_cohort(facility_id=first.facility_id, weekdays=[2, 4], start_time=time(15, 30))
    with pytest.raises(ValidationFailed) as refused:
        enrol(participant, overlapping)
    assert first.name in str(refused.value)
    other_day = make_cohort(facility_id=first.facility_id, weekdays=[3], start_time=time(14, 0))
    assert enrol(participant, other_day).status == "enrolled"
    later_hours = make_cohort(facility_id=first.facility_id, weekdays=[2], start_time=time(16, 0))
    assert enrol(participant, later_hours).status == "enrolled"


def test_dated_sessions_decide_when_both_cohorts_have_them(db, make_cohort, make_session, make_participant):
    first = make_cohort(weekdays=[2], start_time=time(10, 0))
    second = make_cohort(facility_id=first.facility_id, weekdays=[4], start_time=time(10, 0))
    make_session(first, starts_at=datetime(2026, 10, 6, 5, 0, tzinfo=UTC))
    make_session(second, starts_at=datetime(2026, 10, 6, 6, 0, tzinfo=UTC))
    participant = make_participant(facility_id=first.facility_id)
    enrol(participant, first)
    with pytest.raises(ValidationFailed):
        enrol(participant, second)


def test_people_of_another_facility_and_ended_cohorts_are_refused(db, make_cohort, make_participant):
    cohort = make_cohort()
    with pytest.raises(ValidationFailed):
        enrol(make_participant(), cohort)
    ended = make_cohort(status="completed")
    with pytest.raises(ValidationFailed):
        enrol(make_participant(facility_id=ended.facility_id), ended)


def test_officer_enrols_through_the_page_and_sees_the_waiting_list(
    client, db, login_as, make_cohort, make_participant
):
    officer = login_as("officer")
    cohort = make_cohort(facility_id=officer.facility_id, capacity=2)
    people = [make_participant(facility_id=officer.facility_id) for _ in range(3)]
    page = client.get(f"/cohorts/{cohort.id}/enrolments").get_data(as_text=True)
    assert people[0].full_name in page
    response = client.post_form(
        f"/cohorts/{cohort.id}/enrolments", {"participant_ids": [p.id for p in people]}
    )
    assert response.status_code == 302
    statuses = db.session.execute(select(Enrolment.status).order_by(Enrolment.id)).scalars().all()
    assert statuses == ["enrolled", "enrolled", "waitlisted"]
    enrolment = db.session.execute(select(Enrolment).order_by(Enrolment.id)).scalars().first()
    response = client.post_form(
        f"/enrolments/{enrolment.id}/withdraw",
        {"reason": "voluntary", "withdrawn_on": date.today().isoformat()},
    )
    assert response.status_code == 302
    statuses = db.session.execute(select(Enrolment.status).order_by(Enrolment.id)).scalars().all()
    assert statuses == ["withdrawn", "enrolled", "enrolled"]


def test_enrolment_pages_are_scoped(client, login_as, make_cohort):
    login_as("officer")
    elsewhere = make_cohort()
    assert client.get(f"/cohorts/{elsewhere.id}/enrolments").status_code == 404
    assert (
        client.post_form(f"/cohorts/{elsewhere.id}/enrolments", {"participant_ids": [1]}).status_code == 404
    )
