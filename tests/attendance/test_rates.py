"""Rates over held sessions and the completion rule, at their boundaries."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from programme.attendance.completion import apply_completion
from programme.attendance.rates import Rate, cohort_rates, facility_rates, rates_for_cohort_people
from programme.participants.models import Enrolment
from programme.scheduling.models import Cohort


def mark_all(make_mark, sessions, participant, statuses):
    for session, status in zip(sessions, statuses, strict=False):
        if status:
            make_mark(session, participant, status)


def test_only_held_sessions_count(db, make_held_cohort, make_session, make_mark):
    cohort, sessions, (person,) = make_held_cohort(people=1, held=3)
    cancelled = make_session(cohort, sequence=4, status="cancelled")
    scheduled = make_session(cohort, sequence=5, status="scheduled")
    mark_all(make_mark, sessions, person, ["present", "late", "absent"])
    make_mark(cancelled, person, "absent")
    make_mark(scheduled, person, "absent")
    rate = rates_for_cohort_people(cohort.id)[person.id]
    assert (rate.attended, rate.held) == (2, 3)


def test_a_held_session_without_a_mark_counts_as_missed(db, make_held_cohort, make_mark):
    cohort, sessions, (person,) = make_held_cohort(people=1, held=4)
    mark_all(make_mark, sessions, person, ["present", "present", "present", None])
    assert rates_for_cohort_people(cohort.id)[person.id] == Rate(held=4, attended=3)


@pytest.mark.parametrize(("excused_counts", "expected"), [(True, 3), (False, 2)])
def test_excused_counts_as_the_curriculum_says(
    db, make_held_cohort, make_curriculum_version, make_mark, excused_counts, expected
):
    version = make_curriculum_version(excused_count_as_attended=excused_counts)
    cohort, sessions, (person,) = make_held_cohort(
        people=1, held=4, department_id=version.curriculum.department_id, curriculum_version_id=version.id
    )
    mark_all(make_mark, sessions, person, ["present", "excused", "late", "absent"])
    assert rates_for_cohort_people(cohort.id)[person.id].attended == expected


@pytest.mark.parametrize(
    ("attended", "held", "percent", "completes"),
    [
        (6, 8, 75, True),  # exactly 75 %
        (5, 8, 75, False),  # 62.5 %
        (3, 4, 75, True),
        (2, 3, 67, False),  # 66.67 % < 67
        (2, 3, 66, True),
        (10, 10, 100, True),
        (9, 10, 100, False),
        (0, 0, 75, False),  # nothing held, nothing completed
    ],
)
def test_completion_share_boundaries(attended, held, percent, completes):
    assert Rate(held=held, attended=attended).reaches(percent) is completes


def test_completion_rule_sets_statuses_and_final_rates(
    db, make_held_cohort, make_curriculum_version, make_mark, make_participant, make_enrolment
):
    version = make_curriculum_version(completion_percent=75, plans=8)
    cohort, sessions, people = make_held_cohort(
        people=3, held=8, department_id=version.curriculum.department_id, curriculum_version_id=version.id
    )
    exactly, below, excused = people
    mark_all(make_mark, sessions, exactly, ["present"] * 6 + ["absent"] * 2)
    mark_all(make_mark, sessions, below, ["present"] * 5 + ["absent"] * 3)
    mark_all(make_mark, sessions, excused, ["present"] * 4 + ["excused"] * 2 + ["absent"] * 2)
    gone = make_participant(facility_id=cohort.facility_id)
    make_enrolment(gone, cohort, status="withdrawn", withdrawal_reason="released")
    cohort.status = "completed"
    db.session.commit()
    result = apply_completion(cohort)
    assert (result.completed, result.not_completed) == (2, 1)
    statuses = {e.participant_id: e for e in db.session.execute(select(Enrolment)).scalars()}
    assert statuses[exactly.id].status == "completed" and statuses[exactly.id].completed_at is not None
    assert statuses[exactly.id].final_attendance_rate == pytest.approx(0.75)
    assert statuses[below.id].status == "enrolled"
    assert statuses[below.id].final_attendance_rate == pytest.approx(0.625)
    assert statuses[excused.id].status == "completed"
    assert statuses[gone.id].status == "withdrawn"
    assert apply_completion(cohort) == result  # running it again changes nothing


def test_cohort_and_facility_rates_pool_enrolled_people(
    db, make_held_cohort, make_mark, make_participant, make_enrolment
):
    cohort, sessions, (first, second) = make_held_cohort(people=2, held=2)
    mark_all(make_mark, sessions, first, ["present", "present"])
    mark_all(make_mark, sessions, second, ["absent", "present"])
    leaver = make_participant(facility_id=cohort.facility_id)
    make_enrolment(leaver, cohort, status="withdrawn", withdrawal_reason="voluntary")
    mark_all(make_mark, sessions, leaver, ["absent", "absent"])
    assert cohort_rates(Cohort.id == cohort.id)[cohort.id] == Rate(held=4, attended=3)
    other, other_sessions, (third,) = make_held_cohort(people=1, held=2, facility_id=cohort.facility_id)
    mark_all(make_mark, other_sessions, third, ["absent", "absent"])
    assert facility_rates()[cohort.facility_id] == Rate(held=6, attended=3)
    assert facility_rates()[cohort.facility_id].percent == 50.0
