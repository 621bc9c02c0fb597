"""The seed survey's Table 1 layout reproduces percentages computed independently."""

from __future__ import annotations

import random

import pandas as pd
import pytest

from programme.evaluation.analysis import SmallCells
from programme.evaluation.scope import Filters
from programme.evaluation.survey import survey_tables
from programme.participants.models import Consent

OPEN = SmallCells(minimum=5, active=False)


@pytest.fixture
def survey(
    db,
    make_survey_instrument,
    make_facility,
    make_cohort,
    make_participant,
    make_administration,
    make_categorical_response,
):
    instrument = make_survey_instrument()
    choices = {entry["name"]: [c["value"] for c in entry["choices"]] for entry in instrument.choice_lists}
    rng = random.Random(11)
    records = []
    for region in ("karaganda", "abai", "turkestan"):
        facility = make_facility(region=region)
        cohort = make_cohort(facility_id=facility.id)
        administration = make_administration(cohort, instrument, "pre")
        for number in range(9 if region != "turkestan" else 3):
            person = make_participant(
                facility_id=facility.id,
                birth_year=rng.choice([1960, 1990]),
                is_repeat_conviction=number % 2 == 0,
            )
            answers = {}
            for item in instrument.items:
                answers[item.code] = rng.choice(choices[item.choice_list] + [None])
            make_categorical_response(administration, person, answers)
            records.extend(
                {
                    "region": region,
                    "repeat": person.is_repeat_conviction,
                    "item": code,
                    "answer": value,
                    "person": person.id,
                }
                for code, value in answers.items()
            )
    db.session.commit()
    return instrument, pd.DataFrame.from_records(records)


def expected_percentages(frame: pd.DataFrame) -> dict:
    answered = frame.dropna(subset=["answer"])
    table = pd.crosstab(answered["item"], answered["answer"], normalize="index") * 100
    return {(item, answer): table.loc[item, answer] for item in table.index for answer in table.columns}


def test_overall_table_reproduces_independent_percentages(survey):
    instrument, frame = survey
    [table] = survey_tables(Filters(instrument="RESOC"), "pre", None, "en", OPEN)
    expected = expected_percentages(frame)
    assert table.respondents == frame["person"].nunique() == 21
    rows = {row.item_code: row for section in table.sections for row in section.rows}
    assert list(rows) == [item.code for item in instrument.items]
    for (item, answer), percent in expected.items():
        assert rows[item].percent(answer) == pytest.approx(percent, abs=1e-9)
        assert rows[item].shown(answer) == f"{percent:.1f}"
    for code, row in rows.items():
        assert row.n == frame[(frame["item"] == code)]["answer"].notna().sum()
    # Table 1 of the article: the six "after release" items share one section with its question.
    after_release = next(s for s in table.sections if s.title)
    assert after_release.title.startswith("After release from this facility")
    assert [row.item_code for row in after_release.rows][0] == "AR_EMPLOYMENT"
    assert [label for _v, label in after_release.choices] == ["Yes", "No", "I do not need it", "Hard to say"]


def test_tables_by_region_and_conviction(survey):
    _instrument, frame = survey
    tables = survey_tables(Filters(instrument="RESOC"), "pre", "region", "en", OPEN)
    assert {t.key for t in tables} == {"karaganda", "abai", "turkestan"}
    abai = next(t for t in tables if t.key == "abai")
    expected = expected_percentages(frame[frame["region"] == "abai"])
    rows = {row.item_code: row for section in abai.sections for row in section.rows}
    for (item, answer), percent in expected.items():
        assert rows[item].percent(answer) == pytest.approx(percent, abs=1e-9)
    by_conviction = survey_tables(Filters(instrument="RESOC"), "pre", "conviction", "ru", OPEN)
    repeat = next(t for t in by_conviction if t.key == "repeat")
    assert repeat.respondents == frame[frame["repeat"]]["person"].nunique()
    assert repeat.label == "Повторная судимость" or repeat.label == "Repeat conviction"


def test_small_groups_are_suppressed_for_evaluators(survey):
    tables = survey_tables(Filters(instrument="RESOC"), "pre", "region", "en", SmallCells(5, True))
    turkestan = next(t for t in tables if t.key == "turkestan")
    assert turkestan.respondents == 3
    assert turkestan.suppressed
    assert all(
        (row.suppressed or row.n == 0) and row.shown("yes") == ""
        for s in turkestan.sections
        for row in s.rows
    )
    karaganda = next(t for t in tables if t.key == "karaganda")
    assert not karaganda.suppressed
    assert all(row.percent("yes") is not None for s in karaganda.sections for row in s.rows if row.n >= 5)


def test_people_excluded_for_consent_are_not_counted(db, survey):
    _instrument, frame = survey
    from programme.participants.models import Participant

    person = db.session.get(Participant, int(frame["person"].iloc[0]))
    person.consents.append(
        Consent(
            consented_on=person.consents[0].consented_on, form_version="v1", withdrawal_choice="exclude_data"
        )
    )
    db.session.commit()
    [table] = survey_tables(Filters(instrument="RESOC"), "pre", None, "en", OPEN)
    assert table.respondents == 20
