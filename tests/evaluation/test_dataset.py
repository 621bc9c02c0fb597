"""The analysis dataset from the database: scope, filters, attrition, consent exclusion."""

from __future__ import annotations

from datetime import date

import numpy as np
import pytest
from scipy import stats

from programme.evaluation.analysis import compare, dose, groups
from programme.evaluation.dataset import build_dataset
from programme.evaluation.scope import Filters
from programme.participants.models import Consent


def expected_scores(study, region=None):
    rows = []
    for person, cohort, before, after in study.people:
        if region and cohort.facility.region != region:
            continue
        rows.append((person, before, after))
    return rows


def mean_of(answers, codes):
    return sum((6 - answers[c]) if c == "OPEN3" else answers[c] for c in codes) / len(codes)


def test_dataset_pairs_people_and_counts_attrition(make_study):
    study = make_study(per_cohort=6, post_missing=1)
    dataset = build_dataset(Filters(instrument="REFLECT"))
    assert len(dataset.cases) == 12
    assert dataset.attrition.both == 10
    assert dataset.attrition.first_only == 2
    assert dataset.attrition.second_only == 0
    assert dataset.attrition.excluded == 0
    assert [scale.code for scale in dataset.scales] == ["OPEN", "SELF", "TOTAL"]
    person, _cohort, before, after = study.people[3]
    case = next(c for c in dataset.cases if c.study_code == person.study_code)
    assert case.score("pre", "OPEN") == pytest.approx(mean_of(before, ["OPEN1", "OPEN2", "OPEN3"]))
    assert case.score("post", "TOTAL") == pytest.approx(
        mean_of(after, ["OPEN1", "OPEN2", "OPEN3", "SELF1", "SELF2", "SELF3"])
    )


def test_region_filter_keeps_only_that_region(make_study):
    make_study(per_cohort=6)
    dataset = build_dataset(Filters(instrument="REFLECT", region="abai"))
    assert {case.region for case in dataset.cases} == {"abai"}
    assert len(dataset.cases) == 6


def test_people_asking_for_exclusion_are_dropped_and_counted(db, make_study):
    study = make_study(per_cohort=6)
    person = study.people[2][0]
    person.consents[0].withdrawn_on = date(2026, 5, 1)
    person.consents[0].withdrawal_choice = "exclude_data"
    stopped = study.people[4][0]
    stopped.consents.append(
        Consent(
            consented_on=date(2026, 1, 1),
            form_version="v1",
            withdrawn_on=date(2026, 5, 2),
            withdrawal_choice="stop_taking_part",
        )
    )
    db.session.commit()
    dataset = build_dataset(Filters(instrument="REFLECT"))
    codes = {case.study_code for case in dataset.cases}
    assert person.study_code not in codes
    assert stopped.study_code in codes
    assert dataset.attrition.excluded == 1


@pytest.mark.parametrize(
    ("name", "value", "check"),
    [
        ("age_band", "61_plus", lambda p, c: 2026 - p.birth_year >= 61),
        ("age_band", "25_34", lambda p, c: 25 <= 2026 - p.birth_year <= 34),
        ("conviction", "repeat", lambda p, c: p.is_repeat_conviction),
        ("conviction", "first", lambda p, c: not p.is_repeat_conviction),
        ("attendance_band", "75_plus", lambda p, c: p.enrolments[0].final_attendance_rate >= 0.75),
        ("attendance_band", "under_50", lambda p, c: p.enrolments[0].final_attendance_rate < 0.5),
    ],
)
def test_filters_select_the_right_people(make_study, name, value, check):
    study = make_study(per_cohort=10)
    dataset = build_dataset(Filters(instrument="REFLECT", **{name: value}))
    expected = {p.study_code for p, c, _b, _a in study.people if check(p, c)}
    assert expected
    assert {case.study_code for case in dataset.cases} == expected


def test_cohort_period_and_language_filters(make_study):
    study = make_study(per_cohort=5)
    first = study.cohorts[0]
    assert {c.cohort_id for c in build_dataset(Filters(instrument="REFLECT", cohort_id=first.id)).cases} == {
        first.id
    }
    later = build_dataset(Filters(instrument="REFLECT", period_from=date(2026, 3, 4)))
    assert {c.cohort_id for c in later.cases} == {study.cohorts[1].id}
    assert build_dataset(Filters(instrument="REFLECT", language="kk")).cases == []
    assert len(build_dataset(Filters(instrument="REFLECT", language="ru")).cases) == 10


def test_attendance_rate_from_marks_when_no_final_rate(db, make_study, make_session):
    from programme.attendance.models import AttendanceMark

    study = make_study(regions=("karaganda",), per_cohort=3)
    cohort = study.cohorts[0]
    cohort.curriculum_version.excused_count_as_attended = True
    sessions = [make_session(cohort, sequence=i, status="held") for i in range(1, 5)]
    make_session(cohort, sequence=5, status="cancelled")
    person = study.people[0][0]
    person.enrolments[0].final_attendance_rate = None
    for session, status in zip(sessions, ["present", "late", "excused", "absent"], strict=True):
        db.session.add(AttendanceMark(session_id=session.id, participant_id=person.id, status=status))
    db.session.commit()
    case = next(
        c for c in build_dataset(Filters(instrument="REFLECT")).cases if c.study_code == person.study_code
    )
    assert case.attendance_rate == pytest.approx(0.75)
    assert case.attendance_band == "75_plus"
    cohort.curriculum_version.excused_count_as_attended = False
    db.session.commit()
    case = next(
        c for c in build_dataset(Filters(instrument="REFLECT")).cases if c.study_code == person.study_code
    )
    assert case.attendance_rate == pytest.approx(0.5)


def test_comparison_uses_the_stored_scores_and_item_answers(make_study):
    study = make_study(per_cohort=8)
    comparisons = {c.scale.code: c for c in compare(build_dataset(Filters(instrument="REFLECT")))}
    pairs = [(b, a) for _p, _c, b, a in study.people if a is not None]
    codes = ["SELF1", "SELF2", "SELF3"]
    before = np.array([mean_of(b, codes) for b, _a in pairs])
    after = np.array([mean_of(a, codes) for _b, a in pairs])
    result = comparisons["SELF"].result
    assert result.n == len(pairs) == 14
    assert result.t == pytest.approx(stats.ttest_rel(after, before).statistic, abs=1e-9)
    items = np.array([[b[c] for c in codes] for _p, _c, b, _a in study.people], dtype=float)
    k = 3
    alpha = k / (k - 1) * (1 - items.var(axis=0, ddof=1).sum() / items.sum(axis=1).var(ddof=1))
    assert comparisons["SELF"].alpha_first.value == pytest.approx(alpha, abs=1e-9)
    # The reverse-keyed item is flipped before alpha.
    open_items = np.array(
        [[b["OPEN1"], b["OPEN2"], 6 - b["OPEN3"]] for _p, _c, b, _a in study.people], dtype=float
    )
    open_alpha = k / (k - 1) * (1 - open_items.var(axis=0, ddof=1).sum() / open_items.sum(axis=1).var(ddof=1))
    assert comparisons["OPEN"].alpha_first.value == pytest.approx(open_alpha, abs=1e-9)
    assert comparisons["TOTAL"].rci.n == 14
    holm_input = [comparisons[c].result.p for c in ("OPEN", "SELF", "TOTAL")]
    assert comparisons["SELF"].p_holm >= comparisons["SELF"].result.p
    assert max(c.p_holm for c in comparisons.values()) <= 1
    assert len(holm_input) == 3


def test_dose_and_groups(make_study):
    study = make_study(per_cohort=8)
    dataset = build_dataset(Filters(instrument="REFLECT"))
    result = dose(dataset, "TOTAL")
    assert len(result.points) == 14
    expected = stats.spearmanr([p.change for p in result.points], [p.attendance_rate for p in result.points])
    assert result.correlation.rho == pytest.approx(expected.statistic, abs=1e-9)
    assert [code for code, _label, _r in result.bands] == ["under_50", "50_74", "75_plus"]
    scale, by_facility = groups(dataset, "TOTAL", "facility")
    assert scale.code == "TOTAL"
    assert sorted(g.label for g in by_facility) == sorted(c.facility.code for c in study.cohorts)
    assert sum(g.result.n for g in by_facility) == 14


def test_no_instrument_gives_an_empty_dataset(db):
    dataset = build_dataset(Filters(instrument="NOPE"))
    assert dataset.cases == [] and dataset.scales == []
    assert compare(dataset) == []


@pytest.mark.parametrize("filters", [{}, {"region": "karaganda"}, {"attendance_band": "75_plus"}])
def test_scores_only_dataset_gives_the_same_cases_scores_and_comparison(make_study, filters):
    make_study(per_cohort=6, post_missing=1)
    full = build_dataset(Filters(instrument="REFLECT", **filters))
    slim = build_dataset(Filters(instrument="REFLECT", **filters), attendance=False, attributes=False)
    # No cases built: the same people's scores as arrays, in the full dataset's case order.
    assert slim.cases == [] and slim.case_count == len(full.cases) > 0
    assert slim.score_arrays.keys() == full.score_arrays.keys()
    for (timepoint, scale), scores in full.score_arrays.items():
        np.testing.assert_array_equal(slim.score_arrays[(timepoint, scale)], scores)
        from_cases = [case.score(timepoint, scale) for case in full.cases]
        np.testing.assert_array_equal(scores, np.array(from_cases, dtype=float))
    assert slim.attrition == full.attrition
    for timepoint in ("pre", "post"):
        np.testing.assert_array_equal(slim.answer_matrices[timepoint], full.answer_matrices[timepoint])
    assert [(c.result, c.alpha_first, c.p_holm) for c in compare(slim)] == [
        (c.result, c.alpha_first, c.p_holm) for c in compare(full)
    ]
