"""The officer's watch list."""

from __future__ import annotations

from programme.attendance.watch import _watch_list, trailing_absences, watch_list


def test_trailing_absences_count_only_the_latest_run():
    assert trailing_absences(["absent", "absent", "present", "absent"]) == 2
    assert trailing_absences(["present", "absent", "absent"]) == 0
    assert trailing_absences(["absent", "excused", "absent"]) == 1
    assert trailing_absences([]) == 0


def test_two_absences_in_a_row_and_weak_cohorts_are_watched(
    client, db, login_as, make_held_cohort, make_mark
):
    officer = login_as("officer")
    cohort, sessions, (steady, missing, once) = make_held_cohort(
        people=3, held=3, facility_id=officer.facility_id
    )
    for session, status in zip(sessions, ["present", "present", "present"], strict=True):
        make_mark(session, steady, status)
    for session, status in zip(sessions, ["present", "absent", "absent"], strict=True):
        make_mark(session, missing, status)
    for session, status in zip(sessions, ["absent", "absent", "present"], strict=True):
        make_mark(session, once, status)
    watched = watch_list(officer)
    assert [(p.participant_id, p.absences_in_a_row) for p in watched["people"]] == [(missing.id, 2)]
    assert [c.cohort_id for c in watched["cohorts"]] == [cohort.id]  # 5 of 9 = 56 % < 70 %
    page = client.get("/").get_data(as_text=True)
    assert 'data-testid="watch-list"' in page and missing.full_name in page


def test_other_facilities_are_not_on_the_watch_list(db, make_user, make_held_cohort, make_mark):
    officer = make_user("officer")
    _cohort, sessions, (person,) = make_held_cohort(people=1, held=2)
    for session in sessions:
        make_mark(session, person, "absent")
    assert watch_list(officer) == {"people": [], "cohorts": [], "threshold": 70}
    admin = make_user("admin")
    assert len(watch_list(admin)["people"]) == 1


def test_a_weak_cohort_whose_people_all_completed_is_watched_by_name(
    db, make_user, make_held_cohort, make_mark
):
    officer = make_user("officer")
    cohort, sessions, (person,) = make_held_cohort(people=1, held=2, facility_id=officer.facility_id)
    for session in sessions:
        make_mark(session, person, "absent")
    person.enrolments[0].status = "completed"
    db.session.commit()
    watched = watch_list(officer)
    assert watched["people"] == []  # completed people are not chased
    assert [(c.cohort_id, c.name) for c in watched["cohorts"]] == [(cohort.id, cohort.name)]


def test_the_watch_list_costs_two_queries_and_is_reused_until_a_mark_changes(
    db, make_user, make_held_cohort, make_mark, assert_max_queries
):
    officer = make_user("officer")
    marks = []
    for _ in range(3):
        _cohort, sessions, people = make_held_cohort(people=4, held=3, facility_id=officer.facility_id)
        for person in people:
            for session in sessions:
                marks.append(make_mark(session, person, "absent"))
    db.session.refresh(officer)  # loaded before counting: the page has its user already
    with assert_max_queries(2):
        computed = _watch_list(officer)
    assert len(computed["people"]) == 12 and len(computed["cohorts"]) == 3
    with assert_max_queries(3):  # the data generations, then the two queries
        assert watch_list(officer) == computed
    with assert_max_queries(1):  # unchanged data: the generations only
        assert watch_list(officer) == computed
    marks[-1].status = "present"  # the last person came to the latest session
    db.session.commit()
    assert len(watch_list(officer)["people"]) == 11
