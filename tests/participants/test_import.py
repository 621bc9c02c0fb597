"""Import from CSV and XLSX: every problem by row and column, all or nothing, audited."""

from __future__ import annotations

import io
from datetime import date

import pytest
from openpyxl import Workbook
from sqlalchemy import func, select

from programme.audit.models import AuditEvent
from programme.core.services import ValidationFailed
from programme.participants import imports
from programme.participants.models import Participant

HEADER = [
    "full_name",
    "facility_number",
    "birth_year",
    "gender",
    "languages",
    "sentence_start",
    "expected_release",
]


def rows_of(count: int, start: int = 1) -> list[list]:
    return [
        [f"Омаров Асхат {n}", f"K-{n:04d}", 1980 + n % 20, "male", "kk, ru", date(2023, 1, 10), "01.06.2028"]
        for n in range(start, start + count)
    ]


def xlsx(rows: list[list], header=HEADER) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def csv_bytes(rows: list[list], header=HEADER, delimiter=";") -> bytes:
    lines = [delimiter.join(header)] + [delimiter.join(str(cell) for cell in row) for row in rows]
    return "\n".join(lines).encode("utf-8")


def count(db) -> int:
    return db.session.execute(select(func.count(Participant.id))).scalar_one()


def test_a_correct_xlsx_is_imported_whole_and_audited(db, make_facility):
    facility = make_facility()
    rows = imports.read_table("people.xlsx", xlsx(rows_of(5)))
    check = imports.check_rows(facility.id, rows)
    assert check.is_valid
    saved = imports.import_rows(facility.id, "people.xlsx", rows)
    assert len(saved) == 5 == count(db)
    assert saved[0].sentence_start == date(2023, 1, 10)
    assert saved[0].expected_release == date(2028, 6, 1)
    assert saved[0].languages == ["kk", "ru"]
    audit = db.session.execute(select(AuditEvent).where(AuditEvent.action == "import")).scalar_one()
    assert audit.changes["rows"] == 5


def test_every_problem_is_named_by_row_and_column(db, make_facility, make_participant):
    facility = make_facility()
    make_participant(facility_id=facility.id, facility_number="K-0004")
    data = rows_of(5)
    data[0][5] = "32.13.2020"  # row 2: a date that does not exist
    data[1][0] = ""  # row 3: no name
    data[2][1] = "K-0001"  # row 4: same number as row 2
    data[4][2] = "nineteen"  # row 6: not a year
    check = imports.check_rows(facility.id, imports.read_table("people.csv", csv_bytes(data)))
    found = {(problem.row, problem.column) for problem in check.problems}
    assert found == {
        (2, "sentence_start"),
        (3, "full_name"),
        (4, "facility_number"),
        (5, "facility_number"),  # already in the database
        (6, "birth_year"),
    }
    assert not check.is_valid


def test_nothing_is_saved_when_one_row_is_wrong(db, make_facility):
    facility = make_facility()
    data = rows_of(30)
    data[16][6] = "soon"
    rows = imports.read_table("people.xlsx", xlsx(data))
    with pytest.raises(ValidationFailed):
        imports.import_rows(facility.id, "people.xlsx", rows)
    assert count(db) == 0


@pytest.mark.parametrize(
    ("filename", "content", "fragment"),
    [
        ("people.txt", b"x", ".csv or .xlsx"),
        ("people.xlsx", b"not a zip", "not a readable"),
        ("people.csv", b"", "empty"),
        ("people.csv", b"full_name;facility_number\nA;1", "birth_year"),
        ("people.csv", b"full_name;facility_number;birth_year;shoe_size\nA;1;1990;44", "shoe_size"),
    ],
)
def test_unreadable_files_are_refused_with_a_reason(app, filename, content, fragment):
    with (
        app.test_request_context(headers={"Accept-Language": "en"}),
        pytest.raises(ValidationFailed) as refused,
    ):
        imports.read_table(filename, content)
    assert fragment in str(refused.value)


def test_size_rows_columns_and_cell_length_are_limited(app, monkeypatch):
    with app.test_request_context(headers={"Accept-Language": "en"}):
        with pytest.raises(ValidationFailed, match="larger"):
            imports.read_table("big.csv", b"x" * (imports.MAX_BYTES + 1))
        monkeypatch.setattr(imports, "MAX_ROWS", 10)
        with pytest.raises(ValidationFailed, match="more than 10 rows"):
            imports.read_table("many.xlsx", xlsx(rows_of(11)))
        assert len(imports.read_table("ten.xlsx", xlsx(rows_of(10)))) == 10
        long_row = rows_of(1)
        long_row[0][0] = "Я" * (imports.MAX_CELL_LENGTH + 1)
        with pytest.raises(ValidationFailed, match="too long"):
            imports.read_table("long.csv", csv_bytes(long_row))
        wide = HEADER + [f"extra{n}" for n in range(imports.MAX_COLUMNS)]
        with pytest.raises(ValidationFailed, match="columns"):
            imports.read_table("wide.csv", csv_bytes([], header=wide))


def test_officer_checks_then_confirms_over_http(client, db, login_as):
    login_as("officer")
    data = rows_of(3)
    data[1][2] = 1800
    response = client.post_form(
        "/participants/import",
        {"file": (io.BytesIO(xlsx(data)), "people.xlsx")},
        content_type="multipart/form-data",
    )
    page = response.get_data(as_text=True)
    assert 'data-testid="import-problem"' in page and "birth_year" in page and "<td>3</td>" in page
    assert 'data-testid="confirm-import"' not in page
    data[1][2] = 1985
    response = client.post_form(
        "/participants/import",
        {"file": (io.BytesIO(xlsx(data)), "people.xlsx")},
        content_type="multipart/form-data",
    )
    page = response.get_data(as_text=True)
    assert count(db) == 0
    token = page.split('name="token" type="hidden" value="')[1].split('"')[0]
    response = client.post_form("/participants/import/confirm", {"token": token})
    assert response.status_code == 302
    assert count(db) == 3
    # The same signed file cannot be imported twice: the numbers are now taken.
    client.post_form("/participants/import/confirm", {"token": token})
    assert count(db) == 3


def test_a_tampered_token_saves_nothing(client, db, login_as):
    login_as("officer")
    response = client.post_form("/participants/import/confirm", {"token": "eyJmYWNpbGl0eV9pZCI6MX0.forged"})
    assert response.status_code == 302
    assert count(db) == 0


def test_only_officers_import(client, login_as):
    login_as("coordinator")
    assert client.get("/participants/import").status_code == 403
