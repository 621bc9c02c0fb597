"""Notifications: written by other domains' services, read by their recipients.

A notification stores a message key (`kind`) and its parameters; the words are chosen when it
is shown, in the reader's language.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime

from flask import g
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select, update

from programme.core.services import unit_of_work
from programme.extensions import db
from programme.notifications.models import Notification

# kind -> message with %(name)s parameters taken from Notification.params
MESSAGES = {
    "assigned": _l("You were assigned to %(cohort)s, session %(sequence)s on %(when)s (%(role)s)."),
    "assigned_many": _l("You were assigned to %(count)s sessions of %(cohort)s (%(role)s)."),
    "unassigned": _l("You were removed from %(cohort)s, session %(sequence)s on %(when)s."),
    "session_moved": _l("%(cohort)s, session %(sequence)s moved to %(when)s."),
    "session_cancelled": _l("%(cohort)s, session %(sequence)s on %(when)s was cancelled: %(reason)s"),
    "account_locked": _l(
        "Sign-in to %(email)s was locked after %(count)s failed attempts (the last from %(address)s)."
    ),
    "closure": _l(
        "%(facility)s is closed from %(start)s to %(end)s (%(reason)s). Sessions cancelled: %(count)s."
    ),
}

ROLE_WORDS = {"lead": _l("lead facilitator"), "co": _l("co-facilitator")}


def render(notification: Notification) -> str:
    template = MESSAGES.get(notification.kind)
    if template is None:
        return _("Notification")
    params = dict(notification.params or {})
    if params.get("role") in ROLE_WORDS:
        params["role"] = str(ROLE_WORDS[params["role"]])
    try:
        return str(template) % params
    except (KeyError, TypeError, ValueError):
        return str(template)


def add_notifications(user_ids: Iterable[int], kind: str, params: dict, link: str = "") -> int:
    """Queue one notification per distinct user, in the caller's transaction (no commit here)."""
    if kind not in MESSAGES:
        raise ValueError(f"unknown notification kind {kind!r}")
    distinct = sorted({int(user_id) for user_id in user_ids if user_id})
    for user_id in distinct:
        db.session.add(Notification(user_id=user_id, kind=kind, params=dict(params), link=link[:300]))
    return len(distinct)


def unread_count_of(user_id_column):
    """The unread count as a scalar subquery, to load with the signed-in user (one statement)."""
    return (
        select(func.count(Notification.id))
        .where(Notification.user_id == user_id_column, Notification.read_at.is_(None))
        .scalar_subquery()
    )


def remember_unread_count(count: int) -> None:
    """Keep the count loaded with the user for this request's menu."""
    g.unread_notifications = int(count)


def request_unread_count(user_id: int) -> int:
    """The menu's count: the one loaded with the user in this request, else a query."""
    found = g.get("unread_notifications")
    return found if found is not None else unread_count(user_id)


def unread_count(user_id: int) -> int:
    return db.session.execute(
        select(func.count(Notification.id)).where(
            Notification.user_id == user_id, Notification.read_at.is_(None)
        )
    ).scalar_one()


def list_notifications(user_id: int):
    return (
        select(Notification)
        .where(Notification.user_id == user_id)
        .order_by(Notification.read_at.is_not(None), Notification.created_at.desc(), Notification.id.desc())
    )


def mark_read(user_id: int, notification_id: int | None = None) -> int:
    """Mark one (or, without an id, every) unread notification of this user as read."""
    statement = update(Notification).where(Notification.user_id == user_id, Notification.read_at.is_(None))
    if notification_id is not None:
        statement = statement.where(Notification.id == notification_id)
    with unit_of_work():
        result = db.session.execute(statement.values(read_at=datetime.now(UTC)))
    return result.rowcount or 0
