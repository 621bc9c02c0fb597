"""Demo: every demo department has the published starter curriculum."""

from __future__ import annotations

from sqlalchemy import select

from programme.curriculum.models import Curriculum
from programme.curriculum.starter import find_starter_version, import_starter
from programme.extensions import db
from programme.facilities.models import Department


def seed_curricula() -> list[str]:
    created = 0
    for department_id in db.session.execute(select(Department.id).order_by(Department.id)).scalars():
        if find_starter_version(department_id) is None:
            import_starter(department_id)
            created += 1
    return [f"curricula: starter curriculum published for {created} department(s)"] if created else []


def has_curricula() -> bool:
    return db.session.execute(select(Curriculum.id).limit(1)).first() is not None
