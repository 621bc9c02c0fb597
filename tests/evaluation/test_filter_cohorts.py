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
