"""Factories for releases and follow-up checks (owned by followup)."""

from __future__ import annotations

from datetime import date

import pytest

from programme.followup.dates import add_months
from programme.followup.models import FollowUpCheck, Release


@pytest.fixture
def make_release(db):
    """A release with checks at `months` (default 6, 12, 24), none recorded yet."""

    def factory(participant, released_on: date = date(2025, 3, 1), months=(6, 12, 24), **values) -> Release:
        release = Release(
            participant_id=participant.id,
            released_on=released_on,
            **{"release_type": "end_of_sentence", **values},
        )
        db.session.add(release)
        for month in months:
            db.session.add(
                FollowUpCheck(
                    participant_id=participant.id,
                    months_after_release=month,
                    due_on=add_months(released_on, month),
                    notes="",
                )
            )
        db.session.commit()
        return release

    return factory


@pytest.fixture
def make_check(db):
    """A recorded check (directly, without the service's rules: for building datasets)."""

    def factory(participant, months: int, checked_on: date, outcome: str = "no_new_conviction", **values):
        check = FollowUpCheck(
            participant_id=participant.id,
            months_after_release=months,
            due_on=checked_on,
            checked_on=checked_on,
            source="probation",
            outcome=outcome,
            notes="",
            **values,
        )
        db.session.add(check)
        db.session.commit()
        return check

    return factory


@pytest.fixture
def make_comparison_person(make_participant):
    def factory(facility_id: int | None = None, **values):
        return make_participant(facility_id=facility_id, consent=False, is_comparison=True, **values)

    return factory
