"""The demo seeder, run on cohorts made with factories under the demo plan's names."""

from __future__ import annotations

from statistics import mean

import pytest
from sqlalchemy import func, select

from programme.core.demo_plan import DEMO_COHORTS
from programme.questionnaires.demo import seed_questionnaires
from programme.questionnaires.models import Administration, Answer, Instrument, Response, ResponseScore


@pytest.fixture
def demo_cohorts(make_cohort, make_expected_people):
    cohorts = {}
    for plan in DEMO_COHORTS:
        cohort = make_cohort(
            name=plan.name, status=plan.status, start_date=plan.start_date, language=plan.language
        )
        make_expected_people(cohort, plan.participants)
        cohorts[plan.name] = (plan, cohort)
    return cohorts


def test_seeder_does_nothing_without_cohorts(db):
    assert seed_questionnaires() == []
    assert db.session.execute(select(func.count(Instrument.id))).scalar_one() == 2  # instruments still load


def _administrations(db, cohort):
    rows = db.session.execute(
        select(Instrument.code, Administration.timepoint)
        .join(Instrument)
        .where(Administration.cohort_id == cohort.id)
    ).all()
    return sorted(rows)


def test_seeder_schedules_by_cohort_status(db, demo_cohorts):
    assert seed_questionnaires()
    for plan, cohort in demo_cohorts.values():
        expected = [("REFLECT", "pre"), ("RESOC", "pre")]
        if plan.status == "completed":
            expected = [("REFLECT", "post"), ("REFLECT", "pre"), ("RESOC", "pre")]
        assert _administrations(db, cohort) == expected, plan.name


def _scores(db, cohort_id: int, timepoint: str) -> dict[int, float]:
    rows = db.session.execute(
        select(Response.participant_id, ResponseScore.score)
        .join(Response, Response.id == ResponseScore.response_id)
        .join(Administration, Administration.id == Response.administration_id)
        .join(Instrument, Instrument.id == Administration.instrument_id)
        .where(
            Administration.cohort_id == cohort_id,
            Administration.timepoint == timepoint,
            Instrument.code == "REFLECT",
            ResponseScore.subscale_code == "TOTAL",
        )
    ).all()
    return {participant: score for participant, score in rows if score is not None}


def test_demo_responses_show_plausible_change_with_gaps(db, demo_cohorts):
    seed_questionnaires()
    for plan, cohort in demo_cohorts.values():
        if plan.status != "completed":
            continue
        pre, post = _scores(db, cohort.id, "pre"), _scores(db, cohort.id, "post")
        assert len(pre) == plan.participants
        assert 0 < plan.participants - len(post) <= 3  # a few people without post
        pairs = [post[p] - pre[p] for p in post]
        assert 0 < mean(pairs) < 1.2, plan.name
    missing = db.session.execute(
        select(func.count(Answer.id)).where(Answer.missing_code.is_not(None))
    ).scalar_one()
    assert missing > 0
    survey_values = set(
        db.session.execute(select(Answer.value_text).where(Answer.value_text.is_not(None))).scalars()
    )
    assert {"yes", "no", "not_needed"} <= survey_values


def test_running_cohorts_have_some_pre_answers_missing(db, demo_cohorts):
    seed_questionnaires()
    for plan, cohort in demo_cohorts.values():
        if plan.status == "running":
            assert 0 < len(_scores(db, cohort.id, "pre")) < plan.participants


def test_seeder_is_idempotent(db, demo_cohorts):
    seed_questionnaires()
    counts = [
        db.session.execute(select(func.count(model.id))).scalar_one()
        for model in (Administration, Response, Answer)
    ]
    assert seed_questionnaires() == []
    assert [
        db.session.execute(select(func.count(model.id))).scalar_one()
        for model in (Administration, Response, Answer)
    ] == counts
