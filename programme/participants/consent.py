"""Consent: who may get questionnaires and whose data may enter the evaluation.

- An active consent (not withdrawn) allows questionnaires.
- Evaluation uses a person's data when they consented and did not withdraw asking to exclude
  their data ("stop taking part" keeps what was collected before the withdrawal).
- Without consent a person may still attend sessions; they are simply left out of both.

Other domains call `has_evaluation_consent(id)`, `may_receive_questionnaires(id)`, or put
`evaluation_consent_clause()` / `questionnaire_consent_clause()` in their own queries' WHERE.
"""

from __future__ import annotations

from datetime import date

from flask_babel import gettext as _
from sqlalchemy import exists, or_, select
from sqlalchemy.orm import aliased

from programme.core.services import ValidationFailed, unit_of_work
from programme.extensions import db
from programme.participants.models import WITHDRAWAL_CHOICES, Consent, Participant


def questionnaire_consent_clause(participant_id_column=Participant.id):
    """True where the person holds a consent that is not withdrawn."""
    return exists(
        select(Consent.id).where(
            Consent.participant_id == participant_id_column, Consent.withdrawn_on.is_(None)
        )
    )


def evaluation_consent_clause(participant_id_column=Participant.id):
    """True where the person's data may be used in evaluation."""
    later = aliased(Consent)
    return exists(
        select(Consent.id).where(
            Consent.participant_id == participant_id_column,
            or_(Consent.withdrawn_on.is_(None), Consent.withdrawal_choice == "stop_taking_part"),
            # An "exclude my data" withdrawal overrides every consent given before it.
            ~exists(
                select(later.id).where(
                    later.participant_id == Consent.participant_id,
                    later.withdrawal_choice == "exclude_data",
                    later.withdrawn_on >= Consent.consented_on,
                )
            ),
        )
    )


def has_evaluation_consent(participant_id: int) -> bool:
    return bool(db.session.execute(select(evaluation_consent_clause(participant_id))).scalar())


def may_receive_questionnaires(participant_id: int) -> bool:
    return bool(db.session.execute(select(questionnaire_consent_clause(participant_id))).scalar())


def active_consent(participant: Participant) -> Consent | None:
    active = [consent for consent in participant.consents if consent.withdrawn_on is None]
    return active[-1] if active else None


def record_consent(
    participant: Participant, consented_on: date, form_version: str, recorded_by_id: int | None
) -> Consent:
    if consented_on > date.today():
        raise ValidationFailed.on("consented_on", _("The consent date cannot be in the future."))
    if active_consent(participant) is not None:
        raise ValidationFailed(_("This person already has a consent in force; withdraw it first."))
    with unit_of_work():
        consent = Consent(
            participant_id=participant.id,
            consented_on=consented_on,
            form_version=form_version.strip(),
            recorded_by_id=recorded_by_id,
        )
        db.session.add(consent)
    return consent


def withdraw_consent(participant: Participant, withdrawn_on: date, choice: str) -> Consent:
    consent = active_consent(participant)
    if consent is None:
        raise ValidationFailed(_("This person has no consent in force to withdraw."))
    if choice not in WITHDRAWAL_CHOICES:
        raise ValidationFailed.on("choice", _("Choose what the person asked for."))
    if withdrawn_on < consent.consented_on or withdrawn_on > date.today():
        raise ValidationFailed.on(
            "withdrawn_on", _("The withdrawal date must be between the consent date and today.")
        )
    with unit_of_work():
        consent.withdrawn_on = withdrawn_on
        consent.withdrawal_choice = choice
    return consent
