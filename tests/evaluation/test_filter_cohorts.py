"""Analysis filters list the cohorts of the chosen facility, not the country's 1,600."""

from __future__ import annotations

from werkzeug.datastructures import MultiDict

from programme.evaluation.forms import FilterForm
from programme.scheduling.services.cohorts import cohort_filter_options


def test_cohorts_are_listed_for_the_chosen_facility_only(app, make_cohort):
    here = make_cohort(name="Here A")
    make_cohort(facility_id=here.facility_id, name="Here B")
    elsewhere = make_cohort(name="Elsewhere")
    assert cohort_filter_options(None, None) == []  # no facility chosen: nothing to list
    assert [name for _id, name in cohort_filter_options(here.facility_id, None)] == ["Here A", "Here B"]
    # A link naming a cohort keeps it listed (and selected), even without its facility.
    assert cohort_filter_options(None, elsewhere.id) == [(elsewhere.id, "Elsewhere")]


def test_filter_form_offers_the_facility_cohorts_and_keeps_a_valid_choice(app, make_cohort):
    here = make_cohort(name="Here A")
    elsewhere = make_cohort(name="Elsewhere")
    with app.test_request_context():
        form = FilterForm(
            formdata=MultiDict({"facility_id": str(here.facility_id), "cohort_id": str(here.id)})
        )
        assert [choice.label for choice in form.cohort_id.choices][1:] == ["Here A"]
        assert form.filters().cohort_id == here.id
        # A cohort of another facility is not among the choices: the filter falls back to all.
        other = FilterForm(
            formdata=MultiDict({"facility_id": str(here.facility_id), "cohort_id": str(elsewhere.id)})
        )
        assert other.filters().cohort_id is None


def test_filter_lists_are_reused_until_their_tables_change(app, db, make_cohort, make_facility):
    from programme.core.querycount import count_queries

    here = make_cohort(name="Here A")
    db.session.commit()
    arguments = MultiDict({"facility_id": str(here.facility_id)})

    def listed():
        with app.test_request_context(), count_queries(db.engine) as log:
            form = FilterForm(formdata=arguments)
            found = ([c.label for c in form.facility_id.choices], [c.label for c in form.cohort_id.choices])
        return found, log.count

    (facilities, cohorts), first_count = listed()
    assert cohorts[1:] == ["Here A"]
    again, second_count = listed()
    assert again == (facilities, cohorts) and second_count == 1 < first_count  # the generations only
    make_cohort(facility_id=here.facility_id, name="Here B")
    added = make_facility(code="ZZZ-NEW")
    db.session.commit()
    (facilities, cohorts), _count = listed()
    assert cohorts[1:] == ["Here A", "Here B"] and facilities[-1] == added.code
