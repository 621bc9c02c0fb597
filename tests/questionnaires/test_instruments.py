"""Instruments: the shipped ones, versions, the lock once responses exist, rule corrections."""

from __future__ import annotations

import math

import pytest
from sqlalchemy import func, select

from programme.core.services import ValidationFailed
from programme.questionnaires.models import Instrument, ResponseScore, ResponseValues, unpack_numbers
from programme.questionnaires.services import instruments as services
from programme.questionnaires.services.definitions import definition_of, normalised
from programme.questionnaires.services.scores import score_response
from tests.core.db_state import changed_tables, database_state


def test_shipped_instruments_load_in_three_languages(shipped_instruments):
    reflection, survey = shipped_instruments["REFLECT"], shipped_instruments["RESOC"]
    assert len(reflection.items) == 20
    assert {s.code for s in reflection.subscales} == {"OPEN", "REASON", "SELF", "DIALOGUE", "TOTAL"}
    assert sum(item.is_reverse for item in reflection.items) >= 4
    assert all(set(item.texts) == {"kk", "ru", "en"} for item in reflection.items)
    assert reflection.items[0].min_value == 1 and reflection.items[0].max_value == 5
    assert survey.kind == "categorical" and len(survey.items) == 12
    assert not survey.subscales
    assert all(i.status == "active" for i in (reflection, survey))
    assert "not a validated scale" in reflection.texts["en"]["purpose"]


def test_importing_shipped_twice_adds_nothing(db, shipped_instruments):
    assert services.import_shipped() == []
    assert db.session.execute(select(func.count(Instrument.id))).scalar_one() == 2


def test_cli_imports_the_shipped_instruments(app, db):
    result = app.test_cli_runner().invoke(args=["questionnaires", "import-shipped"])
    assert result.exit_code == 0, result.output
    assert "REFLECT" in result.output and "RESOC" in result.output
    again = app.test_cli_runner().invoke(args=["questionnaires", "import-shipped"])
    assert "already loaded" in again.output


def test_instrument_without_responses_is_changed_in_place(make_instrument):
    instrument = make_instrument()
    values = {
        "code": "OPEN1",
        "item_type": "likert",
        "choice_list": "agree5",
        "subscale_code": "OPEN",
        "text_en": "New wording",
        "text_ru": "Новый текст",
        "text_kk": "Жаңа мәтін",
    }
    target, made_new = services.save_item(instrument, "OPEN1", values)
    assert (target.id, made_new) == (instrument.id, False)
    assert target.items[0].texts["en"] == "New wording"


@pytest.fixture
def locked_instrument(make_instrument, make_cohort, make_administration, make_expected_people, make_response):
    instrument = make_instrument(reverse=("OPEN2",))
    cohort = make_cohort()
    administration = make_administration(cohort, instrument)
    person = make_expected_people(cohort, 1)[0]
    response = make_response(
        administration, person, {"OPEN1": 5, "OPEN2": 1, "OPEN3": 4, "SELF1": 2, "SELF2": 2, "SELF3": None}
    )
    return instrument, response


def test_instrument_with_responses_is_locked(locked_instrument):
    instrument, _response = locked_instrument
    assert services.is_locked(instrument)


def test_changing_a_locked_instrument_makes_a_new_version(db, locked_instrument):
    instrument, _response = locked_instrument
    values = {
        "code": "OPEN1",
        "item_type": "likert",
        "choice_list": "agree5",
        "subscale_code": "OPEN",
        "text_en": "Changed wording",
    }
    revised, made_new = services.save_item(instrument, "OPEN1", values)
    assert made_new
    assert (revised.code, revised.number, revised.status) == (instrument.code, 2, "draft")
    assert revised.items[0].texts["en"] == "Changed wording"
    db.session.refresh(instrument)
    assert instrument.items[0].texts["en"] == "Item OPEN1"  # the locked version is untouched
    assert len(revised.items) == len(instrument.items)


def test_deleting_an_item_of_a_locked_instrument_makes_a_new_version(db, locked_instrument):
    instrument, _response = locked_instrument
    revised, made_new = services.delete_item(instrument, "SELF3")
    assert made_new and len(revised.items) == 5
    db.session.refresh(instrument)
    assert len(instrument.items) == 6


def test_refused_change_of_a_locked_instrument_leaves_no_new_version(db, locked_instrument):
    instrument, _response = locked_instrument
    db.session.commit()
    before = database_state()
    with pytest.raises(ValidationFailed):
        services.save_item(
            instrument, None, {"code": "BAD", "item_type": "likert", "choice_list": "nope", "text_en": "x"}
        )
    assert db.session.execute(select(func.count(Instrument.id))).scalar_one() == 1
    # nor audit rows of a version made and removed again: one transaction for the whole change
    assert changed_tables(before, database_state()) == []


def test_correcting_a_scoring_rule_recomputes_stored_scores(db, locked_instrument):
    instrument, response = locked_instrument
    score_response(response)
    self_score = db.session.execute(
        select(ResponseScore).where(
            ResponseScore.response_id == response.id, ResponseScore.subscale_code == "SELF"
        )
    ).scalar_one()
    assert self_score.score is None and self_score.scoring_version == 1  # 2 of 3 answered < 80 %

    target, made_new = services.save_subscale(
        instrument, "SELF", {"code": "SELF", "method": "mean", "min_answered_share": 0.6, "text_en": "Self"}
    )
    assert (target.id, made_new) == (instrument.id, False)
    assert instrument.scoring_version == 2
    db.session.expire_all()
    self_score = db.session.execute(
        select(ResponseScore).where(
            ResponseScore.response_id == response.id, ResponseScore.subscale_code == "SELF"
        )
    ).scalar_one()
    assert self_score.score == pytest.approx(2.0)
    assert self_score.scoring_version == 2
    # Recomputing rewrites the one-row copy of the answers too: still one row, same values.
    stored = db.session.execute(
        select(ResponseValues).where(ResponseValues.response_id == response.id)
    ).scalar_one()
    code_of = {item.id: item.code for item in instrument.items}
    numbers = {
        code_of[answer.item_id]: answer.value_number for answer in response.answers if answer.entry == 1
    }
    codes = stored.item_codes.split(" ")
    assert codes == [item.code for item in instrument.items if item.subscale_code]
    assert [
        None if math.isnan(value) else value for value in unpack_numbers(stored.item_numbers).tolist()
    ] == [numbers.get(code) for code in codes]


def test_reverse_item_is_scored_reversed_in_stored_scores(locked_instrument):
    _instrument, response = locked_instrument
    scores = {s.subscale_code: s.score for s in score_response(response)}
    assert scores["OPEN"] == pytest.approx((5 + 5 + 4) / 3)  # OPEN2 = 1 reversed to 5


def test_new_version_copies_the_content(make_instrument):
    instrument = make_instrument(reverse=("SELF1",))
    revised = services.new_version(instrument)
    original, copy = definition_of(instrument), definition_of(revised)
    assert revised.number == 2
    assert copy == normalised(original)


def test_publishing_a_version_retires_the_older_one(make_instrument):
    instrument = make_instrument()
    revised = services.new_version(instrument)
    services.set_status(revised, "active")
    assert (instrument.status, revised.status) == ("retired", "active")


def test_new_instrument_code_must_be_free(make_instrument):
    make_instrument(code="TAKEN")
    with pytest.raises(ValidationFailed) as refused:
        services.create_instrument({"code": "taken", "kind": "scored", "name_en": "x"})
    assert "code" in refused.value.problems


def test_choice_list_lines_need_four_parts(make_instrument):
    instrument = make_instrument()
    with pytest.raises(ValidationFailed) as refused:
        services.save_choice_list(instrument, "yn", "yes; Иә; Да\n")
    assert "Line 1" in str(refused.value)
    target, _made_new = services.save_choice_list(instrument, "yn", "yes; Иә; Да; Yes\nno; Жоқ; Нет; No")
    assert [c["value"] for c in target.choice_lists[-1]["choices"]] == ["yes", "no"]
