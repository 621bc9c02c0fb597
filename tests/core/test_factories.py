"""The shared factories build valid rows across domains (they are the base of every domain's tests)."""


def test_cohort_session_participant_response_chain(
    make_cohort,
    make_session,
    make_participant,
    make_enrolment,
    make_instrument,
    make_administration,
    make_response,
    db,
):
    cohort = make_cohort()
    session = make_session(cohort, sequence=2)
    participant = make_participant(facility_id=cohort.facility_id)
    enrolment = make_enrolment(participant, cohort)
    instrument = make_instrument(reverse=("OPEN2",))
    administration = make_administration(cohort, instrument)
    response = make_response(
        administration, participant, answers={"OPEN1": 4, "OPEN2": None}, scores={"OPEN": 3.5}
    )
    assert session.plan_id == cohort.curriculum_version.plans[1].id
    assert enrolment.status == "enrolled"
    assert participant.consents[0].is_active
    assert [item.code for item in instrument.items] == ["OPEN1", "OPEN2", "OPEN3", "SELF1", "SELF2", "SELF3"]
    assert {a.missing_code for a in response.answers} == {None, "missing"}
    assert response.scores[0].score == 3.5
