"""The bell with the unread count, the notifications page, marking as read (POST, own only)."""

from __future__ import annotations

from sqlalchemy import select

from programme.notifications.models import Notification
from programme.notifications.services import add_notifications, render, unread_count


def test_notifications_are_rendered_in_the_readers_language(db, make_user):
    user = make_user("facilitator")
    add_notifications(
        [user.id, user.id],
        "assigned",
        {"cohort": "Spring", "sequence": 3, "when": "2027-05-04 10:00", "role": "lead"},
    )
    db.session.commit()
    note = db.session.execute(select(Notification)).scalar_one()  # one per distinct user
    assert render(note) == "You were assigned to Spring, session 3 on 2027-05-04 10:00 (lead facilitator)."
    assert unread_count(user.id) == 1


def test_bell_shows_the_unread_count_and_the_page_marks_read(db, client, login_as, make_user):
    me = login_as("coordinator")
    other = make_user("coordinator")
    params = {
        "facility": "KRG-01",
        "start": "2026-11-10",
        "end": "2026-11-10",
        "reason": "Lockdown",
        "count": 1,
    }
    add_notifications([me.id, other.id], "closure", params)
    add_notifications([me.id], "closure", params)
    db.session.commit()
    home = client.get("/").get_data(as_text=True)
    assert 'data-testid="unread-count"' in home and ">2</span>" in home
    page = client.get("/notifications").get_data(as_text=True)
    assert page.count("KRG-01 is closed from 2026-11-10") == 2
    mine = db.session.execute(select(Notification.id).where(Notification.user_id == me.id)).scalars().all()
    theirs = db.session.execute(select(Notification.id).where(Notification.user_id == other.id)).scalar_one()
    client.post_form(f"/notifications/{theirs}/read")
    assert unread_count(other.id) == 1  # not mine to mark
    client.post_form(f"/notifications/{mine[0]}/read")
    assert unread_count(me.id) == 1
    client.post_form("/notifications/read")
    assert unread_count(me.id) == 0
    assert 'data-testid="unread-count"' not in client.get("/").get_data(as_text=True)


def test_marking_read_needs_a_post_with_csrf(db, client, login_as):
    me = login_as("officer")
    add_notifications(
        [me.id], "session_cancelled", {"cohort": "A", "sequence": 1, "when": "x", "reason": "y"}
    )
    db.session.commit()
    assert client.get("/notifications/read").status_code == 405
    assert client.post("/notifications/read", data={}).status_code == 400
    assert unread_count(me.id) == 1


def test_the_bell_count_comes_with_the_signed_in_user_in_one_statement(
    db, client, login_as, assert_max_queries
):
    me = login_as("officer")
    add_notifications(
        [me.id, me.id], "closure", {"facility": "A", "start": "", "end": "", "reason": "", "count": 0}
    )
    add_notifications([me.id], "session_moved", {"cohort": "B", "sequence": 1, "when": ""})
    db.session.commit()
    with assert_max_queries(1) as log:  # the layout alone: user and unread count together
        page = client.get("/bench/floor").get_data(as_text=True)
    assert "FROM notification" in log.statements[0] and "FROM user_account" in log.statements[0]
    assert 'data-testid="unread-count"' in page and ">2</span>" in page
