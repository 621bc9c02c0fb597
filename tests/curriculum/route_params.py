"""URL parameters of the curriculum routes for the route x role walk (demo data)."""

from __future__ import annotations

from sqlalchemy import select

from programme.curriculum.models import Curriculum, CurriculumVersion, SessionPlan
from programme.curriculum.starter import import_starter
from programme.extensions import db


def _curriculum_id(user):
    """The user's department's curriculum (a coordinator gets the starter if theirs has none)."""
    query = select(Curriculum.id).order_by(Curriculum.id)
    if user is not None and user.department_id:
        own = (
            db.session.execute(query.where(Curriculum.department_id == user.department_id)).scalars().first()
        )
        if own is None and user.role == "coordinator":
            own = import_starter(user.department_id).curriculum_id
        if own is not None:
            return own
    return db.session.execute(query).scalars().first()


def _plan_id(user):
    return (
        db.session.execute(
            select(SessionPlan.id)
            .join(CurriculumVersion)
            .where(CurriculumVersion.curriculum_id == _curriculum_id(user))
            .order_by(CurriculumVersion.number.desc(), SessionPlan.position)
        )
        .scalars()
        .first()
    )


PROVIDERS = {"curriculum_id": _curriculum_id, "plan_id": _plan_id}
