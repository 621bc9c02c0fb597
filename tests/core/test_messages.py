"""A message waits in the session once, however often the same form is sent before a page shows it."""

from __future__ import annotations

from flask import flash, get_flashed_messages, session
from markupsafe import Markup

from tests.attendance.test_register import form_for, register_url


def test_the_same_message_is_queued_once_and_different_ones_in_order(app):
    with app.test_request_context():
        flash("Saved.", "success")
        flash("Saved.", "success")
        flash("Check the dates.", "warning")
        flash("Saved.", "warning")  # same words, another kind: a different message
        flash("Saved.", "success")
        assert session["_flashes"] == [
            ("success", "Saved."),
            ("warning", "Check the dates."),
            ("warning", "Saved."),
        ]
        assert get_flashed_messages() == ["Saved.", "Check the dates.", "Saved."]


def test_markup_and_the_same_words_as_text_are_different_messages(app):
    with app.test_request_context():
        flash(Markup("<b>Saved.</b>"), "success")
        flash("<b>Saved.</b>", "success")
        assert len(session["_flashes"]) == 2


def test_a_register_sent_again_and_again_queues_each_outcome_once(client, login_as, make_held_cohort):
    officer = login_as("officer")
    cohort, (held,), people = make_held_cohort(people=4, held=1, facility_id=officer.facility_id)
    data = form_for(people, csrf_token=client.csrf_token())
    for _ in range(5):
        assert client.post(register_url(held), data=data).status_code == 302
    with client.session_transaction() as stored:
        assert [message for _kind, message in stored["_flashes"]] == [
            "Register saved: 4 new marks, 0 changed.",
            "Register saved: 0 new marks, 0 changed.",
        ]
    page = client.get(f"/cohorts/{cohort.id}/attendance").get_data(as_text=True)
    assert page.count("Register saved: 0 new marks") == 1
