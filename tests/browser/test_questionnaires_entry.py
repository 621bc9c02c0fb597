"""A coordinator schedules pre and post questionnaires; an officer types 12 paper forms with the
keyboard; a double entry with one different answer is flagged and resolved; the Russian PDF prints."""

from __future__ import annotations

import shutil
import subprocess
from datetime import date, timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select

from programme.questionnaires.models import Administration, Answer, Response, ResponseScore
from tests.browser.conftest import log_in, log_out
from tests.conftest import TEST_PASSWORD

TODAY = date.today()
ARTEFACTS = Path(__file__).parent / "screenshots"


@pytest.fixture
def classroom(
    db, make_department, make_facility, make_cohort, make_expected_people, make_user, shipped_instruments
):
    department, facility = make_department(), make_facility()
    cohort = make_cohort(
        name="Караганда — тест",
        facility_id=facility.id,
        department_id=department.id,
        start_date=TODAY,
        language="ru",
    )
    return {
        "cohort": cohort,
        "people": make_expected_people(cohort, 12),
        "reflection": shipped_instruments["REFLECT"],
        "coordinator": make_user("coordinator", department_id=department.id),
        "officer": make_user("officer", facility_id=facility.id),
        "second_officer": make_user("officer", facility_id=facility.id),
    }


def schedule(page, classroom, timepoint: str, opens: date, closes: date, double: bool) -> None:
    page.goto("/administrations")
    page.click("[data-testid=new-administration]")
    page.select_option("#cohort_id", str(classroom["cohort"].id))
    page.select_option("#instrument_id", str(classroom["reflection"].id))
    page.select_option("#timepoint", timepoint)
    page.fill("#opens_on", opens.isoformat())
    page.fill("#closes_on", closes.isoformat())
    if double:
        page.check("#requires_double_entry")
    page.click("main button[type=submit]")
    page.wait_for_selector("[data-testid=count-expected]")
    assert page.inner_text("[data-testid=count-expected]") == "12"


def type_form(page, code: str, digits: str) -> None:
    """Type one paper form: the code, Enter, then one key per item (Enter saves at the end)."""
    page.wait_for_selector("#participant_code:focus")
    page.keyboard.type(code)
    page.keyboard.press("Enter")
    for key in digits:
        page.keyboard.press(key)
    page.wait_for_selector("[data-testid=save-form]:focus")
    with page.expect_navigation():
        page.keyboard.press("Enter")


def administration_id(db, timepoint: str) -> int:
    db.session.commit()  # end this test's read transaction: the server has written since
    return db.session.execute(
        select(Administration.id).where(Administration.timepoint == timepoint)
    ).scalar_one()


def test_schedule_type_twelve_forms_resolve_a_double_entry_print_russian(page, db, classroom, tmp_path):
    # The coordinator schedules the pre and post questionnaires for the cohort.
    log_in(page, classroom["coordinator"].email, TEST_PASSWORD)
    schedule(page, classroom, "pre", TODAY - timedelta(days=14), TODAY, double=False)
    schedule(page, classroom, "post", TODAY - timedelta(days=1), TODAY + timedelta(days=30), double=True)
    log_out(page)

    # The officer types the 12 pre forms without touching the mouse.
    log_in(page, classroom["officer"].email, TEST_PASSWORD)
    pre_id = administration_id(db, "pre")
    page.goto(f"/administrations/{pre_id}/entry")
    for index, person in enumerate(classroom["people"]):
        digits = "".join(str(1 + (index + item) % 5) for item in range(20))
        if index % 4 == 0:
            digits = digits[:7] + "m" + digits[8:]  # an item left empty on paper
        type_form(page, person.study_code, digits)
        assert f"Saved the answers of {person.study_code}." in page.inner_text("main")
    db.session.commit()  # see what the server wrote
    assert (
        db.session.execute(select(func.count(Response.id)).where(Response.status == "complete")).scalar_one()
        == 12
    )
    assert (
        db.session.execute(select(func.count(Answer.id)).where(Answer.missing_code == "missing")).scalar_one()
        == 3
    )
    assert db.session.execute(select(func.count(ResponseScore.id))).scalar_one() == 12 * 5
    page.goto(f"/administrations/{pre_id}")
    assert page.inner_text("[data-testid=count-answered]") == "12"
    assert page.inner_text("[data-testid=count-missing]") == "0"

    # Post, with double entry: the officer types a form, a colleague types it blind with one
    # different answer; the difference is flagged item by item and resolved.
    post_id = administration_id(db, "post")
    person = classroom["people"][0]
    page.goto(f"/administrations/{post_id}/entry")
    type_form(page, person.study_code, "45454545454545454545")
    assert "someone else types it a second time" in page.inner_text("main")
    log_out(page)
    log_in(page, classroom["second_officer"].email, TEST_PASSWORD)
    page.goto(f"/administrations/{post_id}/entry")
    type_form(page, person.study_code, "45454545454545454345")
    page.wait_for_selector("[data-testid=differences]")
    rows = page.locator("[data-testid=differences] tbody tr")
    assert rows.count() == 1
    changed = classroom["reflection"].items[17].code  # the 18th answer was typed differently
    assert rows.first.get_attribute("data-testid") == f"difference-{changed}"
    assert rows.first.locator("td").nth(2).inner_text() == "5"
    assert rows.first.locator("td").nth(3).inner_text() == "3"
    page.locator(f"[data-testid=answer-{changed}]").focus()
    page.keyboard.press("5")
    page.wait_for_selector("[data-testid=resolve]:focus")
    page.keyboard.press("Enter")
    page.wait_for_selector("text=Differences resolved")
    db.session.commit()  # see what the server wrote
    post = db.session.execute(
        select(Response).where(Response.administration_id == post_id, Response.participant_id == person.id)
    ).scalar_one()
    assert post.status == "complete"

    # The Russian questionnaire prints, with each person's code.
    page.goto(f"/administrations/{post_id}")
    href = page.get_attribute("[data-testid=pdf-ru]", "href")
    pdf = page.request.get(href)
    assert pdf.headers["content-type"] == "application/pdf"
    body = pdf.body()
    assert body.startswith(b"%PDF")
    ARTEFACTS.mkdir(exist_ok=True)
    path = ARTEFACTS / "questionnaire-ru.pdf"
    path.write_bytes(body)
    if shutil.which("pdftotext"):
        text = subprocess.run(
            ["pdftotext", "-enc", "UTF-8", str(path), "-"], capture_output=True, check=True, text=True
        ).stdout
        assert "Код участника" in text
        assert all(p.study_code in text for p in classroom["people"])
        assert "Совершенно не согласен(-на)" in " ".join(text.split())
