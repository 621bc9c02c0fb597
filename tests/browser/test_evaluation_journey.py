"""An evaluator filters to one region, reads the comparison with its charts, and downloads the
PDF report and the SPSS file."""

from __future__ import annotations

import pyreadstat

from tests.browser.conftest import log_in
from tests.conftest import TEST_PASSWORD


def test_evaluator_filters_to_a_region_and_downloads_report_and_sav(page, make_study, make_user, tmp_path):
    study = make_study(regions=("karaganda", "abai"), per_cohort=8)
    evaluator = make_user("evaluator")
    log_in(page, evaluator.email, TEST_PASSWORD)

    page.click("[data-testid=main-menu] >> text=Evaluation")
    page.wait_for_selector("[data-testid=comparison-table]")
    page.select_option("#region", "abai")
    page.click("[data-testid=apply-filters]")
    page.wait_for_url("**region=abai**")
    assert "Abai region" in page.inner_text("[data-testid=filter-summary]")
    total_row = page.inner_text("[data-testid=comparison-TOTAL]")
    assert total_row.split("\t")[1].strip() == "7"  # eight in Abai, one without an answer after
    for chart in ("chart-paired", "chart-change"):
        image = page.locator(f"[data-testid={chart}]")
        assert image.evaluate("img => img.complete && img.naturalWidth > 0")
    assert page.locator("[data-testid=chart-paired-data]").is_visible()

    page.click("[data-testid=report-menu]")
    with page.expect_download() as report:
        page.click("[data-testid=report-en]")
    pdf = tmp_path / "report.pdf"
    report.value.save_as(pdf)
    assert pdf.read_bytes().startswith(b"%PDF")

    page.click("[data-testid=export-link]")
    page.select_option("#file_format", "sav_wide")
    page.select_option("#purpose", "analysis")
    with page.expect_download() as export:
        page.click("[data-testid=export-submit]")
    sav = tmp_path / "data.sav"
    export.value.save_as(sav)
    frame, meta = pyreadstat.read_sav(str(sav))
    abai = {person.study_code for person, cohort, *_rest in study.people if cohort.facility.region == "abai"}
    assert set(frame["study_code"]) == abai
    assert meta.variable_value_labels["region"] == {1: "Abai region"}
