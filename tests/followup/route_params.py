"""URL parameters of the follow-up routes: a person and a check visible to the signed-in user."""

from __future__ import annotations

from sqlalchemy import select

from programme.extensions import db
from programme.followup.models import FollowUpCheck, Release
from programme.participants.models import Participant


def _scoped(query, user):
    if user is not None and user.role == "officer":
        return query.where(Participant.facility_id == user.facility_id)
    return query


def _person_id(user):
    query = select(Participant.id).join(Release, Release.participant_id == Participant.id).order_by(Participant.id)
    return db.session.execute(_scoped(query, user)).scalars().first() or 0


def _check_id(user):
    query = (
        select(FollowUpCheck.id)
        .join(Participant, Participant.id == FollowUpCheck.participant_id)
        .order_by(FollowUpCheck.id)
    )
    return db.session.execute(_scoped(query, user)).scalars().first() or 0


PROVIDERS = {"person_id": _person_id, "check_id": _check_id}
