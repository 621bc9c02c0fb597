"""The demo seeder answers the survey for the demo cohorts once, and only when it can."""

from __future__ import annotations

from sqlalchemy import func, select

from programme.core.demo_plan import DEMO_COHORTS
from programme.evaluation.analysis import SmallCells
from programme.evaluation.demo import has_survey_answers, seed_survey_answers
from programme.evaluation.scope import Filters
from programme.evaluation.survey import survey_tables
from programme.questionnaires.models import Response


def test_seeder_does_nothing_without_the_survey_instrument(db):
    assert seed_survey_answers() == []
    assert not has_survey_answers()


def test_seeder_answers_for_enrolled_people_once(
    db, make_survey_instrument, make_facility, make_cohort, make_participant, make_enrolment
):
    make_survey_instrument()
    plan = DEMO_COHORTS[0]
    facility = make_facility(region="almaty_city")
    cohort = make_cohort(facility_id=facility.id, name=plan.name, language=plan.language)
    other = make_cohort(facility_id=facility.id, name="Not a demo cohort")
    for _ in range(6):
        make_enrolment(make_participant(facility_id=facility.id), cohort)
    make_enrolment(make_participant(facility_id=facility.id), other)
    assert seed_survey_answers() == ["survey answers: 6"]
    assert has_survey_answers()
    assert seed_survey_answers() == []
    assert db.session.execute(select(func.count(Response.id))).scalar_one() == 6
    [table] = survey_tables(Filters(instrument="RESOC"), "pre", None, "en", SmallCells(5, True))
    assert table.respondents == 6
