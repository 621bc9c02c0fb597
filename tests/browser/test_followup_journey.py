"""An officer records a release and a 12-month check with a reconviction; the evaluator's
survival table changes accordingly (one more person, one more reoffence)."""

from __future__ import annotations

from datetime import date, timedelta

from programme.followup.dates import local_today
from tests.browser.conftest import log_in, log_out
from tests.conftest import TEST_PASSWORD


def test_officer_records_release_and_check_and_the_evaluator_sees_the_curve_change(
    page, db, make_facility, make_user, make_participant, make_release, make_check
):
    facility = make_facility()
    officer = make_user("officer", facility_id=facility.id)
    evaluator = make_user("evaluator")
    for index in range(5):
        person = make_participant(facility_id=facility.id, birth_year=1980 + index)
        make_release(person, released_on=date(2025, 1, 15), months=())
        make_check(person, 12, date(2026, 1, 20))
    today = local_today(None)
    released = today - timedelta(days=400)
    newcomer = make_participant(
        facility_id=facility.id, sentence_start=date(2022, 1, 1), expected_release=released
    )

    log_in(page, evaluator.email, TEST_PASSWORD)
    page.goto("/followup/measures")
    assert page.inner_text("[data-testid=survival-non_completer] td:nth-of-type(1)") == "5"
    assert page.inner_text("[data-testid=events-non_completer]") == "0"
    log_out(page)

    log_in(page, officer.email, TEST_PASSWORD)
    page.goto("/followup/releases/due")
    page.click(f"tr:has-text('{newcomer.study_code}') >> text=Record release")
    page.fill("#released_on", released.isoformat())
    page.select_option("#release_type", "end_of_sentence")
    page.click("main button[type=submit]")
    page.wait_for_selector("[data-testid=release]")
    page.click("[data-testid=check-12] >> text=Record")
    page.fill("#checked_on", today.isoformat())
    page.select_option("#source", "court_records")
    page.select_option("#outcome", "reconvicted")
    page.fill("#offence_date", (released + timedelta(days=90)).isoformat())
    page.fill("#conviction_date", (released + timedelta(days=150)).isoformat())
    page.select_option("#offence_category", "property")
    page.select_option("#is_custodial", "yes")
    page.click("main button[type=submit]")
    page.wait_for_selector("[data-testid=check-12]:has-text('Reconvicted')")
    log_out(page)

    log_in(page, evaluator.email, TEST_PASSWORD)
    page.goto("/followup/measures")
    assert page.inner_text("[data-testid=survival-non_completer] td:nth-of-type(1)") == "6"
    assert page.inner_text("[data-testid=events-non_completer]") == "1"
    assert page.evaluate("document.querySelector('[data-testid=survival-chart]').naturalWidth") > 0
    page.click("text=Non-completers (n = 6)")
    first_quarter = page.locator("[data-testid=life-table-non_completer] tbody tr").first.inner_text()
    assert first_quarter.split("\t")[:4] == ["0–91", "6", "1", "0"]  # the reoffence at day 90
