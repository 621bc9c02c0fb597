"""Factories for evaluation tests: the shipped categorical survey, categorical answers, and a
ready-made pre/post study (cohorts at facilities, people, scored responses with item answers)."""

from __future__ import annotations

import json
import random
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import pytest

from programme.questionnaires.models import (
    Answer,
    Instrument,
    InstrumentItem,
    Response,
    ResponseScore,
    ResponseValues,
)

SURVEY_FILE = (
    Path(__file__).resolve().parents[2] / "programme/questionnaires/instruments/resocialisation_survey.json"
)


@pytest.fixture
def make_survey_instrument(db):
    """The shipped resocialisation survey (pip-instrument/1) as Instrument rows."""

    def factory() -> Instrument:
        content = json.loads(SURVEY_FILE.read_text(encoding="utf-8"))
        instrument = Instrument(
            code=content["code"],
            number=1,
            kind=content["kind"],
            status="active",
            languages=content["languages"],
            texts=content["texts"],
            choice_lists=content["choice_lists"],
            groups=content["groups"],
        )
        for position, item in enumerate(content["items"], start=1):
            instrument.items.append(
                InstrumentItem(
                    position=position,
                    code=item["code"],
                    item_type=item["type"],
                    choice_list=item["choice_list"],
                    group_code=item["group"],
                    texts=item["texts"],
                )
            )
        db.session.add(instrument)
        db.session.commit()
        return instrument

    return factory


@pytest.fixture
def make_categorical_response(db):
    def factory(administration, participant, answers: dict, **values) -> Response:
        response = Response(
            administration_id=administration.id,
            participant_id=participant.id,
            **{"status": "complete", "mode": "paper", "answered_on": date(2026, 10, 1), **values},
        )
        items = {item.code: item for item in administration.instrument.items}
        for code, value in answers.items():
            response.answers.append(
                Answer(
                    item_id=items[code].id,
                    entry=1,
                    value_text=value,
                    missing_code=None if value is not None else "missing",
                )
            )
        db.session.add(response)
        return response

    return factory


@dataclass
class Study:
    instrument: Instrument
    cohorts: list = field(default_factory=list)
    people: list = field(default_factory=list)  # (participant, cohort, pre answers, post answers)


@pytest.fixture
def make_study(
    db, make_facility, make_cohort, make_participant, make_enrolment, make_instrument, make_administration
):
    """Cohorts (one per region given) each with `per_cohort` people answering a 2 x 3 item Likert
    instrument before and after; scores stored as item means (reverse item OPEN3 flipped)."""

    def score_of(answers: dict, codes: list[str]) -> float | None:
        values = [
            (6 - answers[c]) if c == "OPEN3" else answers[c] for c in codes if answers.get(c) is not None
        ]
        return sum(values) / len(values) if len(values) >= 0.8 * len(codes) else None

    def factory(
        regions=("karaganda", "abai"),
        per_cohort: int = 8,
        seed: int = 7,
        instrument=None,
        post_missing: int = 1,
    ) -> Study:
        rng = random.Random(seed)
        instrument = instrument or make_instrument(code="REFLECT", reverse=("OPEN3",))
        study = Study(instrument)
        scales = {"OPEN": ["OPEN1", "OPEN2", "OPEN3"], "SELF": ["SELF1", "SELF2", "SELF3"]}
        scales["TOTAL"] = scales["OPEN"] + scales["SELF"]
        for index, region in enumerate(regions):
            facility = make_facility(region=region)
            cohort = make_cohort(
                facility_id=facility.id, status="completed", start_date=date(2026, 3, 3 + index)
            )
            study.cohorts.append(cohort)
            pre = make_administration(cohort, instrument, "pre")
            post = make_administration(cohort, instrument, "post")
            for number in range(per_cohort):
                person = make_participant(
                    facility_id=facility.id,
                    birth_year=rng.choice([1960, 1975, 1985, 1995, 2002]),
                    is_repeat_conviction=number % 3 == 0,
                )
                make_enrolment(
                    person,
                    cohort,
                    status="completed",
                    final_attendance_rate=rng.choice([0.3, 0.6, 0.8, 0.9, 1.0]),
                )
                level = rng.randint(2, 3)
                before = {code: min(5, max(1, level + rng.choice([-1, 0, 0, 1]))) for code in scales["TOTAL"]}
                gain = rng.choice([0, 1, 1, 2])
                after = {code: min(5, max(1, v + rng.choice([0, gain]))) for code, v in before.items()}
                responses = [(pre, before)]
                if number >= post_missing:
                    responses.append((post, after))
                else:
                    after = None
                for administration, answers in responses:
                    response = Response(
                        administration_id=administration.id,
                        participant_id=person.id,
                        status="complete",
                        mode="paper",
                        answered_on=date(2026, 3, 3),
                    )
                    items = {item.code: item for item in instrument.items}
                    for code, value in answers.items():
                        response.answers.append(Answer(item_id=items[code].id, entry=1, value_number=value))
                    scale_scores = {scale: score_of(answers, codes) for scale, codes in scales.items()}
                    for scale, codes in scales.items():
                        response.scores.append(
                            ResponseScore(
                                subscale_code=scale,
                                score=scale_scores[scale],
                                answered_count=len(codes),
                                item_count=len(codes),
                                scoring_version=1,
                            )
                        )
                    db.session.add(response)
                    db.session.flush()
                    stored = {
                        item.code: answers.get(item.code) for item in instrument.items if item.code in answers
                    }
                    db.session.add(
                        ResponseValues(
                            response_id=response.id,
                            **ResponseValues.encode(stored, scale_scores),
                        )
                    )
                study.people.append((person, cohort, before, after))
        db.session.commit()
        return study

    return factory
