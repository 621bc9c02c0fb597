"""Cached page fragments (the dashboards' panels): reused until a table their drawing read
changes, per user, never holding a CSRF token."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from programme.core import cache
from programme.core.querycount import count_queries
from programme.facilities.models import Facility


def test_a_fragment_is_reused_until_a_table_it_read_changes(app, db, make_user, make_facility):
    user = make_user("admin")
    facility = make_facility(name_en="Before")
    db.session.commit()
    drawn = []

    def render():
        name = db.session.execute(select(Facility.name_en).where(Facility.id == facility.id)).scalar_one()
        drawn.append(name)
        return f"<p>{name}</p>"

    def fragment():
        with app.test_request_context():
            return str(cache.cached_fragment("test", user, render))

    assert fragment() == "<p>Before</p>"
    with count_queries(db.engine) as log:
        assert fragment() == "<p>Before</p>"
    assert drawn == ["Before"] and log.count == 1  # the generations only
    facility.name_en = "After"
    db.session.commit()
    assert fragment() == "<p>After</p>" and drawn == ["Before", "After"]


def test_the_tables_of_cached_figures_used_inside_count_too(app, db, make_user, make_facility):
    user = make_user("admin")
    make_facility()
    db.session.commit()
    drawn = []

    def count_facilities():
        return db.session.execute(select(Facility.id)).all()

    def render():
        with app.test_request_context():
            figure = cache.cached({"figure": "test.count"}, count_facilities, depends_on=[Facility])
        drawn.append(len(figure))
        return f"<p>{len(figure)}</p>"

    def fragment():
        with app.test_request_context():
            return str(cache.cached_fragment("test-nested", user, render))

    assert fragment() == "<p>1</p>"
    # The figure is now cached: redrawing the fragment would read no facility row, yet it
    # still depends on the facility table through the figure.
    cache.clear()
    assert fragment() == "<p>1</p>" and drawn == [1, 1]
    assert fragment() == "<p>1</p>" and drawn == [1, 1]
    make_facility()
    db.session.commit()
    assert fragment() == "<p>2</p>" and drawn == [1, 1, 2]


def test_fragments_are_per_user_and_their_forms_get_each_requests_csrf_token(app, db, make_user):
    from flask_wtf import FlaskForm
    from flask_wtf.csrf import generate_csrf

    first, second = make_user("admin"), make_user("admin")
    db.session.commit()
    calls = []
    assert app.config.get("WTF_CSRF_ENABLED", True)  # as in production

    def render_for(user):
        def render():
            calls.append(user.id)
            return f"<form>{FlaskForm().hidden_tag()}</form>"

        return render

    for user in (first, first, second):
        with app.test_request_context():
            html = str(cache.cached_fragment("form", user, render_for(user)))
            token = generate_csrf()  # this request's own
            assert f'value="{token}"' in html and cache.CSRF_PLACEHOLDER not in html
    assert calls == [first.id, second.id]  # drawn once per user; the second request reused it
    stored = [value for value in cache._store().entries.values() if isinstance(value, dict)]
    assert stored and all(cache.CSRF_PLACEHOLDER in value["html"] for value in stored if "html" in value)


def test_the_dashboard_follows_a_change_of_what_it_shows(client, login_as, db, make_cohort):
    from programme.scheduling.models import ProgrammeSession

    cohort = make_cohort(name="Dawn readers")
    login_as("admin")
    assert "Dawn readers" not in client.get("/").get_data(as_text=True)
    assert "Dawn readers" not in client.get("/").get_data(as_text=True)  # from the cache
    # A session without a lead next week: the coordinators' panel lists it at once.
    starts = datetime.now(UTC).replace(microsecond=0) + timedelta(days=7)
    db.session.add(
        ProgrammeSession(
            cohort_id=cohort.id,
            sequence=1,
            starts_at=starts,
            ends_at=starts + timedelta(hours=2),
            room="Hall",
        )
    )
    db.session.commit()
    assert "Dawn readers #1" in client.get("/").get_data(as_text=True)


def test_a_cached_page_keeps_its_title_follows_changes_and_draws_messages_each_time(
    client, login_as, db, make_participant
):
    officer = login_as("officer")
    make_participant(facility_id=officer.facility_id, full_name="Асқар Первый")
    first = client.get("/participants").get_data(as_text=True)
    assert "<title>Participants" in first and "Асқар Первый" in first
    assert client.get("/participants").get_data(as_text=True) == first  # from the cache
    make_participant(facility_id=officer.facility_id, full_name="Берик Второй")
    assert "Берик Второй" in client.get("/participants").get_data(as_text=True)
    # Another query string is another page.
    searched = client.get("/participants?q=Берик").get_data(as_text=True)
    assert "Берик Второй" in searched and "Асқар Первый" not in searched
    # The layout (menu, messages) is drawn for each request around the cached content.
    with client.session_transaction() as session:
        session["_flashes"] = [("success", "Saved just now")]
    assert "Saved just now" in client.get("/participants").get_data(as_text=True)
    assert "Saved just now" not in client.get("/participants").get_data(as_text=True)
