"""Attendance exports (CSV, XLSX): scoped to the user, pseudonymised by role, audited."""

from __future__ import annotations

import csv
import io
from zoneinfo import ZoneInfo

from flask_babel import gettext as _
from sqlalchemy import select

from programme.attendance.models import AttendanceMark
from programme.audit.services import record
from programme.core.permissions import EVALUATOR
from programme.core.services import unit_of_work
from programme.extensions import db
from programme.facilities.models import Facility
from programme.participants.consent import evaluation_consent_clause
from programme.participants.models import Participant
from programme.participants.scope import cohort_scope, sees_names
from programme.scheduling.models import Cohort, ProgrammeSession

DANGEROUS_STARTS = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value):
    """A cell a spreadsheet would read as a formula starts with an apostrophe instead."""
    if isinstance(value, str) and value.startswith(DANGEROUS_STARTS):
        return "'" + value
    return value


def export_columns(user) -> list[tuple[str, str]]:
    columns = [("study_code", _("Study code"))]
    if sees_names(user):
        columns += [("full_name", _("Full name")), ("facility_number", _("Facility number"))]
    columns += [
        ("facility", _("Facility")),
        ("cohort", _("Cohort")),
        ("session", _("Session")),
        ("date", _("Date")),
        ("status", _("Status")),
        ("reason", _("Reason")),
    ]
    if sees_names(user):
        columns.append(("note", _("Note")))
    return columns


def export_rows(user, cohort_id: int | None = None) -> list[dict]:
    """Every mark the user may export (one query); evaluators get consenting people only."""
    query = (
        select(AttendanceMark, Participant, ProgrammeSession, Cohort.name, Facility.code, Facility.timezone)
        .join(Participant, Participant.id == AttendanceMark.participant_id)
        .join(ProgrammeSession, ProgrammeSession.id == AttendanceMark.session_id)
        .join(Cohort, Cohort.id == ProgrammeSession.cohort_id)
        .join(Facility, Facility.id == Cohort.facility_id)
        .where(cohort_scope(user))
        .order_by(Cohort.id, ProgrammeSession.starts_at, Participant.study_code)
    )
    if cohort_id:
        query = query.where(Cohort.id == cohort_id)
    if user.role == EVALUATOR:
        query = query.where(evaluation_consent_clause())
    rows = []
    for mark, participant, session, cohort_name, facility_code, timezone in db.session.execute(query).all():
        starts = (
            session.starts_at
            if session.starts_at.tzinfo
            else session.starts_at.replace(tzinfo=ZoneInfo("UTC"))
        )
        rows.append(
            {
                "study_code": participant.study_code,
                "full_name": participant.full_name or "",
                "facility_number": participant.facility_number or "",
                "facility": facility_code,
                "cohort": cohort_name,
                "session": session.sequence,
                "date": starts.astimezone(ZoneInfo(timezone)).date().isoformat(),
                "status": mark.status,
                "reason": mark.reason or "",
                "note": mark.note or "",
            }
        )
    return rows


def _table(user, rows: list[dict]) -> tuple[list[str], list[list]]:
    columns = export_columns(user)
    return [label for _key, label in columns], [
        [neutralise(row[key]) for key, _label in columns] for row in rows
    ]


def to_csv(user, rows: list[dict]) -> bytes:
    header, body = _table(user, rows)
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(header)
    writer.writerows(body)
    return buffer.getvalue().encode("utf-8-sig")


def to_xlsx(user, rows: list[dict]) -> bytes:
    from openpyxl import Workbook

    header, body = _table(user, rows)
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(_("Attendance"))
    sheet.append(header)
    for row in body:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def export_attendance(user, file_format: str, purpose: str, cohort_id: int | None = None) -> bytes:
    rows = export_rows(user, cohort_id)
    content = to_xlsx(user, rows) if file_format == "xlsx" else to_csv(user, rows)
    with unit_of_work():
        record(
            "export",
            "attendance_mark",
            None,
            {
                "format": file_format,
                "rows": len(rows),
                "cohort_id": cohort_id,
                "pseudonymised": not sees_names(user),
            },
            purpose=purpose,
        )
    return content
