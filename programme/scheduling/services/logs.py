"""Session logs: what a held session was about, written by its facilitators."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from programme.core.services import ValidationFailed, check_version, unit_of_work
from programme.extensions import db
from programme.scheduling.models import Cohort, ProgrammeSession, SessionAssignment, SessionLog

LOG_FIELDS = ("chosen_question", "themes", "engagement", "incidents", "reflection")


def get_log(session_id: int) -> SessionLog | None:
    return db.session.execute(
        select(SessionLog).where(SessionLog.session_id == session_id)
    ).scalar_one_or_none()


def is_assigned(session_id: int, user_id: int) -> bool:
    return (
        db.session.execute(
            select(SessionAssignment.id).where(
                SessionAssignment.session_id == session_id, SessionAssignment.user_id == user_id
            )
        ).first()
        is not None
    )


def save_log(
    session: ProgrammeSession, author_id: int, values: dict, version_id: int | None = None
) -> SessionLog:
    if session.status != "held":
        raise ValidationFailed(_("A log can be written once the session is marked as held."))
    if not is_assigned(session.id, author_id):
        raise ValidationFailed(_("Only the session's facilitators write its log."))
    engagement = values.get("engagement")
    if engagement is not None and not 1 <= int(engagement) <= 5:
        raise ValidationFailed.on("engagement", _("Give a number from 1 to 5."))
    log = get_log(session.id)
    if log is not None:
        check_version(log, version_id)
    with unit_of_work():
        if log is None:
            log = SessionLog(session_id=session.id)
            db.session.add(log)
        log.author_id = author_id
        for name in LOG_FIELDS:
            value = values.get(name)
            setattr(log, name, value.strip() if isinstance(value, str) else value)
    return log


def logs_of_cohort(cohort_id: int) -> list[tuple[ProgrammeSession, SessionLog]]:
    return list(
        db.session.execute(
            select(ProgrammeSession, SessionLog)
            .join(SessionLog, SessionLog.session_id == ProgrammeSession.id)
            .where(ProgrammeSession.cohort_id == cohort_id)
            .order_by(ProgrammeSession.sequence)
        ).all()
    )


# A reminder looks back this far: older unlogged sessions are not a facilitator's to-do any more,
# and the look-back keeps the query to a few weeks of sessions however long the programme runs.
LOG_REMINDER_DAYS = 60


def sessions_to_log(user_id: int, limit: int = 10, now: datetime | None = None) -> list[ProgrammeSession]:
    """Held sessions of this facilitator in the last LOG_REMINDER_DAYS with no log yet, latest first."""
    since = (now or datetime.now(UTC)) - timedelta(days=LOG_REMINDER_DAYS)
    return list(
        db.session.execute(
            select(ProgrammeSession)
            .join(SessionAssignment, SessionAssignment.session_id == ProgrammeSession.id)
            .outerjoin(SessionLog, SessionLog.session_id == ProgrammeSession.id)
            .where(
                SessionAssignment.user_id == user_id,
                ProgrammeSession.status == "held",
                ProgrammeSession.starts_at >= since,
                SessionLog.id.is_(None),
            )
            .options(joinedload(ProgrammeSession.cohort).joinedload(Cohort.facility))
            .order_by(ProgrammeSession.starts_at.desc())
            .limit(limit)
        ).scalars()
    )
