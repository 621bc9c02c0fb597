"""Evaluation pages: who may see them, what they show, the small-group rule, bounded queries."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from programme.audit.models import AuditEvent


def shows_nan(page: str) -> bool:
    without_images = re.sub(r"data:image/png;base64,[^\"]*", "", page)
    return re.search(r"\b(nan|inf)\b", without_images, re.IGNORECASE) is not None


@pytest.mark.parametrize("role", ["officer", "coordinator", "facilitator"])
def test_only_evaluators_and_admins_get_in(client, login_as, role):
    login_as(role)
    for url in (
        "/evaluation",
        "/evaluation/dose",
        "/evaluation/groups",
        "/evaluation/surveys",
        "/evaluation/report",
        "/evaluation/exports",
    ):
        assert client.get(url).status_code == 403, url


def test_menu_shows_evaluation_to_evaluators(client, login_as):
    login_as("evaluator")
    page = client.get("/").get_data(as_text=True)
    assert 'href="/evaluation"' in page


def test_comparison_page_shows_every_scale_and_charts(client, login_as, make_study):
    make_study(per_cohort=8)
    login_as("evaluator")
    response = client.get("/evaluation?instrument=REFLECT")
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    for code in ("OPEN", "SELF", "TOTAL"):
        assert f'data-testid="comparison-{code}"' in page
    assert 'data-testid="chart-paired"' in page and 'data-testid="chart-change"' in page
    assert "data:image/png;base64," in page
    assert not shows_nan(page)


def test_region_filter_and_small_groups_for_evaluators(client, login_as, make_study):
    make_study(regions=("karaganda", "abai"), per_cohort=4, post_missing=0)
    login_as("evaluator")
    page = client.get("/evaluation?region=abai").get_data(as_text=True)
    # Four people answered in Abai: every figure is hidden, with a visible mark, and no chart.
    assert 'data-testid="suppressed"' in page
    assert 'data-testid="chart-paired"' not in page
    assert "n &lt; 5: hidden" in page


def test_admins_see_small_groups(client, login_as, make_study):
    make_study(regions=("abai",), per_cohort=4, post_missing=0)
    login_as("admin")
    page = client.get("/evaluation").get_data(as_text=True)
    assert 'data-testid="suppressed"' not in page
    assert 'data-testid="chart-paired"' in page


def test_not_enough_data_is_said_not_crashed(client, login_as, make_study):
    make_study(regions=("abai",), per_cohort=2, post_missing=0)
    login_as("admin")
    page = client.get("/evaluation").get_data(as_text=True)
    assert "at least 3 complete pairs are needed" in page
    assert not shows_nan(page)


def test_empty_database_pages_work(client, login_as):
    login_as("evaluator")
    for url in ("/evaluation", "/evaluation/dose", "/evaluation/groups", "/evaluation/surveys"):
        response = client.get(url)
        assert response.status_code == 200, url


@pytest.mark.parametrize("per_cohort", [6, 30])
def test_comparison_page_queries_are_bounded(client, login_as, make_study, assert_max_queries, per_cohort):
    make_study(regions=("karaganda", "abai", "turkestan"), per_cohort=per_cohort)
    login_as("evaluator")
    with assert_max_queries(14):
        response = client.get("/evaluation?scale=OPEN")
    assert response.status_code == 200


def test_dose_and_groups_pages(client, login_as, make_study):
    study = make_study(per_cohort=8)
    login_as("evaluator")
    page = client.get("/evaluation/dose?scale=TOTAL").get_data(as_text=True)
    assert "Spearman" in page and 'data-testid="chart-dose"' in page
    page = client.get("/evaluation/groups?by=cohort").get_data(as_text=True)
    assert 'data-testid="chart-forest"' in page
    for cohort in study.cohorts:
        assert cohort.name in page


def test_survey_page_lays_out_table_one(
    client,
    login_as,
    make_survey_instrument,
    make_facility,
    make_cohort,
    make_participant,
    make_administration,
    make_categorical_response,
    db,
):
    instrument = make_survey_instrument()
    facility = make_facility(region="abai")
    cohort = make_cohort(facility_id=facility.id)
    administration = make_administration(cohort, instrument, "pre")
    for value in ["yes", "yes", "no", "not_needed", "hard_to_say", "yes"]:
        make_categorical_response(
            administration, make_participant(facility_id=facility.id), {"AR_EMPLOYMENT": value}
        )
    db.session.commit()
    login_as("evaluator")
    page = client.get("/evaluation/surveys?instrument=RESOC&timepoint_from=pre&breakdown=region").get_data(
        as_text=True
    )
    assert "After release from this facility, do you know staff" in page
    row = page.split('data-testid="survey-row-AR_EMPLOYMENT"')[1].split("</tr>")[0]
    assert "50.0" in row and "16.7" in row and ">6<" in row


def test_report_pdf_is_audited(client, login_as, make_study, db):
    make_study(per_cohort=8)
    login_as("evaluator")
    response = client.get("/evaluation/report?report_language=kk&region=abai")
    assert response.status_code == 200
    assert response.data.startswith(b"%PDF")
    assert response.headers["Content-Disposition"].startswith("attachment;")
    event = db.session.execute(select(AuditEvent).where(AuditEvent.action == "report")).scalar_one()
    assert event.changes["filters"]["region"] == "abai"
    assert event.changes["language"] == "kk"
