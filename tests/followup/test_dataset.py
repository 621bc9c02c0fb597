"""The survival dataset: events and censoring, the 12-month window (boundary dates), filters,
groups, the Cox model's limits and the reliable change categories."""

from __future__ import annotations

from datetime import date

import pytest
from flask_babel import force_locale

from programme.followup.dataset import (
    FollowupFilters,
    build_dataset,
    proven_reoffending_12m,
    survival_outcome,
)
from programme.followup.measures import reoffending_rate_12m, survival_summary
from programme.followup.models import FollowUpCheck

RELEASED = date(2025, 1, 15)


def check(checked_on, outcome="no_new_conviction", offence=None, conviction=None) -> FollowUpCheck:
    return FollowUpCheck(
        checked_on=checked_on,
        outcome=outcome,
        offence_date=offence,
        conviction_date=conviction,
        months_after_release=0,
    )


def test_event_is_the_first_offence_of_a_reconviction():
    checks = [
        check(date(2025, 7, 20)),
        check(date(2026, 1, 20), "reconvicted", date(2025, 11, 1), date(2025, 12, 20)),
    ]
    assert survival_outcome(RELEASED, checks, date(2026, 11, 1)) == (
        (date(2025, 11, 1) - RELEASED).days,
        True,
    )


def test_censored_at_the_last_check_or_at_the_end_of_follow_up():
    assert survival_outcome(
        RELEASED, [check(date(2025, 7, 20)), check(date(2026, 1, 16))], date(2026, 11, 1)
    ) == (
        366,
        False,
    )
    ended = [
        check(date(2025, 7, 20), "left_country"),
        check(date(2026, 1, 16), "reconvicted", date(2025, 9, 1), date(2025, 12, 1)),
    ]
    assert survival_outcome(RELEASED, ended, date(2026, 11, 1)) == (
        (date(2025, 7, 20) - RELEASED).days,
        False,
    )
    assert survival_outcome(RELEASED, [check(date(2025, 3, 1), "deceased")], date(2026, 11, 1)) == (45, False)


def test_no_recorded_check_means_no_follow_up_yet_and_later_checks_are_ignored():
    assert survival_outcome(RELEASED, [check(None)], date(2026, 1, 1)) is None
    assert survival_outcome(RELEASED, [check(date(2026, 2, 1))], date(2026, 1, 1)) is None


@pytest.mark.parametrize(
    ("analysis_date", "eligible"),
    [(date(2026, 7, 14), False), (date(2026, 7, 15), True)],  # release + 18 months = 15 July 2026
)
def test_only_people_whose_whole_window_has_passed_are_eligible(analysis_date, eligible):
    assert proven_reoffending_12m(RELEASED, [], analysis_date) == (eligible, False)


@pytest.mark.parametrize(
    ("offence", "conviction", "proven"),
    [
        (date(2026, 1, 14), date(2026, 7, 14), True),  # last day of both windows
        (date(2026, 1, 15), date(2026, 3, 1), False),  # offence on the 12-month anniversary
        (date(2025, 12, 1), date(2026, 7, 15), False),  # convicted on the 18-month anniversary
        (date(2025, 1, 15), date(2025, 2, 1), True),  # offence on the day of release
    ],
)
def test_proven_reoffence_needs_offence_within_12_and_conviction_within_18_months(
    offence, conviction, proven
):
    checks = [check(date(2026, 8, 1), "reconvicted", offence, conviction)]
    assert proven_reoffending_12m(RELEASED, checks, date(2026, 9, 1)) == (True, proven)


@pytest.fixture
def released_people(
    db, make_facility, make_participant, make_release, make_check, make_cohort, make_enrolment
):
    """Six completers (two reoffend within 12 months), five comparison people (one reoffends)."""
    facility = make_facility()
    cohort = make_cohort(facility_id=facility.id, status="completed")
    people = []
    for index in range(6):
        person = make_participant(
            facility_id=facility.id, birth_year=1990, is_repeat_conviction=index % 2 == 0
        )
        make_enrolment(person, cohort, status="completed", final_attendance_rate=0.8 + index / 100)
        make_release(person, released_on=date(2025, 1, 15), months=())
        if index < 2:
            make_check(
                person,
                6,
                date(2025, 7, 20),
                "reconvicted",
                offence_date=date(2025, 5, 1),
                conviction_date=date(2025, 7, 1),
                offence_category="property",
                is_custodial=False,
            )
        else:
            make_check(person, 6, date(2025, 7, 20))
            make_check(person, 24, date(2026, 8, 1))
        people.append(person)
    for index in range(5):
        person = make_participant(facility_id=facility.id, is_comparison=True, consent=False, birth_year=1990)
        make_release(person, released_on=date(2025, 2, 1), months=())
        if index == 0:
            make_check(
                person,
                6,
                date(2025, 8, 1),
                "reconvicted",
                offence_date=date(2025, 6, 1),
                conviction_date=date(2025, 7, 1),
                offence_category="drugs",
                is_custodial=True,
            )
        else:
            make_check(person, 12, date(2026, 2, 10))
    unchecked = make_participant(facility_id=facility.id)
    make_release(unchecked, released_on=date(2026, 6, 1))
    return facility, cohort, people


def test_dataset_groups_and_counts(app, released_people):
    facility, _cohort, _people = released_people
    dataset = build_dataset({"facility_id": facility.id, "analysis_date": "2026-09-01"})
    assert dataset.released == 12 and dataset.without_check == 1
    assert sorted(r.group for r in dataset.rows).count("completer") == 6
    rate = reoffending_rate_12m(FollowupFilters(facility_id=facility.id, analysis_date=date(2026, 9, 1)))
    assert (rate.groups["completer"].n, rate.groups["completer"].count) == (6, 2)
    assert (rate.groups["comparison"].n, rate.groups["comparison"].count) == (5, 1)
    assert rate.overall.n == 11 and rate.overall.count == 3
    earlier = reoffending_rate_12m(FollowupFilters(facility_id=facility.id, analysis_date=date(2026, 7, 20)))
    assert earlier.groups["completer"].n == 6 and earlier.groups["comparison"].n == 0  # 1 Aug + 18 m


def test_filters_narrow_the_dataset(app, released_people):
    facility, cohort, _people = released_people
    repeat = build_dataset(FollowupFilters(facility_id=facility.id, conviction="repeat"))
    assert {r.is_repeat for r in repeat.rows} == {True}
    in_cohort = build_dataset(FollowupFilters(cohort_id=cohort.id))
    assert {r.group for r in in_cohort.rows} == {"completer", "comparison"}
    assert build_dataset(FollowupFilters(facility_id=facility.id, age_band="55+")).rows == []
    assert (
        build_dataset(FollowupFilters(facility_id=facility.id, released_from=date(2025, 1, 20))).released == 6
    )


def test_summary_has_curves_tests_and_a_clear_cox_message(app, released_people):
    facility, *_ = released_people
    with force_locale("en"):
        summary = survival_summary({"facility_id": facility.id, "analysis_date": "2026-09-01"})
    completers = next(c for c in summary.curves if c.group == "completer")
    assert (completers.n, completers.events) == (6, 2)
    assert [t.groups for t in summary.pairwise_tests] == [("completer", "comparison")]
    assert summary.cox.terms == [] and "do not allow a Cox model" in summary.cox.problem
    assert summary.dataset.change.problem  # no questionnaire scores: said so


def test_cox_model_is_fitted_when_the_numbers_allow(
    app, db, make_facility, make_participant, make_release, make_check
):
    facility = make_facility()
    for index in range(40):
        person = make_participant(
            facility_id=facility.id, birth_year=1970 + index % 30, is_repeat_conviction=index % 3 == 0
        )
        make_release(person, released_on=date(2025, 1, 15), months=())
        if index % 3 == 0 or index % 7 == 0:
            make_check(
                person,
                6,
                date(2025, 1, 15).replace(month=2 + index % 9),
                "reconvicted",
                offence_date=date(2025, 1, 20 + index % 8),
                conviction_date=date(2025, 1, 28),
            )
        else:
            make_check(person, 24, date(2026, 2, 1))
    with force_locale("en"):
        summary = survival_summary({"facility_id": facility.id, "analysis_date": "2026-09-01"})
    assert summary.cox.problem is None
    assert [t.covariate for t in summary.cox.terms][:1] == ["is_repeat"]
    assert summary.cox.terms[0].hazard_ratio > 1  # repeat convictions reoffend more here
    assert ("attendance_rate", "no variation or no data") in summary.cox.left_out


def test_reliable_change_categories_from_stored_scores(
    app,
    db,
    make_facility,
    make_participant,
    make_cohort,
    make_enrolment,
    make_release,
    make_check,
    make_instrument,
    make_administration,
    make_response,
):
    facility = make_facility()
    cohort = make_cohort(facility_id=facility.id, status="completed")
    instrument = make_instrument(subscales={"OPEN": 3})
    pre = make_administration(cohort, instrument, "pre")
    post = make_administration(cohort, instrument, "post")
    pre_answers = [(1, 2, 1), (3, 3, 4), (4, 5, 4), (2, 2, 3), (5, 4, 5), (3, 4, 3)]
    changes = [2.0, 0.1, -2.0, 0.0, 0.2, -0.1]
    for index, answers in enumerate(pre_answers):
        person = make_participant(facility_id=facility.id)
        make_enrolment(person, cohort, status="completed")
        score = sum(answers) / 3
        make_response(
            pre,
            person,
            answers=dict(zip(("OPEN1", "OPEN2", "OPEN3"), answers, strict=True)),
            scores={"TOTAL": score},
        )
        make_response(post, person, scores={"TOTAL": score + changes[index]})
        make_release(person, released_on=date(2025, 1, 15), months=())
        make_check(person, 6, date(2025, 7, 20))
    dataset = build_dataset({"facility_id": facility.id})
    info = dataset.change
    assert info.pairs == 6 and info.problem is None and 0 < info.reliability < 1
    categories = [r.rc_category for r in dataset.rows]
    assert categories[0] == "reliable_increase" and categories[2] == "reliable_decrease"
    assert categories[1] == categories[3] == "no_reliable_change"
    assert [r.prepost_change for r in dataset.rows] == pytest.approx(changes)
