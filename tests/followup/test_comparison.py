"""The comparison group: registration at the officer's facility and the matching helper."""

from __future__ import annotations

from datetime import date

import pytest

from programme.core.services import ValidationFailed
from programme.followup.comparison import propose_matches, register_comparison_person

PERSON = {
    "full_name": "Сравнение Первый",
    "facility_number": "CMP-1",
    "birth_year": 1990,
    "gender": "male",
    "offence_category": "property",
    "is_repeat_conviction": False,
}


def test_officer_registers_a_flagged_person_at_their_facility(db, make_user, make_facility):
    officer = make_user("officer")
    person = register_comparison_person(officer, officer.facility, dict(PERSON))
    assert person.is_comparison and person.facility_id == officer.facility_id
    assert person.study_code.startswith("C") and len(person.study_code) == 9
    with pytest.raises(ValidationFailed):
        register_comparison_person(officer, make_facility(), {**PERSON, "facility_number": "CMP-2"})


def test_registration_checks_the_fields(db, make_user):
    officer = make_user("officer")
    register_comparison_person(officer, officer.facility, dict(PERSON))
    with pytest.raises(ValidationFailed) as refused:
        register_comparison_person(
            officer, officer.facility, {**PERSON, "birth_year": 1850, "is_repeat_conviction": None}
        )
    assert {"facility_number", "birth_year", "is_repeat_conviction"} <= set(refused.value.problems)


def test_matches_share_facility_age_band_offence_and_conviction(
    db, make_facility, make_participant, make_comparison_person, make_release
):
    facility = make_facility()
    participant = make_participant(facility_id=facility.id, birth_year=1990, offence_category="drugs")
    make_release(participant, released_on=date(2025, 3, 1))  # 35 in 2025: 35-44
    same = make_comparison_person(facility_id=facility.id, birth_year=1981, offence_category="drugs")
    also = make_comparison_person(facility_id=facility.id, birth_year=1990, offence_category="drugs")
    make_comparison_person(facility_id=facility.id, birth_year=1991, offence_category="drugs")  # 34: 25-34
    make_comparison_person(facility_id=facility.id, birth_year=1990, offence_category="violent")
    make_comparison_person(
        facility_id=facility.id, birth_year=1990, offence_category="drugs", is_repeat_conviction=True
    )
    make_comparison_person(birth_year=1990, offence_category="drugs")  # another facility
    make_participant(facility_id=facility.id, birth_year=1990, offence_category="drugs")  # not comparison
    assert {p.id for p in propose_matches(participant)} == {same.id, also.id}
