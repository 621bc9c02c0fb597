"""Demo: the shipped instruments; reflection questionnaires before (and, for completed cohorts,
after) the course with a plausible small improvement and some gaps; the resocialisation survey
before the course in every demo cohort.

Answers are written with bulk inserts: thousands of demo answers are not user actions, so they
do not go through the per-row audit trail (the responses themselves do).
"""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import insert, select

from programme.core.demo_plan import DEMO_COHORTS
from programme.core.services import unit_of_work
from programme.extensions import db
from programme.questionnaires.models import Administration, Answer, Instrument, Response
from programme.questionnaires.services.administrations import expected_people
from programme.questionnaires.services.entry import choices_of
from programme.questionnaires.services.instruments import import_shipped
from programme.questionnaires.services.scores import recompute_scores
from programme.scheduling.models import Cohort

REFLECTION = "REFLECT"
SURVEY = "RESOC"
# Share of answers people leave out or refuse on paper.
MISSING_SHARE = 0.04
REFUSED_SHARE = 0.01
# Categorical answers of the survey: how often each value comes up, by choice list.
SURVEY_WEIGHTS = {
    "yes_no_not_needed": {"yes": 5, "no": 3, "not_needed": 2},
    "yes_no_did_not_need": {"yes": 5, "no": 3, "not_needed": 2},
    "yes_no_hard": {"yes": 2, "no": 6, "hard_to_say": 2},
}


def _windows(cohort: Cohort) -> dict[str, tuple[date, date]]:
    start = cohort.start_date
    return {
        "pre": (start - timedelta(days=14), start + timedelta(days=7)),
        "post": (start + timedelta(days=63), start + timedelta(days=84)),
    }


def _administration(cohort: Cohort, instrument: Instrument, timepoint: str) -> tuple[Administration, bool]:
    found = db.session.execute(
        select(Administration).where(
            Administration.cohort_id == cohort.id,
            Administration.instrument_id == instrument.id,
            Administration.timepoint == timepoint,
        )
    ).scalar_one_or_none()
    if found is not None:
        return found, False
    opens_on, closes_on = _windows(cohort)[timepoint]
    administration = Administration(
        cohort_id=cohort.id,
        instrument_id=instrument.id,
        timepoint=timepoint,
        opens_on=opens_on,
        closes_on=closes_on,
        requires_double_entry=False,
    )
    db.session.add(administration)
    db.session.flush()
    return administration, True


def _answer_day(administration: Administration, rng: random.Random) -> date:
    last = min(administration.closes_on, date.today())
    span = max(0, (last - administration.opens_on).days)
    return administration.opens_on + timedelta(days=rng.randint(0, span))


def _likert_answers(instrument: Instrument, levels: dict[str, float], rng: random.Random) -> list[dict]:
    rows = []
    for item in instrument.items:
        roll = rng.random()
        if roll < MISSING_SHARE + REFUSED_SHARE:
            code = "missing" if roll < MISSING_SHARE else "refused"
            rows.append({"item_id": item.id, "value_number": None, "value_text": None, "missing_code": code})
            continue
        low, high = int(item.min_value), int(item.max_value)
        agreement = levels[item.subscale_code] + rng.gauss(0, 0.7)
        value = max(low, min(high, round(agreement)))
        if item.is_reverse:
            value = low + high - value
        rows.append(
            {"item_id": item.id, "value_number": float(value), "value_text": None, "missing_code": None}
        )
    return rows


def _survey_answers(instrument: Instrument, rng: random.Random) -> list[dict]:
    rows = []
    for item in instrument.items:
        if rng.random() < MISSING_SHARE:
            rows.append(
                {"item_id": item.id, "value_number": None, "value_text": None, "missing_code": "missing"}
            )
            continue
        values = [str(choice["value"]) for choice in choices_of(item)]
        weights = SURVEY_WEIGHTS.get(item.choice_list, {})
        chosen = rng.choices(values, weights=[weights.get(v, 1) for v in values])[0]
        rows.append({"item_id": item.id, "value_number": None, "value_text": chosen, "missing_code": None})
    return rows


def _respond(
    administration: Administration, people, answers: dict[int, list[dict]], rng: random.Random
) -> int:
    """Responses of the given people with their answers (bulk inserted)."""
    if not people:
        return 0
    responses = []
    for person in people:
        day = _answer_day(administration, rng)
        response = Response(
            administration_id=administration.id,
            participant_id=person.id,
            status="complete",
            mode="kiosk" if rng.random() < 0.2 else "paper",
            language=administration.cohort.language,
            answered_on=day,
            completed_at=datetime.combine(day, time(12, 0), tzinfo=UTC),
        )
        db.session.add(response)
        responses.append((response, person))
    db.session.flush()
    rows = []
    for response, person in responses:
        for row in answers[person.id]:
            rows.append({"response_id": response.id, "entry": 1, **row})
    db.session.execute(insert(Answer), rows)
    return len(responses)


def _has_responses(administration: Administration) -> bool:
    return (
        db.session.execute(
            select(Response.id).where(Response.administration_id == administration.id).limit(1)
        ).first()
        is not None
    )


def seed_questionnaires() -> list[str]:
    import_shipped()
    instruments = {
        code: db.session.execute(
            select(Instrument)
            .where(Instrument.code == code, Instrument.status == "active")
            .order_by(Instrument.number.desc())
        )
        .scalars()
        .first()
        for code in (REFLECTION, SURVEY)
    }
    cohorts = {
        cohort.name: cohort
        for cohort in db.session.execute(
            select(Cohort).where(Cohort.name.in_([plan.name for plan in DEMO_COHORTS]))
        ).scalars()
    }
    if not cohorts or None in instruments.values():
        return []
    reflection, survey = instruments[REFLECTION], instruments[SURVEY]
    created_administrations = created_responses = 0
    with unit_of_work():
        for plan in DEMO_COHORTS:
            cohort = cohorts.get(plan.name)
            if cohort is None:
                continue
            rng = random.Random(f"questionnaires-{plan.name}")  # noqa: S311 - demo data, not secrets
            timepoints = ["pre", "post"] if plan.status == "completed" else ["pre"]
            administrations = {}
            for timepoint in timepoints:
                administrations[timepoint], made = _administration(cohort, reflection, timepoint)
                created_administrations += made
            survey_pre, made = _administration(cohort, survey, "pre")
            created_administrations += made
            people = list(db.session.execute(expected_people(administrations["pre"])).scalars())
            levels = {
                person.id: {s.code: rng.gauss(3.0, 0.5) for s in reflection.subscales} for person in people
            }
            gain = {person.id: rng.gauss(0.35, 0.35) for person in people}
            pre = administrations["pre"]
            if not _has_responses(pre):
                answering = people if plan.status == "completed" else people[: max(0, len(people) - 2)]
                answers = {p.id: _likert_answers(reflection, levels[p.id], rng) for p in answering}
                created_responses += _respond(pre, answering, answers, rng)
            post = administrations.get("post")
            if post is not None and not _has_responses(post):
                answering = [p for index, p in enumerate(people) if index % 6 != 5]  # a few without post
                answers = {
                    p.id: _likert_answers(
                        reflection, {code: level + gain[p.id] for code, level in levels[p.id].items()}, rng
                    )
                    for p in answering
                }
                created_responses += _respond(post, answering, answers, rng)
            if not _has_responses(survey_pre):
                answers = {p.id: _survey_answers(survey, rng) for p in people}
                created_responses += _respond(survey_pre, people, answers, rng)
    if created_responses:
        recompute_scores(reflection)
    if not (created_administrations or created_responses):
        return []
    return [f"questionnaires: {created_administrations} administrations, {created_responses} responses"]


def has_questionnaires() -> bool:
    return db.session.execute(select(Instrument.id).limit(1)).first() is not None
