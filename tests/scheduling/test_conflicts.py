"""check_assignment: every rule at its boundaries (touching intervals, the travel buffer, passes
expiring on the session day, local dates in the facility's time zone), and assignment flows."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import select

from programme.auth.models import User
from programme.core.services import ValidationFailed
from programme.notifications.models import Notification
from programme.scheduling.models import (
    AccessPass,
    AvailabilityException,
    AvailabilitySlot,
    FacilitatorProfile,
    SessionAssignment,
)
from programme.scheduling.services.assignment import (
    AssignmentRefused,
    NeedsConfirmation,
    assign_facilitator,
    assign_to_cohort,
)
from programme.scheduling.services.conflicts import check_assignment, fitting_facilitators

# Tuesday 2026-10-06 09:00 UTC is 14:00 in Almaty (UTC+5).
T0 = datetime(2026, 10, 6, 9, 0, tzinfo=UTC)


@pytest.fixture
def setting(make_facility, make_department, make_cohort, make_session, make_facilitator):
    department = make_department()
    here = make_facility()
    there = make_facility()
    cohort = make_cohort(facility_id=here.id, department_id=department.id)
    session = make_session(cohort, starts_at=T0)
    facilitator = make_facilitator(department.id, pass_facilities=[here.id, there.id])
    other_here = make_cohort(facility_id=here.id, department_id=department.id)
    other_there = make_cohort(facility_id=there.id, department_id=department.id)
    return {
        "department": department,
        "here": here,
        "there": there,
        "cohort": cohort,
        "session": session,
        "facilitator": facilitator,
        "other_here": other_here,
        "other_there": other_there,
    }


def _booked(setting, make_session, assign, cohort_key, starts_at, minutes=120):
    other = make_session(setting[cohort_key], starts_at=starts_at)
    other.ends_at = starts_at + timedelta(minutes=minutes)
    assign(other, setting["facilitator"], "lead")
    return other


def test_a_free_facilitator_with_a_pass_fits_without_problems(setting):
    check = check_assignment(setting["session"], setting["facilitator"], "lead")
    assert check.hard == [] and check.soft == []


def test_touching_sessions_at_the_same_facility_are_not_an_overlap(setting, make_session, assign):
    _booked(setting, make_session, assign, "other_here", T0 + timedelta(minutes=120))
    _booked(setting, make_session, assign, "other_here", T0 - timedelta(minutes=120))
    assert check_assignment(setting["session"], setting["facilitator"], "lead").hard == []


def test_one_minute_of_overlap_at_the_same_facility_is_refused(setting, make_session, assign):
    _booked(setting, make_session, assign, "other_here", T0 + timedelta(minutes=119))
    hard = check_assignment(setting["session"], setting["facilitator"], "lead").hard
    assert len(hard) == 1 and "Already booked" in hard[0]


def test_another_facility_needs_the_travel_buffer_between_sessions(setting, make_session, assign):
    _booked(setting, make_session, assign, "other_there", T0 + timedelta(minutes=120 + 59))
    hard = check_assignment(setting["session"], setting["facilitator"], "lead").hard
    assert len(hard) == 1 and "60 minutes to travel" in hard[0]


def test_exactly_the_travel_buffer_between_facilities_is_enough(setting, make_session, assign):
    _booked(setting, make_session, assign, "other_there", T0 + timedelta(minutes=120 + 60))
    _booked(setting, make_session, assign, "other_there", T0 - timedelta(minutes=120 + 60))
    assert check_assignment(setting["session"], setting["facilitator"], "lead").hard == []


def test_the_travel_buffer_is_configurable(app, setting, make_session, assign, monkeypatch):
    _booked(setting, make_session, assign, "other_there", T0 + timedelta(minutes=120 + 60))
    monkeypatch.setitem(app.config, "SCHEDULING_TRAVEL_BUFFER_MINUTES", 90)
    assert len(check_assignment(setting["session"], setting["facilitator"], "lead").hard) == 1


def test_a_cancelled_session_does_not_block(setting, make_session, assign, db):
    other = _booked(setting, make_session, assign, "other_here", T0)
    other.status = "cancelled"
    db.session.commit()
    assert check_assignment(setting["session"], setting["facilitator"], "lead").hard == []


def _pass_until(db, setting, until: date):
    for access_pass in db.session.scalars(select(AccessPass)):
        access_pass.valid_until = until
    db.session.commit()


def test_a_pass_expiring_on_the_session_day_is_still_valid(db, setting):
    _pass_until(db, setting, date(2026, 10, 6))
    assert check_assignment(setting["session"], setting["facilitator"], "lead").hard == []


def test_a_pass_that_expired_the_day_before_is_refused(db, setting):
    _pass_until(db, setting, date(2026, 10, 5))
    hard = check_assignment(setting["session"], setting["facilitator"], "lead").hard
    assert len(hard) == 1 and "No valid access pass" in hard[0]


def test_a_pass_starting_the_day_after_is_refused(db, setting):
    for access_pass in db.session.scalars(select(AccessPass)):
        access_pass.valid_from = date(2026, 10, 7)
    db.session.commit()
    assert (
        "No valid access pass" in check_assignment(setting["session"], setting["facilitator"], "lead").hard[0]
    )


def test_the_pass_date_is_the_facilitys_local_date(db, setting, make_session):
    """21:30 UTC on 5 October is 02:30 on 6 October in Almaty: a pass from the 6th covers it."""
    late = make_session(setting["cohort"], sequence=2, starts_at=datetime(2026, 10, 5, 21, 30, tzinfo=UTC))
    for access_pass in db.session.scalars(select(AccessPass)):
        access_pass.valid_from = date(2026, 10, 6)
    db.session.commit()
    assert not [p for p in check_assignment(late, setting["facilitator"], "lead").hard if "pass" in p]
    for access_pass in db.session.scalars(select(AccessPass)):
        access_pass.valid_until = date(2026, 10, 5)
        access_pass.valid_from = date(2026, 10, 1)
    db.session.commit()
    assert [p for p in check_assignment(late, setting["facilitator"], "lead").hard if "pass" in p]


def test_a_pass_for_another_facility_does_not_count(db, setting, make_facilitator):
    only_there = make_facilitator(setting["department"].id, pass_facilities=[setting["there"].id])
    assert "No valid access pass" in check_assignment(setting["session"], only_there, "lead").hard[0]


def test_an_inactive_facilitator_is_refused(db, setting):
    setting["facilitator"].is_active_account = False
    db.session.commit()
    assert check_assignment(setting["session"], setting["facilitator"], "lead").hard == [
        "The facilitator's account is inactive."
    ]


def test_outside_weekly_availability_is_a_warning(db, setting):
    for slot in db.session.scalars(select(AvailabilitySlot)):
        slot.end_time = slot.end_time.replace(hour=15, minute=59)  # the session ends at 16:00 local
    db.session.commit()
    check = check_assignment(setting["session"], setting["facilitator"], "lead")
    assert check.hard == [] and check.soft == ["Outside the facilitator's weekly availability."]


def test_a_slot_ending_exactly_with_the_session_covers_it(db, setting):
    for slot in db.session.scalars(select(AvailabilitySlot)):
        slot.start_time, slot.end_time = slot.start_time.replace(hour=14), slot.end_time.replace(hour=16)
    db.session.commit()
    assert check_assignment(setting["session"], setting["facilitator"], "lead").soft == []


def test_days_away_are_a_warning(db, setting):
    db.session.add(
        AvailabilityException(
            user_id=setting["facilitator"].id,
            start_date=date(2026, 10, 6),
            end_date=date(2026, 10, 6),
            reason="exams",
        )
    )
    db.session.commit()
    assert check_assignment(setting["session"], setting["facilitator"], "lead").soft == [
        "Away on that date: exams."
    ]


def test_language_not_spoken_is_a_warning(db, setting):
    profile = db.session.scalars(
        select(FacilitatorProfile).filter_by(user_id=setting["facilitator"].id)
    ).one()
    profile.languages = ["kk"]
    db.session.commit()
    soft = check_assignment(setting["session"], setting["facilitator"], "lead").soft
    assert soft == ["Does not speak the cohort's language (Russian)."]


def test_weekly_load_is_a_warning_only_above_the_maximum(db, setting, make_session, assign):
    profile = db.session.scalars(
        select(FacilitatorProfile).filter_by(user_id=setting["facilitator"].id)
    ).one()
    profile.max_sessions_per_week = 2
    db.session.commit()
    # Thursday of the same ISO week (local), at another time: one other session -> 2 in all, fine.
    _booked(setting, make_session, assign, "other_here", T0 + timedelta(days=2))
    assert check_assignment(setting["session"], setting["facilitator"], "lead").soft == []
    # Next Monday is another week and does not count.
    _booked(setting, make_session, assign, "other_here", T0 + timedelta(days=6))
    assert check_assignment(setting["session"], setting["facilitator"], "lead").soft == []
    _booked(setting, make_session, assign, "other_here", T0 - timedelta(days=1))
    soft = check_assignment(setting["session"], setting["facilitator"], "lead").soft
    assert soft == ["That week would have 3 sessions; the facilitator's maximum is 2."]


def test_soft_warnings_need_confirmation_and_hard_problems_refuse(db, setting):
    profile = db.session.scalars(
        select(FacilitatorProfile).filter_by(user_id=setting["facilitator"].id)
    ).one()
    profile.languages = ["en"]
    db.session.commit()
    with pytest.raises(NeedsConfirmation):
        assign_facilitator(setting["session"], setting["facilitator"], "lead")
    assert len(db.session.scalars(select(SessionAssignment)).all()) == 0
    assign_facilitator(setting["session"], setting["facilitator"], "lead", confirmed=True)
    assert len(db.session.scalars(select(SessionAssignment)).all()) == 1
    note = db.session.scalars(select(Notification).filter_by(user_id=setting["facilitator"].id)).one()
    assert note.kind == "assigned"
    with pytest.raises(AssignmentRefused) as refused:
        assign_facilitator(setting["session"], setting["facilitator"], "co", confirmed=True)
    assert "Already assigned to this session" in refused.value.check.hard[0]


def test_replacing_the_lead_notifies_both(db, setting, make_facilitator):
    second = make_facilitator(setting["department"].id, pass_facilities=[setting["here"].id])
    assign_facilitator(setting["session"], setting["facilitator"], "lead")
    assign_facilitator(setting["session"], second, "lead")
    leads = db.session.scalars(select(SessionAssignment).filter_by(session_id=setting["session"].id)).all()
    assert [a.user_id for a in leads] == [second.id]
    kinds = {(n.user_id, n.kind) for n in db.session.scalars(select(Notification))}
    assert (setting["facilitator"].id, "unassigned") in kinds and (second.id, "assigned") in kinds


def test_a_facilitator_of_another_department_is_refused(setting, make_department, make_facilitator):
    stranger = make_facilitator(make_department().id, pass_facilities=[setting["here"].id])
    with pytest.raises(ValidationFailed):
        assign_facilitator(setting["session"], stranger, "lead", confirmed=True)


def test_assign_to_cohort_reports_per_date(db, setting, make_session, assign):
    cohort = setting["cohort"]
    sessions = [setting["session"]] + [
        make_session(cohort, sequence=n, starts_at=T0 + timedelta(weeks=n - 1)) for n in range(2, 5)
    ]
    _booked(setting, make_session, assign, "other_there", sessions[1].starts_at)  # booked elsewhere
    for access_pass in db.session.scalars(select(AccessPass).filter_by(facility_id=setting["here"].id)):
        access_pass.valid_until = date(2026, 10, 26)  # the 4th session (27 Oct) is the day after expiry
    db.session.commit()
    report = assign_to_cohort(cohort, setting["facilitator"], "lead")
    outcomes = [(line.day, line.outcome) for line in report]
    assert outcomes == [
        (date(2026, 10, 6), "assigned"),
        (date(2026, 10, 13), "refused"),
        (date(2026, 10, 20), "assigned"),
        (date(2026, 10, 27), "refused"),
    ]
    assert "Already booked" in report[1].reasons[0]
    assert "No valid access pass" in report[3].reasons[0]
    assert (
        len(db.session.scalars(select(SessionAssignment).filter_by(user_id=setting["facilitator"].id)).all())
        == 3
    )
    assert db.session.scalars(select(Notification).filter_by(kind="assigned_many")).one().params["count"] == 2


def test_fitting_facilitators_are_ranked_best_first(db, setting, make_facilitator):
    department = setting["department"].id
    no_pass = make_facilitator(department, full_name="A No Pass")
    wrong_language = make_facilitator(
        department, pass_facilities=[setting["here"].id], languages=["en"], full_name="B"
    )
    fits = fitting_facilitators(setting["session"])
    assert [fit.user.id for fit in fits] == [setting["facilitator"].id, wrong_language.id, no_pass.id]
    assert fits[2].check.hard


def test_check_assignment_takes_a_user_id_too(setting):
    assert check_assignment(setting["session"], setting["facilitator"].id, "lead").hard == []
    assert isinstance(setting["facilitator"], User)
