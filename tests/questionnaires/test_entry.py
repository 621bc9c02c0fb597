"""Entering answers: checks before anything is written, clear refusals, double entry, kiosk."""

from __future__ import annotations

import math
from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from programme.core.services import ValidationFailed
from programme.questionnaires.models import Answer, Response, ResponseScore, ResponseValues, unpack_numbers
from programme.questionnaires.services.entry import (
    enter_paper_form,
    mismatches,
    resolve_mismatches,
    submit_kiosk_answers,
)

DAY = date(2026, 10, 1)


def numbers_of(packed: bytes) -> list[float | None]:
    """Stored packed numbers as a list, None where NaN (not answered, not computed)."""
    return [None if math.isnan(value) else value for value in unpack_numbers(packed).tolist()]


@pytest.fixture
def setting(make_user, make_cohort, make_instrument, make_administration, make_expected_people):
    cohort = make_cohort()
    instrument = make_instrument(reverse=("OPEN3",))
    administration = make_administration(
        cohort, instrument, opens_on=date(2026, 9, 20), closes_on=date(2026, 10, 20)
    )
    people = make_expected_people(cohort, 3)
    officer = make_user("officer", facility_id=cohort.facility_id)
    return {"cohort": cohort, "administration": administration, "people": people, "officer": officer}


def raw(**answers) -> dict:
    values = {"OPEN1": "4", "OPEN2": "5", "OPEN3": "2", "SELF1": "3", "SELF2": "m", "SELF3": "r"}
    values.update(answers)
    return {f"item-{code}": value for code, value in values.items()}


def count(db, model) -> int:
    return db.session.execute(select(func.count(model.id))).scalar_one()


def test_paper_form_is_saved_with_missing_markers_and_scores(db, setting):
    result = enter_paper_form(
        setting["officer"],
        setting["administration"],
        setting["people"][0].study_code.lower(),
        DAY,
        "ru",
        raw(),
    )
    assert result.outcome == "complete"
    answers = {a.item_id: a for a in result.response.answers}
    assert len(answers) == 6
    assert sorted(a.missing_code for a in answers.values() if a.missing_code) == ["missing", "refused"]
    scores = {s.subscale_code: s for s in db.session.execute(select(ResponseScore)).scalars()}
    assert scores["OPEN"].score == pytest.approx((4 + 5 + 4) / 3)  # OPEN3 = 2 reversed to 4
    assert scores["SELF"].score is None and scores["SELF"].answered_count == 1
    assert scores["TOTAL"].scoring_version == 1
    # The evaluation's one-row copy of the scored answers: as entered (not reversed), gaps as nan.
    stored = db.session.execute(select(ResponseValues)).scalar_one()
    assert stored.response_id == result.response.id
    assert stored.item_codes == "OPEN1 OPEN2 OPEN3 SELF1 SELF2 SELF3"
    assert numbers_of(stored.item_numbers) == [4.0, 5.0, 2.0, 3.0, None, None]
    # ...and the same scores as the ResponseScore rows, in one row.
    assert dict(zip(stored.score_codes.split(), numbers_of(stored.score_numbers), strict=True)) == {
        code: score.score for code, score in scores.items()
    }


def test_out_of_range_answer_is_refused_and_nothing_is_saved(db, setting):
    with pytest.raises(ValidationFailed) as refused:
        enter_paper_form(
            setting["officer"],
            setting["administration"],
            setting["people"][0].study_code,
            DAY,
            "ru",
            raw(OPEN2="7"),
        )
    assert refused.value.problems["item-OPEN2"] == [
        "Item OPEN2: 7 is out of range: type a number from 1 to 5."
    ]
    assert count(db, Response) == 0 and count(db, Answer) == 0


def test_blank_answer_is_refused_with_how_to_fix_it(db, setting):
    with pytest.raises(ValidationFailed) as refused:
        enter_paper_form(
            setting["officer"],
            setting["administration"],
            setting["people"][0].study_code,
            DAY,
            "ru",
            raw(SELF1=""),
        )
    assert "m for missing" in refused.value.problems["item-SELF1"][0]
    assert count(db, Response) == 0


def test_person_without_consent_is_refused(db, setting, make_participant, make_enrolment):
    person = make_participant(
        facility_id=setting["cohort"].facility_id, consent=False, study_code="NOCONSENT"
    )
    make_enrolment(person, setting["cohort"])
    with pytest.raises(ValidationFailed) as refused:
        enter_paper_form(setting["officer"], setting["administration"], "NOCONSENT", DAY, "ru", raw())
    assert refused.value.problems["participant_code"] == [
        "NOCONSENT has no consent on record (or withdrew it): no answers can be entered."
    ]
    assert count(db, Response) == 0


def test_person_who_withdrew_consent_is_refused(db, setting):
    person = setting["people"][1]
    person.consents[0].withdrawn_on = date(2026, 9, 25)
    person.consents[0].withdrawal_choice = "stop_taking_part"
    db.session.commit()
    with pytest.raises(ValidationFailed, match="no consent on record"):
        enter_paper_form(setting["officer"], setting["administration"], person.study_code, DAY, "ru", raw())


@pytest.mark.parametrize("day", [date(2026, 9, 19), date(2026, 10, 21)])
def test_answers_dated_outside_the_window_are_refused(db, setting, day):
    with pytest.raises(ValidationFailed) as refused:
        enter_paper_form(
            setting["officer"], setting["administration"], setting["people"][0].study_code, day, "en", raw()
        )
    assert "is outside the window" in refused.value.problems["answered_on"][0]
    assert count(db, Response) == 0


@pytest.mark.parametrize("day", [date(2026, 9, 20), date(2026, 10, 20)])
def test_answers_on_the_first_and_last_day_of_the_window_are_taken(setting, day):
    result = enter_paper_form(
        setting["officer"], setting["administration"], setting["people"][0].study_code, day, "en", raw()
    )
    assert result.outcome == "complete"


def test_unknown_code_and_withdrawn_enrolment_are_refused(db, setting):
    with pytest.raises(ValidationFailed, match="Nobody with the code"):
        enter_paper_form(setting["officer"], setting["administration"], "ZZZ", DAY, "ru", raw())
    enrolment = setting["people"][2].enrolments[0]
    enrolment.status = "withdrawn"
    db.session.commit()
    with pytest.raises(ValidationFailed, match="not enrolled"):
        enter_paper_form(
            setting["officer"], setting["administration"], setting["people"][2].study_code, DAY, "ru", raw()
        )


def test_a_form_is_not_entered_twice(setting):
    code = setting["people"][0].study_code
    enter_paper_form(setting["officer"], setting["administration"], code, DAY, "ru", raw())
    with pytest.raises(ValidationFailed, match="already entered"):
        enter_paper_form(setting["officer"], setting["administration"], code, DAY, "ru", raw())


@pytest.fixture
def double(db, setting, make_user):
    setting["administration"].requires_double_entry = True
    db.session.commit()
    setting["second"] = make_user("officer", facility_id=setting["cohort"].facility_id)
    return setting


def test_double_entry_that_agrees_completes_the_response(db, double):
    code = double["people"][0].study_code
    first = enter_paper_form(double["officer"], double["administration"], code, DAY, "ru", raw())
    assert first.outcome == "awaiting_second_entry"
    assert count(db, ResponseScore) == 0  # it does not count yet
    second = enter_paper_form(double["second"], double["administration"], code, DAY, "ru", raw())
    assert second.outcome == "complete"
    assert second.response.second_entered_by_id == double["second"].id
    assert count(db, ResponseScore) == 3


def test_second_entry_by_the_same_person_is_refused(double):
    code = double["people"][0].study_code
    enter_paper_form(double["officer"], double["administration"], code, DAY, "ru", raw())
    with pytest.raises(ValidationFailed, match="someone else"):
        enter_paper_form(double["officer"], double["administration"], code, DAY, "ru", raw())


def test_double_entry_mismatch_is_listed_and_resolved(db, double):
    code = double["people"][0].study_code
    enter_paper_form(double["officer"], double["administration"], code, DAY, "ru", raw())
    result = enter_paper_form(
        double["second"], double["administration"], code, DAY, "ru", raw(OPEN2="3", SELF2="2")
    )
    assert result.outcome == "mismatch"
    response = result.response
    differing = mismatches(response)
    assert [(m.item.code, m.first, m.second) for m in differing] == [("OPEN2", "5", "3"), ("SELF2", "m", "2")]
    assert count(db, ResponseScore) == count(db, ResponseValues) == 0  # not complete yet
    with pytest.raises(ValidationFailed):
        resolve_mismatches(double["officer"], response, {"item-OPEN2": "9", "item-SELF2": "2"})
    assert response.status == "mismatch"
    resolve_mismatches(double["officer"], response, {"item-OPEN2": "3", "item-SELF2": "2"})
    assert response.status == "complete"
    scores = {s.subscale_code: s.score for s in db.session.execute(select(ResponseScore)).scalars()}
    assert scores["OPEN"] == pytest.approx((4 + 3 + 4) / 3)
    assert scores["SELF"] is None  # SELF3 refused: 2 of 3 answered is below 80 %
    stored = db.session.execute(select(ResponseValues.item_numbers)).scalar_one()
    assert numbers_of(stored) == [4.0, 3.0, 2.0, 3.0, 2.0, None]
    resolved = db.session.execute(
        select(Answer.value_number, Answer.missing_code, Answer.entry)
        .where(Answer.response_id == response.id, Answer.item_id == differing[1].item.id)
        .order_by(Answer.entry)
    ).all()
    assert resolved == [(2.0, None, 1), (2.0, None, 2)]


def test_kiosk_answers_count_and_skipped_items_are_missing(db, setting, make_administration, make_instrument):
    today = date.today()
    administration = make_administration(
        setting["cohort"],
        make_instrument(code="KIOSK"),
        opens_on=today - timedelta(days=1),
        closes_on=today + timedelta(days=1),
    )
    response = submit_kiosk_answers(
        setting["officer"], administration, setting["people"][0].id, "kk", {"item-OPEN1": "5"}
    )
    assert (response.mode, response.status, response.language) == ("kiosk", "complete", "kk")
    assert sum(1 for a in response.answers if a.missing_code == "missing") == 5
    with pytest.raises(ValidationFailed):
        submit_kiosk_answers(setting["officer"], administration, setting["people"][0].id, "kk", {})


def test_kiosk_outside_the_window_is_refused(setting):
    with pytest.raises(ValidationFailed, match="outside the window"):
        submit_kiosk_answers(setting["officer"], setting["administration"], setting["people"][0].id, "ru", {})


def test_a_form_saved_twice_at_the_same_moment_is_refused_clearly(db, setting, monkeypatch):
    from programme.questionnaires.services import entry

    code = setting["people"][0].study_code
    enter_paper_form(setting["officer"], setting["administration"], code, DAY, "ru", raw())
    # The other typist's check ran before the first save was committed: it sees no response.
    monkeypatch.setattr(entry, "existing_response", lambda administration, participant: None)
    with pytest.raises(ValidationFailed, match="at the same moment"):
        enter_paper_form(setting["officer"], setting["administration"], code, DAY, "ru", raw())
    assert count(db, Response) == 1
