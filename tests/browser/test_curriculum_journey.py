"""A coordinator writes a 3-session curriculum in Kazakh, meets the steps error, publishes, edits
(a new draft appears, the published version is unchanged) and downloads the Kazakh handout."""

from __future__ import annotations

import shutil
import subprocess

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import log_in, open_menu

TITLE = "Бірге ойлану: қысқа курс"
HANDOUT = "Әділдік деген не? Біз ғұмыр бойы үйренеміз: қоғам, үміт, өмір, ұят, һәм ілім."


def _write_plan(page, number: int) -> None:
    page.click("[data-testid=add-plan]")
    page.fill("#title", f"{number}-сабақ: әділдік пен еркіндік")
    page.fill("#question", "Әділ болу деген не?")
    page.fill("#aims", "Дәлел келтіруге үйрену.")
    page.fill("#concepts", "әділдік\nеркіндік")
    page.select_option("#stimulus_kind", "thought_experiment")
    page.fill("#stimulus_title", "Гигес сақинасы")
    page.fill("#stimulus_text", "Бақташы көрінбейтін ететін сақина табады.")
    page.fill("#follow_up_questions", "Сіз не істер едіңіз?")
    page.fill("#handout_text", HANDOUT)
    page.click("[data-testid=save]")
    page.wait_for_selector("[data-testid=steps-editor]")
    for guidance in page.locator("textarea[name$=guidance]").all()[:-1]:  # the last row is the spare
        guidance.fill("Топпен бірге жұмыс істеңіз.")


def _save_steps(page) -> None:
    page.click("[data-testid=save-steps]")
    page.wait_for_selector("[data-testid=plan-title]")


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="pdftotext (poppler-utils) not installed")
def test_coordinator_writes_publishes_edits_and_downloads_the_kazakh_handout(page, demo_data, tmp_path):
    page.on("dialog", lambda dialog: dialog.accept())
    log_in(page, "coordinator@demo.kz")
    page.click("[data-testid=main-menu] >> text=Curricula")
    page.click("[data-testid=new-curriculum]")
    page.click("[data-testid=language-tabs] >> text=Қазақша")
    page.fill("#title", TITLE)
    page.fill("#summary", "Үш сабақтан тұратын қысқа курс.")
    page.fill("#aims", "Бірге ойлануды үйрену.")
    page.uncheck("input[name=languages][value=ru]")
    page.uncheck("input[name=languages][value=en]")
    page.fill("#sessions_count", "3")
    page.fill("#session_minutes", "60")
    page.click("[data-testid=save]")
    page.wait_for_selector("[data-testid=curriculum-title]")
    assert page.inner_text("[data-testid=curriculum-title]").startswith(TITLE)

    # Session 1: the steps exceed the session; the JS total warns, the server refuses with a clear error.
    _write_plan(page, 1)
    page.fill("input[name=steps-0-minutes]", "50")
    assert page.locator("[data-testid=steps-over]").is_visible()
    page.click("[data-testid=save-steps]")
    error = page.inner_text("[data-testid=form-errors]")
    assert "The steps add up to 104 minutes but a session lasts 60 minutes." in error
    assert "Shorten the steps by 44 minutes in all." in error
    page.fill("input[name=steps-0-minutes]", "5")
    for guidance in page.locator("textarea[name$=guidance]").all()[:-1]:
        guidance.fill("Топпен бірге жұмыс істеңіз.")
    assert not page.locator("[data-testid=steps-over]").is_visible()
    _save_steps(page)
    page.click("text=" + TITLE)
    for number in (2, 3):
        _write_plan(page, number)
        _save_steps(page)
        page.click("text=" + TITLE)

    # expect() waits for the page the click opens: count() would read whichever page is shown.
    expect(page.locator("[data-testid=plan-row]")).to_have_count(3)
    page.click("[data-testid=publish]")
    page.wait_for_selector("[data-testid=status-published]")

    # Editing the published curriculum makes version 2, a draft; version 1 stays as it was.
    page.click("[data-testid=start-draft]")
    page.wait_for_selector("[data-testid=version-2]")
    page.click("[data-testid=edit-curriculum]")
    page.click("[data-testid=language-tabs] >> text=Қазақша")
    page.fill("#title", TITLE + " (2-нұсқа)")
    page.click("[data-testid=save]")
    assert "(2-нұсқа)" in page.inner_text("[data-testid=curriculum-title]")
    assert page.locator("[data-testid=status-draft]").count() >= 1
    page.click("[data-testid=version-1]")
    expect(page.locator("[data-testid=curriculum-title]")).to_have_text(TITLE)
    assert page.locator("[data-testid=status-published]").count() >= 1

    # The Kazakh handout of the published version's first session.
    page.locator("[data-testid=plan-list] a").first.click()
    open_menu(page, "pdf-menu")
    with page.expect_download() as download_info:
        page.click("[data-testid=handout-pdf-kk]")
    path = tmp_path / "handout.pdf"
    download_info.value.save_as(str(path))
    text = subprocess.run(
        ["pdftotext", "-enc", "UTF-8", str(path), "-"], capture_output=True, check=True, text=True
    ).stdout
    assert HANDOUT in " ".join(text.split())
    assert "1-сабақ: әділдік пен еркіндік" in text
