"""Releases, checks and their date rules; the worklist and the due-for-release list."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from programme.core.services import ValidationFailed
from programme.followup import services
from programme.followup.dates import add_months, local_today
from programme.followup.models import FollowUpCheck, Release


def count(db, model) -> int:
    return db.session.execute(select(func.count(model.id))).scalar_one()


def test_add_months_keeps_the_day_or_takes_the_month_end():
    assert add_months(date(2025, 1, 31), 1) == date(2025, 2, 28)
    assert add_months(date(2024, 1, 31), 1) == date(2024, 2, 29)
    assert add_months(date(2025, 11, 15), 18) == date(2027, 5, 15)


def test_recording_a_release_schedules_the_checks(db, make_participant):
    person = make_participant(sentence_start=date(2023, 1, 1))
    services.record_release(person, {"released_on": date(2025, 8, 31), "release_type": "probation"}, None)
    checks = services.checks_of(person.id)
    assert [(c.months_after_release, c.due_on) for c in checks] == [
        (6, date(2026, 2, 28)),
        (12, date(2026, 8, 31)),
        (24, date(2027, 8, 31)),
    ]
    assert all(c.checked_on is None for c in checks)


def test_check_months_come_from_the_configuration(app, db, make_participant, monkeypatch):
    monkeypatch.setitem(app.config, "FOLLOWUP_CHECK_MONTHS", (3, 36))
    person = make_participant()
    services.record_release(person, {"released_on": date(2025, 1, 10), "release_type": "amnesty"}, None)
    assert [c.months_after_release for c in services.checks_of(person.id)] == [3, 36]


@pytest.mark.parametrize(
    ("released_on", "field"),
    [(date.today() + timedelta(days=2), "released_on"), (date(2022, 12, 31), "released_on")],
)
def test_impossible_release_dates_are_refused_and_nothing_is_saved(db, make_participant, released_on, field):
    person = make_participant(sentence_start=date(2023, 1, 1))
    with pytest.raises(ValidationFailed) as refused:
        services.record_release(person, {"released_on": released_on, "release_type": "other"}, None)
    assert field in refused.value.problems
    assert count(db, Release) == 0 and count(db, FollowUpCheck) == 0


def test_a_second_release_is_refused(db, make_participant, make_release):
    person = make_participant()
    make_release(person)
    with pytest.raises(ValidationFailed):
        services.record_release(person, {"released_on": date(2025, 5, 1), "release_type": "other"}, None)


def reconviction(**values) -> dict:
    return {
        "checked_on": date(2025, 9, 10),
        "source": "court_records",
        "outcome": "reconvicted",
        "offence_date": date(2025, 5, 1),
        "conviction_date": date(2025, 8, 1),
        "offence_category": "property",
        "is_custodial": True,
        "notes": "",
        **values,
    }


@pytest.mark.parametrize(
    ("values", "field"),
    [
        ({"offence_date": date(2025, 2, 27)}, "offence_date"),  # before the release on 1 March
        ({"checked_on": "tomorrow"}, "checked_on"),  # in the future where the facility is
        ({"checked_on": date(2025, 2, 1), "outcome": "no_new_conviction"}, "checked_on"),  # before release
        ({"conviction_date": date(2025, 4, 30)}, "conviction_date"),  # before the offence
        (
            {"offence_date": date(2025, 9, 11), "conviction_date": date(2025, 9, 11)},
            "offence_date",
        ),  # after check
        ({"offence_date": None}, "offence_date"),
        ({"is_custodial": None}, "is_custodial"),
    ],
)
def test_impossible_check_dates_are_refused_and_nothing_is_half_saved(
    db, make_participant, make_release, values, field
):
    person = make_participant()
    make_release(person, released_on=date(2025, 3, 1))
    check = services.checks_of(person.id)[0]
    if values.get("checked_on") == "tomorrow":  # the facility's date, not this machine's
        values = {"checked_on": local_today(person.facility.timezone) + timedelta(days=1)}
    with pytest.raises(ValidationFailed) as refused:
        services.record_check(check, reconviction(**values), None)
    assert field in refused.value.problems
    db.session.expire_all()
    stored = db.session.get(FollowUpCheck, check.id)
    assert (stored.checked_on, stored.outcome, stored.offence_date) == (None, None, None)


def test_a_reconviction_is_recorded_with_its_details(db, make_participant, make_release):
    person = make_participant()
    make_release(person, released_on=date(2025, 3, 1))
    check = services.checks_of(person.id)[0]
    services.record_check(check, reconviction(), None)
    db.session.expire_all()
    stored = db.session.get(FollowUpCheck, check.id)
    assert (stored.outcome, stored.offence_date, stored.is_custodial) == (
        "reconvicted",
        date(2025, 5, 1),
        True,
    )


def test_offence_details_are_dropped_for_other_outcomes(db, make_participant, make_release):
    person = make_participant()
    make_release(person, released_on=date(2025, 3, 1))
    check = services.checks_of(person.id)[0]
    services.record_check(
        check, reconviction(outcome="no_new_conviction", offence_date=date(2020, 1, 1)), None
    )
    assert (check.outcome, check.offence_date, check.conviction_date) == ("no_new_conviction", None, None)


def test_death_withdraws_the_later_open_checks(db, make_participant, make_release):
    person = make_participant()
    make_release(person, released_on=date(2025, 3, 1))
    first = services.checks_of(person.id)[0]
    withdrawn = services.record_check(
        first, {"checked_on": date(2025, 9, 5), "source": "probation", "outcome": "deceased"}, None
    )
    assert withdrawn == 2
    assert [c.months_after_release for c in services.checks_of(person.id)] == [6]


def test_correcting_a_release_moves_the_open_checks(db, make_participant, make_release):
    person = make_participant()
    release = make_release(person, released_on=date(2025, 3, 1))
    services.update_release(release, person, {"released_on": date(2025, 3, 15), "release_type": "probation"})
    assert [c.due_on for c in services.checks_of(person.id)] == [
        date(2025, 9, 15),
        date(2026, 3, 15),
        date(2027, 3, 15),
    ]


def test_worklist_lists_exactly_the_due_and_overdue_checks(db, make_user, make_participant, make_check):
    officer = make_user("officer")
    today = local_today(officer.facility.timezone)
    mine = make_participant(facility_id=officer.facility_id)
    other = make_participant()

    def open_check(person, months, due_on):
        check = FollowUpCheck(participant_id=person.id, months_after_release=months, due_on=due_on, notes="")
        db.session.add(check)
        db.session.commit()
        return check

    overdue = open_check(mine, 6, today - timedelta(days=200))
    due_today = open_check(mine, 12, today)
    due_in_30 = open_check(mine, 24, today + timedelta(days=30))
    open_check(mine, 36, today + timedelta(days=31))  # not yet due
    make_check(mine, 3, today - timedelta(days=5))  # recorded already
    elsewhere = open_check(other, 6, today - timedelta(days=1))  # another facility

    listed = db.session.execute(services.worklist(officer, today)).unique().scalars().all()
    assert [c.id for c in listed] == [overdue.id, due_today.id, due_in_30.id]
    counts = services.worklist_counts(officer, today)
    assert (counts.overdue, counts.due) == (1, 2)
    admin = make_user("admin")
    everyone = db.session.execute(services.worklist(admin, today)).unique().scalars().all()
    assert {c.id for c in everyone} == {overdue.id, due_today.id, due_in_30.id, elsewhere.id}


def test_due_for_release_lists_people_expected_out_soon_without_a_release(
    db, make_user, make_participant, make_release
):
    officer = make_user("officer")
    today = local_today(officer.facility.timezone)
    soon = make_participant(facility_id=officer.facility_id, expected_release=today + timedelta(days=90))
    past = make_participant(facility_id=officer.facility_id, expected_release=today - timedelta(days=3))
    make_participant(facility_id=officer.facility_id, expected_release=today + timedelta(days=91))
    released = make_participant(facility_id=officer.facility_id, expected_release=today - timedelta(days=10))
    make_release(released, released_on=today - timedelta(days=10))
    make_participant(expected_release=today)  # another facility
    listed = db.session.execute(services.due_for_release(officer, today)).scalars().all()
    assert [p.id for p in listed] == [past.id, soon.id]
