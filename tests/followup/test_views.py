"""Follow-up pages: who may use them, happy paths, refusals shown, and query counts."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from sqlalchemy import select

from programme.audit.models import AuditEvent
from programme.followup import services
from programme.followup.dates import local_today
from programme.followup.models import FollowUpCheck


@pytest.mark.parametrize("role", ["evaluator", "coordinator", "facilitator"])
def test_only_officers_and_admins_record(client, login_as, make_participant, role):
    person = make_participant()
    login_as(role)
    assert client.get(f"/followup/people/{person.id}/release").status_code == 403
    assert client.get("/followup/checks").status_code == 403


def test_an_officer_cannot_see_another_facilitys_person(client, login_as, make_participant, make_release):
    other = make_participant()
    make_release(other)
    login_as("officer")
    assert client.get(f"/followup/people/{other.id}").status_code == 404
    check_id = services.checks_of(other.id)[0].id
    assert client.get(f"/followup/checks/{check_id}").status_code == 404


@pytest.mark.parametrize("role", ["officer", "coordinator", "facilitator"])
def test_only_evaluators_and_admins_see_the_measures(client, login_as, role):
    login_as(role)
    assert client.get("/followup/measures").status_code == 403
    assert client.get("/followup/measures/survival.png").status_code == 403


def test_officer_records_a_release_and_a_check(db, client, login_as, make_participant):
    officer = login_as("officer")
    person = make_participant(facility_id=officer.facility_id, sentence_start=date(2022, 1, 1))
    today = local_today(None)
    released = today - timedelta(days=400)
    response = client.post_form(
        f"/followup/people/{person.id}/release",
        {
            "released_on": released.isoformat(),
            "release_type": "conditional_early",
            "probation_region": "karaganda",
        },
    )
    assert response.status_code == 302
    page = client.get(f"/followup/people/{person.id}").get_data(as_text=True)
    assert "Conditional early release" in page and person.full_name in page
    check = services.checks_of(person.id)[1]  # 12 months
    refused = client.post_form(
        f"/followup/checks/{check.id}",
        {
            "checked_on": today.isoformat(),
            "source": "probation",
            "outcome": "reconvicted",
            "offence_date": (released - timedelta(days=1)).isoformat(),
            "conviction_date": today.isoformat(),
            "offence_category": "drugs",
            "is_custodial": "no",
        },
    )
    assert refused.status_code == 200
    assert "The offence date is before the release" in refused.get_data(as_text=True)
    response = client.post_form(
        f"/followup/checks/{check.id}",
        {
            "checked_on": today.isoformat(),
            "source": "probation",
            "outcome": "reconvicted",
            "offence_date": (released + timedelta(days=100)).isoformat(),
            "conviction_date": (released + timedelta(days=200)).isoformat(),
            "offence_category": "drugs",
            "is_custodial": "no",
            "version_id": "1",
        },
    )
    assert response.status_code == 302
    db.session.expire_all()
    stored = db.session.get(FollowUpCheck, check.id)
    assert (stored.outcome, stored.is_custodial, stored.recorded_by_id) == ("reconvicted", False, officer.id)
    reads = db.session.execute(select(AuditEvent).where(AuditEvent.action == "read")).scalars().all()
    assert reads and reads[0].entity_type == "participant"


def test_dashboard_shows_the_worklist(client, login_as, make_participant, make_release):
    officer = login_as("officer")
    person = make_participant(facility_id=officer.facility_id)
    make_release(person, released_on=date(2025, 1, 15))
    page = client.get("/").get_data(as_text=True)
    assert 'data-testid="followup-panel"' in page
    assert person.study_code in page


def test_officer_registers_a_comparison_person_at_their_facility(db, client, login_as, make_facility):
    officer = login_as("officer")
    elsewhere = make_facility()
    values = {
        "full_name": "Сравнение Тест",
        "facility_number": "C-1",
        "birth_year": "1988",
        "gender": "male",
        "offence_category": "property",
        "is_repeat_conviction": "repeat",
    }
    assert (
        client.post_form(
            "/followup/comparison-people/new", {**values, "facility_id": elsewhere.id}
        ).status_code
        == 200
    )
    response = client.post_form(
        "/followup/comparison-people/new", {**values, "facility_id": officer.facility_id}
    )
    assert response.status_code == 302
    page = client.get("/followup/comparison-people").get_data(as_text=True)
    assert "Сравнение Тест" in page


def seed_people(count: int, make_participant, make_release, make_check, is_comparison=False):
    for index in range(count):
        person = make_participant(is_comparison=is_comparison, birth_year=1980 + index % 20)
        make_release(person, released_on=date(2025, 1, 15), months=(24,))
        if index % 3 == 0:
            make_check(
                person,
                6,
                date(2025, 7, 20),
                "reconvicted",
                offence_date=date(2025, 5, 1) + timedelta(days=index),
                conviction_date=date(2025, 7, 1),
                offence_category="property",
                is_custodial=False,
            )
        else:
            make_check(person, 12, date(2026, 1, 20))


def test_evaluator_sees_measures_without_names_or_dates(
    client, login_as, make_participant, make_release, make_check
):
    seed_people(6, make_participant, make_release, make_check)
    seed_people(3, make_participant, make_release, make_check, is_comparison=True)
    login_as("evaluator")
    page = client.get("/followup/measures").get_data(as_text=True)
    assert 'data-testid="survival-chart"' in page
    assert "Участник Тестовый" not in page and "2025-01-15" not in page and "15 Jan" not in page
    assert 'data-testid="events-completer"' not in page  # six people, but not completers: non-completers
    assert 'data-testid="events-non_completer">2<' in page
    assert 'data-testid="suppressed"' in page  # three comparison people: hidden
    chart = client.get("/followup/measures/survival.png")
    assert chart.status_code == 200 and chart.data[:8] == b"\x89PNG\r\n\x1a\n"


def test_export_is_pseudonymised_and_audited_with_its_purpose(
    db, client, login_as, make_participant, make_release, make_check
):
    seed_people(5, make_participant, make_release, make_check)
    login_as("evaluator")
    refused = client.post_form("/followup/measures/export", {"file_format": "csv", "purpose": "short"})
    assert refused.status_code == 302
    response = client.post_form(
        "/followup/measures/export",
        {"file_format": "csv", "purpose": "Survival analysis for the 2026 report"},
    )
    text = response.data.decode("utf-8-sig")
    assert response.headers["Cache-Control"] == "no-store"
    assert text.splitlines()[0].startswith("study_code,group,facility_code")
    assert len(text.splitlines()) == 6 and "Участник" not in text
    # No dates (releases are in 2025): a random study code may hold the digits, a date has dashes.
    assert not re.search(r"\b2025-\d\d-\d\d\b", text)
    event = db.session.execute(select(AuditEvent).where(AuditEvent.action == "export")).scalar_one()
    assert event.purpose == "Survival analysis for the 2026 report" and event.changes["rows"] == 5


def test_measures_and_worklist_use_a_fixed_number_of_queries(
    client, login_as, make_participant, make_release, make_check, assert_max_queries, make_user
):
    evaluator = login_as("evaluator")
    for size in (6, 18):
        seed_people(size, make_participant, make_release, make_check)
        with assert_max_queries(14):
            assert client.get("/followup/measures").status_code == 200
    assert evaluator.role == "evaluator"


def test_worklist_page_uses_a_fixed_number_of_queries(
    client, login_as, make_participant, make_release, assert_max_queries
):
    officer = login_as("officer")
    people = 0
    for size in (3, 12):
        for _ in range(size):
            released_on = local_today(None) - timedelta(days=400)
            make_release(make_participant(facility_id=officer.facility_id), released_on=released_on)
        people += size
        with assert_max_queries(10):
            page = client.get("/followup/checks").get_data(as_text=True)
        # released 400 days ago: the 6- and 12-month checks are overdue, the 24-month one not yet due
        assert page.count('data-testid="worklist-row"') == 2 * people


def test_report_section_builds_a_pdf_with_the_tables(app, make_participant, make_release, make_check):
    from programme.followup.measures import survival_summary
    from programme.followup.pdf import survival_flowables
    from programme.reports.document import Footer, build_pdf

    seed_people(6, make_participant, make_release, make_check)
    with app.test_request_context(headers={"Accept-Language": "en"}):
        pdf = build_pdf(survival_flowables(survival_summary(None)), Footer("Report"))
    assert pdf.startswith(b"%PDF") and len(pdf) > 10_000
