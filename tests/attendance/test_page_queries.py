"""List pages cost the same number of queries for 3 or 30 people."""

from __future__ import annotations

import pytest


@pytest.mark.parametrize("people", [3, 30])
def test_officer_pages_are_bounded(client, login_as, make_held_cohort, make_mark, assert_max_queries, people):
    officer = login_as("officer")
    cohort, sessions, participants = make_held_cohort(people=people, held=3, facility_id=officer.facility_id)
    for session in sessions:
        for participant in participants:
            make_mark(session, participant, "present")
    urls = [
        "/participants",
        f"/participants/{participants[0].id}",
        f"/cohorts/{cohort.id}/enrolments",
        f"/cohorts/{cohort.id}/attendance",
        "/attendance",
        "/",
    ]
    for url in urls:
        with assert_max_queries(14):
            assert client.get(url).status_code == 200, url


@pytest.mark.parametrize("people", [3, 30])
def test_evaluator_pages_are_bounded(client, login_as, make_held_cohort, assert_max_queries, people):
    login_as("evaluator")
    cohort, _sessions, _participants = make_held_cohort(people=people, held=2)
    for url in ("/participants", f"/cohorts/{cohort.id}/attendance", "/attendance"):
        with assert_max_queries(10):
            assert client.get(url).status_code == 200, url
