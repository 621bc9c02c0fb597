"""Data-subject rights and retention: what we hold about one person, anonymising, erasing.

- `subject_access` gathers every row about a person (one query per table, never per row).
- `forget` honours a request to be forgotten: when the person's consent lets their pseudonymous
  data serve the evaluation, names, facility numbers, notes and exact dates are removed and the
  study code with its answers stays, so published figures stay consistent; otherwise every row
  about them is deleted.
- `run_retention` removes names and facility numbers of people whose follow-up ended more than
  RETENTION_DAYS ago (dry run unless applied). Every step is audited.

The audit trail itself keeps its history (it is append-only and hash-chained); its rows are
readable by admins only.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from flask import current_app
from sqlalchemy import delete, func, inspect, select

from programme.attendance.models import AttendanceMark
from programme.audit.services import jsonable, record
from programme.core.services import unit_of_work
from programme.extensions import db
from programme.followup.models import FollowUpCheck, Release
from programme.participants.consent import has_evaluation_consent
from programme.participants.models import Consent, Enrolment, Participant, ParticipantTransfer
from programme.questionnaires.models import Answer, Response, ResponseScore

IDENTIFYING_FIELDS = ("full_name", "facility_number", "notes", "sentence_start", "expected_release")


def _rows(model, *conditions) -> list[dict]:
    columns = [column.key for column in inspect(model).mapper.column_attrs]
    found = db.session.execute(select(model).where(*conditions)).scalars().all()
    return [{name: jsonable(getattr(row, name)) for name in columns} for row in found]


def subject_access(participant: Participant) -> dict:
    """Everything held about one person, as plain data (for the JSON file and the PDF)."""
    response_ids = select(Response.id).where(Response.participant_id == participant.id)
    document = {
        "format": "pip-subject-access/1",
        "participant": _rows(Participant, Participant.id == participant.id)[0],
        "transfers": _rows(ParticipantTransfer, ParticipantTransfer.participant_id == participant.id),
        "consents": _rows(Consent, Consent.participant_id == participant.id),
        "enrolments": _rows(Enrolment, Enrolment.participant_id == participant.id),
        "attendance": _rows(AttendanceMark, AttendanceMark.participant_id == participant.id),
        "responses": _rows(Response, Response.participant_id == participant.id),
        "answers": _rows(Answer, Answer.response_id.in_(response_ids)),
        "scores": _rows(ResponseScore, ResponseScore.response_id.in_(response_ids)),
        "release": _rows(Release, Release.participant_id == participant.id),
        "followup_checks": _rows(FollowUpCheck, FollowUpCheck.participant_id == participant.id),
    }
    with unit_of_work():
        record("subject_access", "participant", participant.id, {"study_code": participant.study_code})
    return document


def _anonymise(participant: Participant) -> None:
    for field in IDENTIFYING_FIELDS:
        setattr(participant, field, "" if field == "notes" else None)


def forget(participant: Participant) -> str:
    """Anonymise when consent allows keeping pseudonymous data, else erase; returns which."""
    study_code, participant_id = participant.study_code, participant.id
    if has_evaluation_consent(participant_id):
        with unit_of_work():
            _anonymise(participant)
            record("anonymise", "participant", participant_id, {"study_code": study_code})
        return "anonymised"
    with unit_of_work():
        # Foreign keys cascade in the database (responses, marks, consents, releases, checks ...).
        db.session.execute(delete(Participant).where(Participant.id == participant_id))
        record("erase", "participant", participant_id, {"study_code": study_code})
    db.session.expunge_all()
    return "erased"


@dataclass(frozen=True)
class RetentionReport:
    candidates: int
    applied: bool


def retention_candidates(today: date | None = None):
    """People still named whose last follow-up check (done or due) is older than the retention period."""
    today = today or date.today()
    cutoff = today - timedelta(days=current_app.config["RETENTION_DAYS"])
    last_check = (
        select(
            FollowUpCheck.participant_id,
            func.max(func.coalesce(FollowUpCheck.checked_on, FollowUpCheck.due_on)).label("last"),
        )
        .group_by(FollowUpCheck.participant_id)
        .subquery()
    )
    open_checks = select(FollowUpCheck.participant_id).where(
        FollowUpCheck.checked_on.is_(None), FollowUpCheck.due_on >= cutoff
    )
    return (
        select(Participant)
        .join(last_check, last_check.c.participant_id == Participant.id)
        .where(
            last_check.c.last < cutoff,
            Participant.id.not_in(open_checks),
            (Participant.full_name.is_not(None)) | (Participant.facility_number.is_not(None)),
        )
    )


def run_retention(apply: bool = False, today: date | None = None) -> RetentionReport:
    people = db.session.execute(retention_candidates(today)).scalars().all()
    if apply:
        with unit_of_work():
            for participant in people:
                _anonymise(participant)
            record("retention_run", "participant", None, {"anonymised": len(people)})
    else:
        with unit_of_work():
            record("retention_dry_run", "participant", None, {"would_anonymise": len(people)})
    return RetentionReport(len(people), apply)
