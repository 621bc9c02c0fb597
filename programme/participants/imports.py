"""Importing participants from a CSV or XLSX file: check every row, then save all or nothing.

The file is read with limits (size, rows, columns, cell length). The preview lists every problem
by row and column; the rows travel to the confirming request signed (not stored), and are
checked again there, inside the transaction that saves them.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import date, datetime

from flask import current_app
from flask_babel import gettext as _
from itsdangerous import BadSignature, URLSafeTimedSerializer
from sqlalchemy import select

from programme.audit.services import record
from programme.core.services import ValidationFailed, unit_of_work
from programme.extensions import db
from programme.participants.models import Participant
from programme.participants.services import EDITABLE_FIELDS, REQUIRED_FIELDS, clean_values, unused_study_codes

MAX_BYTES = 2 * 1024 * 1024
MAX_ROWS = 2000
MAX_COLUMNS = 20
MAX_CELL_LENGTH = 500
TOKEN_MAX_AGE_SECONDS = 3600
DATE_FIELDS = ("sentence_start", "expected_release")
TRUE_WORDS = {"yes", "y", "true", "1", "да", "иә", "ия", "repeat"}
FALSE_WORDS = {"no", "n", "false", "0", "нет", "жоқ", "first"}


@dataclass(frozen=True)
class RowProblem:
    row: int  # as the spreadsheet numbers it: the header is row 1
    column: str
    message: str


@dataclass
class ImportCheck:
    rows: list[dict]  # raw values as read (strings), keyed by column
    clean_rows: list[dict]
    problems: list[RowProblem]

    @property
    def is_valid(self) -> bool:
        return bool(self.rows) and not self.problems


def _cell_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _read_xlsx(data: bytes) -> list[list[str]]:
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as error:  # noqa: BLE001 - any unreadable file is the user's problem to fix
        raise ValidationFailed.on("file", _("This is not a readable XLSX file.")) from error
    try:
        sheet = workbook.worksheets[0]
        table = []
        for row in sheet.iter_rows(values_only=True, max_col=MAX_COLUMNS + 1):
            table.append([_cell_text(value) for value in row])
            if len(table) > MAX_ROWS + 1:
                break
        return table
    finally:
        workbook.close()


def _read_csv(data: bytes) -> list[list[str]]:
    for encoding in ("utf-8-sig", "cp1251"):
        try:
            text = data.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:  # pragma: no cover - cp1251 decodes any byte string
        raise ValidationFailed.on("file", _("The file's text encoding is not recognised; save it as UTF-8."))
    first_line = text.split("\n", 1)[0]
    delimiter = max((";", ",", "\t"), key=first_line.count)
    table = []
    for row in csv.reader(io.StringIO(text), delimiter=delimiter):
        table.append([cell.strip() for cell in row])
        if len(table) > MAX_ROWS + 1:
            break
    return table


def read_table(filename: str, data: bytes) -> list[dict]:
    """The rows of the file as dicts keyed by column name; file-level problems raise."""
    if len(data) > MAX_BYTES:
        raise ValidationFailed.on(
            "file", _("The file is larger than %(size)d MB.", size=MAX_BYTES // (1024 * 1024))
        )
    name = (filename or "").lower()
    if name.endswith(".xlsx"):
        table = _read_xlsx(data)
    elif name.endswith(".csv"):
        table = _read_csv(data)
    else:
        raise ValidationFailed.on("file", _("Choose a .csv or .xlsx file."))
    table = [row for row in table if any(cell for cell in row)]
    if not table:
        raise ValidationFailed.on("file", _("The file is empty."))
    header = [cell.strip().lower().replace(" ", "_") for cell in table[0]]
    while header and not header[-1]:
        header.pop()
    if len(header) > MAX_COLUMNS:
        raise ValidationFailed.on("file", _("The file has more than %(n)d columns.", n=MAX_COLUMNS))
    if len(table) - 1 > MAX_ROWS:
        raise ValidationFailed.on("file", _("The file has more than %(n)d rows; split it.", n=MAX_ROWS))
    unknown = [column for column in header if column not in EDITABLE_FIELDS]
    missing = [column for column in REQUIRED_FIELDS if column not in header]
    if unknown or missing:
        parts = []
        if unknown:
            parts.append(_("Unknown columns: %(columns)s.", columns=", ".join(unknown)))
        if missing:
            parts.append(_("Missing columns: %(columns)s.", columns=", ".join(missing)))
        raise ValidationFailed.on("file", " ".join(parts))
    rows = []
    for number, cells in enumerate(table[1:], start=2):
        if len(cells) > len(header) and any(cells[len(header) :]):
            raise ValidationFailed.on("file", _("Row %(row)d has cells beyond the last column.", row=number))
        row = {"_row": number}
        for column, cell in zip(header, cells, strict=False):
            if len(cell) > MAX_CELL_LENGTH:
                raise ValidationFailed.on(
                    "file",
                    _("Row %(row)d, column %(column)s: the cell is too long.", row=number, column=column),
                )
            row[column] = cell
        rows.append(row)
    return rows


def _parse_date(text: str):
    for pattern in ("%Y-%m-%d", "%d.%m.%Y", "%d/%m/%Y"):
        try:
            return datetime.strptime(text, pattern).date()
        except ValueError:
            continue
    return text  # left as text: clean_values reports it as a bad date


def _parse_bool(text: str):
    lowered = text.strip().lower()
    if lowered in TRUE_WORDS:
        return True
    if lowered in FALSE_WORDS:
        return False
    return ValueError


def check_rows(facility_id: int, rows: list[dict]) -> ImportCheck:
    """Every problem of every row (fields, duplicates in the file and in the database)."""
    problems: list[RowProblem] = []
    clean_rows: list[dict] = []
    for raw in rows:
        values = {column: raw.get(column, "") for column in EDITABLE_FIELDS}
        for field in DATE_FIELDS:
            if values[field]:
                values[field] = _parse_date(values[field])
        repeat = values.get("is_repeat_conviction")
        if repeat:
            parsed = _parse_bool(repeat)
            if parsed is ValueError:
                problems.append(RowProblem(raw["_row"], "is_repeat_conviction", _("Write yes or no.")))
                parsed = None
            values["is_repeat_conviction"] = parsed
        for field in ("gender", "education_level", "offence_category"):
            if values.get(field):
                values[field] = values[field].strip().lower()
        clean, field_problems = clean_values(values)
        for field, messages in field_problems.items():
            problems.extend(RowProblem(raw["_row"], field, str(message)) for message in messages)
        clean_rows.append({**clean, "_row": raw["_row"]})
    seen: dict[str, int] = {}
    for clean in clean_rows:
        number = clean.get("facility_number")
        if not number:
            continue
        if number in seen:
            problems.append(
                RowProblem(
                    clean["_row"],
                    "facility_number",
                    _("The same number is on row %(row)d.", row=seen[number]),
                )
            )
        else:
            seen[number] = clean["_row"]
    if seen:
        taken = set(
            db.session.execute(
                select(Participant.facility_number).where(
                    Participant.facility_id == facility_id, Participant.facility_number.in_(list(seen))
                )
            ).scalars()
        )
        problems.extend(
            RowProblem(
                clean["_row"], "facility_number", _("A person with this number is already registered.")
            )
            for clean in clean_rows
            if clean.get("facility_number") in taken
        )
    problems.sort(
        key=lambda problem: (
            problem.row,
            EDITABLE_FIELDS.index(problem.column) if problem.column in EDITABLE_FIELDS else 99,
        )
    )
    return ImportCheck(rows, clean_rows, problems)


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt="participants-import")


def sign_rows(facility_id: int, filename: str, rows: list[dict]) -> str:
    return _serializer().dumps({"facility_id": facility_id, "filename": filename, "rows": rows})


def unsign_rows(token: str, facility_id: int) -> tuple[str, list[dict]]:
    try:
        payload = _serializer().loads(token, max_age=TOKEN_MAX_AGE_SECONDS)
    except BadSignature as error:
        raise ValidationFailed(_("The checked file has expired; upload it again.")) from error
    if payload.get("facility_id") != facility_id:
        raise ValidationFailed(_("The checked file belongs to another facility; upload it again."))
    return payload["filename"], payload["rows"]


def import_rows(facility_id: int, filename: str, rows: list[dict]) -> list[Participant]:
    """Save every row, or none: checked again here, in the saving transaction."""
    with unit_of_work():
        check = check_rows(facility_id, rows)
        if not check.is_valid:
            raise ValidationFailed(_("The file has problems; nothing was saved."))
        codes = unused_study_codes(len(check.clean_rows))
        participants = []
        for clean, code in zip(check.clean_rows, codes, strict=True):
            values = {key: value for key, value in clean.items() if key != "_row"}
            participants.append(Participant(facility_id=facility_id, study_code=code, **values))
        db.session.add_all(participants)
        db.session.flush()
        record(
            "import",
            "participant",
            None,
            {"file": filename, "rows": len(participants), "facility_id": facility_id},
            purpose="registry import",
        )
    return participants
