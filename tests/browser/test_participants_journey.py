"""Acceptance journey: an officer imports 30 people (one bad row first), enrols 13 into a
12-place cohort, takes a register from the keyboard alone and prints the sign-in sheet."""

from __future__ import annotations

import shutil
import subprocess
from datetime import UTC, date, datetime, timedelta

from openpyxl import Workbook
from sqlalchemy import func, select

from programme.attendance.models import AttendanceMark
from programme.participants.models import Enrolment, Participant
from tests.browser.conftest import log_in
from tests.conftest import TEST_PASSWORD

HEADER = ["full_name", "facility_number", "birth_year", "languages", "offence_category", "sentence_start"]
SURNAMES = ["Ахметов", "Омаров", "Серікбаев", "Иванов", "Петров", "Қасымов"]
NAMES = ["Ерлан", "Асхат", "Дмитрий", "Нұрлан", "Сергей"]


def write_people(path, bad_row: int | None) -> None:
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(HEADER)
    for n in range(30):
        start = "31.02.2024" if n + 2 == bad_row else date(2023, 3, 1) + timedelta(days=n)
        name = f"{SURNAMES[n % 6]} {NAMES[n % 5]} {chr(0x410 + n)}."
        sheet.append([name, f"IMP-{n + 1:03d}", 1975 + n % 25, "kk, ru", "property", start])
    workbook.save(path)


def count(db, model) -> int:
    db.session.commit()
    return db.session.execute(select(func.count(model.id))).scalar_one()


def test_officer_imports_enrols_takes_a_register_and_prints(
    page, db, make_user, make_cohort, make_session, tmp_path
):
    officer = make_user("officer")
    cohort = make_cohort(
        facility_id=officer.facility_id, capacity=12, start_date=date.today() - timedelta(days=1)
    )
    session = make_session(cohort, starts_at=datetime.now(UTC) - timedelta(hours=3))
    log_in(page, officer.email, TEST_PASSWORD)

    # 1. A file with one bad row: nothing saved, the row and the column are named.
    upload = tmp_path / "people.xlsx"
    write_people(upload, bad_row=17)
    page.goto("/participants")
    page.click("[data-testid=import-link]")
    page.set_input_files("#file", str(upload))
    page.click("[data-testid=check-file]")
    page.wait_for_selector("[data-testid=import-problems]")
    problem = page.locator("[data-testid=import-problem]")
    assert problem.count() == 1
    assert problem.locator("td").nth(0).inner_text() == "17"
    assert problem.locator("td").nth(1).inner_text() == "sentence_start"
    assert page.locator("[data-testid=confirm-import]").count() == 0
    assert count(db, Participant) == 0

    # 2. Fixed: all thirty imported.
    write_people(upload, bad_row=None)
    page.set_input_files("#file", str(upload))
    page.click("[data-testid=check-file]")
    page.wait_for_selector("[data-testid=import-ready]")
    page.click("[data-testid=confirm-import]")
    page.wait_for_selector("[data-testid=participants-table]")
    assert count(db, Participant) == 30

    # 3. Thirteen people for twelve places: the thirteenth waits.
    page.goto(f"/cohorts/{cohort.id}/enrolments")
    boxes = page.locator(".enrol-choices input[type=checkbox]")
    for index in range(13):
        boxes.nth(index).check()
    page.click("[data-testid=enrol-submit]")
    page.wait_for_selector(".alert-success")
    assert page.locator("[data-testid=roster] tr[data-status=enrolled]").count() == 12
    assert page.locator("[data-testid=roster] tr[data-status=waitlisted]").count() == 1
    assert count(db, Enrolment) == 13

    # 4. The register from the keyboard only: everyone present, then adjust.
    page.goto(f"/sessions/{session.id}/register")
    assert page.evaluate("document.activeElement.dataset.testid") == "all-present"
    page.keyboard.press("Enter")  # everyone present; focus on the first person
    page.keyboard.press("ArrowDown")
    page.keyboard.press("ArrowDown")
    page.keyboard.press("4")  # third person absent; focus moves to the fourth
    page.keyboard.press("2")  # fourth person late
    page.keyboard.press("ArrowUp")
    page.keyboard.press("ArrowUp")  # back on the third person
    page.keyboard.press("Tab")  # the reason for the absence
    page.keyboard.press("ArrowDown")  # court
    page.keyboard.press("Tab")  # the note
    page.keyboard.type("вызван в суд")
    page.keyboard.press("Enter")  # submits the register
    page.wait_for_selector("[data-testid=person-rates]")
    db.session.commit()
    marks = db.session.execute(
        select(AttendanceMark.status, AttendanceMark.reason, AttendanceMark.note)
    ).all()
    assert len(marks) == 12
    assert sorted(m.status for m in marks).count("present") == 10
    assert ("absent", "court", "вызван в суд") in [tuple(m) for m in marks]
    assert [m.status for m in marks].count("late") == 1

    # 5. The sign-in sheet prints as a PDF with the people's names.
    href = page.locator("[data-testid=sheet-link-1]").get_attribute("href")
    response = page.request.get(href)
    assert response.status == 200 and response.headers["content-type"] == "application/pdf"
    if shutil.which("pdftotext"):
        pdf = tmp_path / "sheet.pdf"
        pdf.write_bytes(response.body())
        text = subprocess.run(
            ["pdftotext", "-enc", "UTF-8", str(pdf), "-"], capture_output=True, text=True
        ).stdout
        first = (
            db.session.execute(
                select(Participant.full_name)
                .join(Enrolment)
                .where(Enrolment.status == "enrolled")
                .order_by(Participant.full_name)
            )
            .scalars()
            .first()
        )
        assert first in text
