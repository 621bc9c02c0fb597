"""An admin answers a person's request: downloads the subject-access PDF, then forgets them;
the audit log afterwards shows their old name as erased and the chain still verifies."""

from __future__ import annotations

import shutil
import subprocess

from programme.audit.services import verify_chain
from programme.participants.codes import display_code
from programme.participants.models import Participant
from tests.browser.conftest import log_in
from tests.conftest import TEST_PASSWORD

NAME = "Серікбаев Әлихан Қасымұлы"


def test_admin_downloads_the_subject_access_pdf_and_forgets_the_person(
    page, db, make_user, make_participant, tmp_path
):
    admin = make_user("admin")
    person = make_participant(full_name=NAME, facility_number="BR-0042")
    log_in(page, admin.email, TEST_PASSWORD)

    # 1. The subject-access file, as a PDF, with the purpose recorded.
    page.goto(f"/participants/{person.id}")
    page.click("[data-testid=subject-access-link]")
    page.select_option("#purpose", "person_request")
    with page.expect_download() as download_info:
        page.click("[data-testid=subject-access-download]")
    path = tmp_path / "subject-access.pdf"
    download_info.value.save_as(str(path))
    assert download_info.value.suggested_filename == f"subject-access-{person.study_code}.pdf"
    assert path.read_bytes().startswith(b"%PDF")
    if shutil.which("pdftotext"):
        text = subprocess.run(
            ["pdftotext", "-enc", "UTF-8", str(path), "-"], capture_output=True, check=True, text=True
        ).stdout
        assert NAME in text and "BR-0042" in text

    # 2. Forgetting: the page says the person will be anonymised; the study code must be typed.
    page.goto(f"/participants/{person.id}")
    page.click("[data-testid=forget-link]")
    assert page.locator("[data-testid=forget-mode]").get_attribute("data-mode") == "anonymise"
    page.fill("#study_code", "WRONG1")
    page.click("[data-testid=forget-submit]")
    page.wait_for_selector(".invalid-feedback")
    page.fill("#study_code", display_code(person.study_code))
    page.click("[data-testid=forget-submit]")
    page.wait_for_selector(".alert-success")
    assert "is anonymised" in page.locator(".alert-success").inner_text()
    db.session.commit()  # end the test's own read transaction: see what the server saved
    assert db.session.get(Participant, person.id).full_name is None

    # 3. The audit log no longer shows the name; the chain holds.
    page.goto(f"/audit?entity_type=participant&entity_id={person.id}")
    assert page.locator("[data-testid=audit-erased]").count() >= 2
    assert NAME not in page.content()
    assert verify_chain().is_intact
