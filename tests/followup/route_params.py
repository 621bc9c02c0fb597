"""URL parameters of the follow-up routes: a person and a check visible to the signed-in user.

An officer made for the walk works at a new facility with nobody in it: a released comparison
person (with one scheduled check) is created there so the officer's pages have something to show.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import select

from programme.extensions import db
from programme.followup.models import FollowUpCheck, Release
from programme.participants.models import Participant


def _ensure_someone_at(facility_id: int) -> None:
    exists = db.session.execute(
        select(Participant.id).join(Release).where(Participant.facility_id == facility_id)
    ).first()
    if exists:
        return
    person = Participant(
        study_code=f"CRT{facility_id:05d}",
        facility_id=facility_id,
        full_name="Route Walk",
        is_comparison=True,
    )
    db.session.add(person)
    db.session.flush()
    db.session.add(Release(participant_id=person.id, released_on=date(2025, 1, 15), release_type="other"))
    db.session.add(
        FollowUpCheck(participant_id=person.id, months_after_release=6, due_on=date(2025, 7, 15), notes="")
    )
    db.session.commit()


def _scoped(query, user):
    if user is not None and user.role == "officer":
        _ensure_someone_at(user.facility_id)
        return query.where(Participant.facility_id == user.facility_id)
    return query


def _person_id(user):
    query = (
        select(Participant.id)
        .join(Release, Release.participant_id == Participant.id)
        .order_by(Participant.id)
    )
    return db.session.execute(_scoped(query, user)).scalars().first() or 0


def _check_id(user):
    query = (
        select(FollowUpCheck.id)
        .join(Participant, Participant.id == FollowUpCheck.participant_id)
        .order_by(FollowUpCheck.id)
    )
    return db.session.execute(_scoped(query, user)).scalars().first() or 0


PROVIDERS = {"person_id": _person_id, "check_id": _check_id}
