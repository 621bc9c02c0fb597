"""URL parameters of the notifications routes for the route walks."""

from __future__ import annotations

from sqlalchemy import select

from programme.extensions import db
from programme.notifications.models import Notification


def _notification_id(user):
    query = select(Notification.id).order_by(Notification.id)
    if user is not None:
        query = query.where(Notification.user_id == user.id)
    return db.session.execute(query).scalars().first() or 1


PROVIDERS = {"notification_id": _notification_id}
