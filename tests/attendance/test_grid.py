"""The printed register grid is drawn once and reused until its data changes."""

from __future__ import annotations

from programme.attendance.grid import register_grid
from programme.scheduling.models import SessionAssignment


def test_grid_is_reused_until_a_mark_changes(
    app, db, make_user, make_held_cohort, make_mark, assert_max_queries
):
    cohort, sessions, people = make_held_cohort(people=3, held=2)
    officer = make_user("officer", facility_id=cohort.facility_id)
    mark = make_mark(sessions[0], people[0], "present")
    with app.test_request_context():
        first, listed = register_grid(officer, cohort.id, "ru")
        assert listed == 3 and first.startswith(b"%PDF")
        with assert_max_queries(1):  # the data generations only: the PDF is not drawn again
            assert register_grid(officer, cohort.id, "ru") == (first, 3)
    mark.status = "absent"
    db.session.commit()
    with app.test_request_context():
        redrawn, _listed = register_grid(officer, cohort.id, "ru")
    assert redrawn != first


def test_a_facilitator_taken_off_the_cohort_cannot_reprint_its_grid(client, db, login_as, make_held_cohort):
    """The reused grid follows the staffing that lets a facilitator see the cohort."""
    facilitator = login_as("facilitator")
    cohort, (session,), _people = make_held_cohort(people=2, held=1, department_id=facilitator.department_id)
    session.assignments.append(SessionAssignment(user_id=facilitator.id, role="lead"))
    db.session.commit()
    url = f"/cohorts/{cohort.id}/register.pdf"
    assert [client.get(url).status_code for _twice in range(2)] == [200, 200]
    session.assignments.clear()
    db.session.commit()
    assert client.get(url).status_code == 404
