"""Factories for instruments, administrations and responses with stored scores."""

from __future__ import annotations

from datetime import date

import pytest

from programme.questionnaires.models import (
    Administration,
    Answer,
    Instrument,
    InstrumentItem,
    Response,
    ResponseScore,
    Subscale,
)

AGREE5 = {
    "name": "agree5",
    "choices": [
        {"value": v, "texts": {"en": label}}
        for v, label in enumerate(
            ["Strongly disagree", "Disagree", "Neither", "Agree", "Strongly agree"], start=1
        )
    ],
}


@pytest.fixture
def make_instrument(db):
    """A scored Likert instrument: `subscales` maps a code to its number of items (1..5 scale)."""

    def factory(
        code: str = "TEST", subscales: dict | None = None, reverse: tuple = (), **values
    ) -> Instrument:
        subscales = subscales or {"OPEN": 3, "SELF": 3}
        instrument = Instrument(
            code=code,
            number=1,
            kind="scored",
            status="active",
            languages=["kk", "ru", "en"],
            texts={"en": {"name": f"{code} questionnaire"}},
            choice_lists=[AGREE5],
            **values,
        )
        position = 0
        for sub_position, (subscale, count) in enumerate(subscales.items()):
            instrument.subscales.append(
                Subscale(code=subscale, position=sub_position, texts={"en": subscale})
            )
            for index in range(1, count + 1):
                position += 1
                item_code = f"{subscale}{index}"
                instrument.items.append(
                    InstrumentItem(
                        position=position,
                        code=item_code,
                        item_type="likert",
                        choice_list="agree5",
                        subscale_code=subscale,
                        is_reverse=item_code in reverse,
                        min_value=1,
                        max_value=5,
                        texts={"en": f"Item {item_code}"},
                    )
                )
        instrument.subscales.append(Subscale(code="TOTAL", position=99, texts={"en": "Total"}))
        db.session.add(instrument)
        db.session.commit()
        return instrument

    return factory


@pytest.fixture
def make_administration(db):
    def factory(cohort, instrument, timepoint: str = "pre", **values) -> Administration:
        administration = Administration(
            cohort_id=cohort.id,
            instrument_id=instrument.id,
            timepoint=timepoint,
            **{"opens_on": date(2026, 1, 1), "closes_on": date(2027, 12, 31), **values},
        )
        db.session.add(administration)
        db.session.commit()
        return administration

    return factory


@pytest.fixture
def make_response(db):
    """A complete response: `answers` maps item code to a value (None = missing); `scores` maps
    subscale code to a stored score (the scoring service of the questionnaires domain computes
    these in the app; here they are given so evaluation tests control the numbers exactly)."""

    def factory(
        administration, participant, answers: dict | None = None, scores: dict | None = None, **values
    ) -> Response:
        response = Response(
            administration_id=administration.id,
            participant_id=participant.id,
            **{"status": "complete", "mode": "paper", "answered_on": date(2026, 10, 1), **values},
        )
        items = {item.code: item for item in administration.instrument.items}
        for code, value in (answers or {}).items():
            response.answers.append(
                Answer(
                    item_id=items[code].id,
                    entry=1,
                    value_number=value,
                    missing_code=None if value is not None else "missing",
                )
            )
        for code, score in (scores or {}).items():
            response.scores.append(
                ResponseScore(
                    subscale_code=code, score=score, answered_count=0, item_count=0, scoring_version=1
                )
            )
        db.session.add(response)
        db.session.commit()
        return response

    return factory


@pytest.fixture
def make_expected_people(db, make_participant, make_enrolment):
    """`count` consenting participants enrolled in the cohort (at its facility), in code order."""

    def factory(cohort, count: int = 3, **values) -> list:
        people = []
        for index in range(count):
            participant = make_participant(
                facility_id=cohort.facility_id, study_code=f"Q{cohort.id:03d}{index:03d}", **values
            )
            make_enrolment(participant, cohort)
            people.append(participant)
        return people

    return factory


@pytest.fixture
def shipped_instruments(db):
    """The two shipped instruments, loaded as `flask questionnaires import-shipped` does."""
    from programme.questionnaires.services.instruments import import_shipped

    return {instrument.code: instrument for instrument in import_shipped()}
