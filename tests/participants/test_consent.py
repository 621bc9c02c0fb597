"""Consent decides questionnaires and evaluation; attending never needs it."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import select

from programme.core.services import ValidationFailed
from programme.participants.consent import (
    evaluation_consent_clause,
    has_evaluation_consent,
    may_receive_questionnaires,
    questionnaire_consent_clause,
    record_consent,
    withdraw_consent,
)
from programme.participants.enrolment import enrol
from programme.participants.models import Participant


def test_without_consent_a_person_may_attend_but_is_left_out(db, make_participant, make_cohort):
    participant = make_participant(consent=False)
    assert not has_evaluation_consent(participant.id)
    assert not may_receive_questionnaires(participant.id)
    cohort = make_cohort(facility_id=participant.facility_id)
    assert enrol(participant, cohort).status == "enrolled"


def test_consent_allows_questionnaires_and_evaluation(db, make_participant):
    participant = make_participant()
    assert has_evaluation_consent(participant.id)
    assert may_receive_questionnaires(participant.id)


def test_stopping_keeps_earlier_data_in_the_evaluation(db, make_participant):
    participant = make_participant()
    withdraw_consent(participant, date.today(), "stop_taking_part")
    assert not may_receive_questionnaires(participant.id)
    assert has_evaluation_consent(participant.id)


def test_excluding_data_removes_the_person_from_the_evaluation(db, make_participant):
    participant = make_participant()
    withdraw_consent(participant, date.today(), "exclude_data")
    assert not may_receive_questionnaires(participant.id)
    assert not has_evaluation_consent(participant.id)


def test_a_new_consent_after_an_exclusion_counts_again(db, make_participant):
    participant = make_participant()
    withdraw_consent(participant, date.today() - timedelta(days=5), "exclude_data")
    record_consent(participant, date.today(), "v2", None)
    assert has_evaluation_consent(participant.id)
    assert may_receive_questionnaires(participant.id)


def test_clauses_filter_other_domains_queries(db, make_participant):
    consenting = make_participant()
    refusing = make_participant(consent=False)
    excluded = make_participant()
    withdraw_consent(excluded, date.today(), "exclude_data")
    evaluable = db.session.execute(select(Participant.id).where(evaluation_consent_clause())).scalars().all()
    asked = db.session.execute(select(Participant.id).where(questionnaire_consent_clause())).scalars().all()
    assert set(evaluable) == {consenting.id}
    assert set(asked) == {consenting.id}
    assert refusing.id not in evaluable


def test_withdrawal_dates_and_double_consent_are_checked(db, make_participant):
    participant = make_participant()
    with pytest.raises(ValidationFailed):
        record_consent(participant, date.today(), "v2", None)
    with pytest.raises(ValidationFailed):
        withdraw_consent(participant, date(2000, 1, 1), "stop_taking_part")
    with pytest.raises(ValidationFailed):
        withdraw_consent(participant, date.today(), "something")
    fresh = make_participant(consent=False)
    with pytest.raises(ValidationFailed):
        withdraw_consent(fresh, date.today(), "exclude_data")
    with pytest.raises(ValidationFailed):
        record_consent(fresh, date.today() + timedelta(days=1), "v1", None)


def test_officer_records_and_withdraws_consent_through_forms(client, login_as, make_participant):
    officer = login_as("officer")
    participant = make_participant(facility_id=officer.facility_id, consent=False)
    response = client.post_form(
        f"/participants/{participant.id}/consents/new",
        {"consented_on": date.today().isoformat(), "form_version": "v3"},
    )
    assert response.status_code == 302
    assert may_receive_questionnaires(participant.id)
    response = client.post_form(
        f"/participants/{participant.id}/consents/withdraw",
        {"withdrawn_on": date.today().isoformat(), "choice": "exclude_data"},
    )
    assert response.status_code == 302
    assert not has_evaluation_consent(participant.id)
    assert "Excluded from evaluation" in client.get(f"/participants/{participant.id}").get_data(as_text=True)
