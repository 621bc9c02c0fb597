"""Factories for participants, consent and enrolment (owned by participants; used downstream)."""

from __future__ import annotations

import secrets
from datetime import date

import pytest

from programme.participants.models import Consent, Enrolment, Participant

_counter = iter(range(1, 10**6))


@pytest.fixture
def make_participant(db, make_facility):
    def factory(facility_id: int | None = None, consent: bool = True, **values) -> Participant:
        n = next(_counter)
        defaults = dict(
            study_code=f"T{secrets.token_hex(4).upper()}",
            full_name=f"Участник Тестовый {n}",
            facility_number=f"N-{n:05d}",
            birth_year=1985,
            gender="male",
            languages=["ru"],
            education_level="secondary",
            offence_category="property",
            is_repeat_conviction=False,
            sentence_start=date(2024, 1, 15),
            expected_release=date(2027, 6, 1),
        )
        participant = Participant(facility_id=facility_id or make_facility().id, **{**defaults, **values})
        if consent:
            participant.consents.append(Consent(consented_on=date(2026, 9, 1), form_version="v1"))
        db.session.add(participant)
        db.session.commit()
        return participant

    return factory


@pytest.fixture
def make_enrolment(db):
    def factory(participant: Participant, cohort, **values) -> Enrolment:
        enrolment = Enrolment(
            participant_id=participant.id,
            cohort_id=cohort.id,
            **{"status": "enrolled", "enrolled_on": date(2026, 9, 15), **values},
        )
        db.session.add(enrolment)
        db.session.commit()
        return enrolment

    return factory
