"""The printed register grid is drawn once and reused until its data changes."""

from __future__ import annotations

from programme.attendance.grid import register_grid


def test_grid_is_reused_until_a_mark_changes(
    app, db, make_user, make_held_cohort, make_mark, assert_max_queries
):
    cohort, sessions, people = make_held_cohort(people=3, held=2)
    officer = make_user("officer", facility_id=cohort.facility_id)
    mark = make_mark(sessions[0], people[0], "present")
    with app.test_request_context():
        first, listed = register_grid(officer, cohort, "ru")
        assert listed == 3 and first.startswith(b"%PDF")
        with assert_max_queries(1):  # the data generations only: the PDF is not drawn again
            assert register_grid(officer, cohort, "ru") == (first, 3)
    mark.status = "absent"
    db.session.commit()
    with app.test_request_context():
        redrawn, _listed = register_grid(officer, cohort, "ru")
    assert redrawn != first
