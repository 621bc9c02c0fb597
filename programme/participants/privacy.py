"""Data-subject rights and retention: what we hold about one person, anonymising, erasing.

- `subject_access` gathers every row about a person (one query per table, never per row).
- `forget` honours a request to be forgotten: when the person's consent lets their pseudonymous
  data serve the evaluation, names, facility numbers, notes and exact dates are removed and the
  study code with its answers stays, so published figures stay consistent; otherwise every row
  about them is deleted.
- `run_retention` removes names and facility numbers of people whose follow-up ended more than
  RETENTION_DAYS ago (dry run unless applied). Every step is audited.

The audit trail keeps its history (append-only, hash-chained), but personal values enter it sealed
with a key per person (programme/audit/sealing.py); forgetting and retention delete that key, so
the old names and numbers in the trail can never be read again while the chain still verifies.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, timedelta

from flask import current_app
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import delete, func, inspect, select, update

from programme.attendance.models import AttendanceMark
from programme.audit.sealing import shred
from programme.audit.services import jsonable, record
from programme.core.services import ValidationFailed, unit_of_work
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


# Why a subject-access file was produced: recorded in the audit log with the export.
SUBJECT_ACCESS_PURPOSES = {
    "person_request": _l("Request from the person"),
    "representative": _l("Request from the person's lawyer or representative"),
    "authority": _l("Inquiry by the data-protection authority"),
    "court": _l("Court order or prosecutor's request"),
}
SUBJECT_ACCESS_FORMATS = ("json", "pdf")


def subject_access_document(participant: Participant) -> dict:
    """Everything held about one person, as plain data (one query per table, never per row)."""
    response_ids = select(Response.id).where(Response.participant_id == participant.id)
    return {
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


@dataclass(frozen=True)
class SubjectAccessFile:
    content: bytes
    filename: str
    mimetype: str


def export_subject_access(participant: Participant, file_format: str, purpose: str) -> SubjectAccessFile:
    """The subject-access file (JSON or PDF), recorded in the audit log as an export with its purpose."""
    if file_format not in SUBJECT_ACCESS_FORMATS:
        raise ValidationFailed.on("file_format", _("Choose JSON or PDF."))
    if purpose not in SUBJECT_ACCESS_PURPOSES:
        raise ValidationFailed.on("purpose", _("Choose the purpose of this export."))
    document = subject_access_document(participant)
    stem = f"subject-access-{participant.study_code}"
    if file_format == "pdf":
        from programme.participants.pdf import subject_access_pdf

        exported = SubjectAccessFile(subject_access_pdf(document), f"{stem}.pdf", "application/pdf")
    else:
        content = json.dumps(document, ensure_ascii=False, indent=2).encode("utf-8")
        exported = SubjectAccessFile(content, f"{stem}.json", "application/json")
    with unit_of_work():
        record(
            "export",
            "participant",
            participant.id,
            {"kind": "subject_access", "format": file_format, "study_code": participant.study_code},
            purpose=purpose,
        )
    return exported


def _anonymise(participant_ids: list[int]) -> dict:
    """Remove names, numbers, exact dates and free-text notes; the pseudonymous figures stay."""
    people = db.session.execute(select(Participant).where(Participant.id.in_(participant_ids))).scalars()
    for participant in people:
        for field in IDENTIFYING_FIELDS:
            setattr(participant, field, "" if field == "notes" else None)
    # Notes written about the person at a session or a follow-up check serve no figure.
    marks = db.session.execute(
        update(AttendanceMark)
        .where(AttendanceMark.participant_id.in_(participant_ids), AttendanceMark.note != "")
        .values(note=""),
        execution_options={"synchronize_session": False},
    ).rowcount
    checks = db.session.execute(
        update(FollowUpCheck)
        .where(FollowUpCheck.participant_id.in_(participant_ids), FollowUpCheck.notes != "")
        .values(notes=""),
        execution_options={"synchronize_session": False},
    ).rowcount
    return {"attendance_notes": marks, "followup_notes": checks}


@dataclass(frozen=True)
class ForgetPlan:
    """What forgetting one person will do, said before it is done."""

    mode: str  # "anonymise" or "erase"
    rows: dict[str, int]  # rows held per section of the subject-access file


def forget_plan(participant: Participant) -> ForgetPlan:
    mode = "anonymise" if has_evaluation_consent(participant.id) else "erase"
    response_ids = select(Response.id).where(Response.participant_id == participant.id)
    counted = {
        "transfers": (ParticipantTransfer.participant_id == participant.id, ParticipantTransfer.id),
        "consents": (Consent.participant_id == participant.id, Consent.id),
        "enrolments": (Enrolment.participant_id == participant.id, Enrolment.id),
        "attendance": (AttendanceMark.participant_id == participant.id, AttendanceMark.id),
        "responses": (Response.participant_id == participant.id, Response.id),
        "answers": (Answer.response_id.in_(response_ids), Answer.id),
        "release": (Release.participant_id == participant.id, Release.id),
        "followup_checks": (FollowUpCheck.participant_id == participant.id, FollowUpCheck.id),
    }
    rows = {
        section: db.session.execute(select(func.count(column)).where(condition)).scalar_one()
        for section, (condition, column) in counted.items()
    }
    return ForgetPlan(mode, rows)


def forget(participant: Participant) -> str:
    """Anonymise when consent allows keeping pseudonymous data, else erase; returns which.

    Either way the person's audit key is deleted, so the personal values the audit trail holds
    about them can no longer be read.
    """
    study_code, participant_id = participant.study_code, participant.id
    if has_evaluation_consent(participant_id):
        with unit_of_work():
            cleared = _anonymise([participant_id])
            record("anonymise", "participant", participant_id, {"study_code": study_code, "cleared": cleared})
            shred([participant_id])
        return "anonymised"
    with unit_of_work():
        shred([participant_id])
        # Foreign keys cascade in the database (responses, marks, consents, releases, checks ...).
        db.session.execute(delete(Participant).where(Participant.id == participant_id))
        record("erase", "participant", participant_id, {"study_code": study_code})
        # The rows are gone behind the ORM's back: drop their objects (read without loading),
        # keeping everything else in the session (the signed-in user).
        for obj in list(db.session):
            if obj is participant or inspect(obj).dict.get("participant_id") == participant_id:
                db.session.expunge(obj)
    return "erased"


@dataclass(frozen=True)
class RetentionReport:
    candidates: int
    applied: bool
    study_codes: tuple[str, ...] = ()


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
    codes = sorted(person.study_code for person in people)
    if apply:
        with unit_of_work():
            ids = [person.id for person in people]
            cleared = _anonymise(ids) if ids else {}
            record(
                "retention_run",
                "participant",
                None,
                {"anonymised": len(people), "study_codes": codes, "cleared": cleared},
            )
            shred(ids)
    else:
        with unit_of_work():
            record("retention_dry_run", "participant", None, {"would_anonymise": len(people)})
    return RetentionReport(len(people), apply, tuple(codes))
