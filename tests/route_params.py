"""Values for URL parameters when a test walks every route.

Each provider takes the signed-in user (or None for anonymous) and returns an id that this user
may see when their role is allowed: their own facility for an officer, their department's rows
for a coordinator. A domain adds its parameters in tests/<domain>/route_params.py (a PROVIDERS
dict), collected below; the walk fails on a parameter nobody provides.
"""

from __future__ import annotations

import importlib
from pathlib import Path

from sqlalchemy import select

from programme.auth.models import User
from programme.extensions import db
from programme.facilities.models import Department, Facility


def _facility_id(user):
    if user is not None and user.facility_id:
        return user.facility_id
    return db.session.execute(select(Facility.id).order_by(Facility.id)).scalars().first()


def _department_id(user):
    if user is not None and user.department_id:
        return user.department_id
    return db.session.execute(select(Department.id).order_by(Department.id)).scalars().first()


def _user_id(user):
    return db.session.execute(select(User.id).order_by(User.id)).scalars().first()


PROVIDERS = {
    "facility_id": _facility_id,
    "department_id": _department_id,
    "user_id": _user_id,
}


def _collect_domain_providers() -> None:
    for path in sorted(Path(__file__).parent.glob("*/route_params.py")):
        module = importlib.import_module(f"tests.{path.parent.name}.route_params")
        PROVIDERS.update(module.PROVIDERS)


_collect_domain_providers()


def fill(rule, user) -> dict:
    missing = [name for name in rule.arguments if name not in PROVIDERS]
    assert not missing, f"{rule.endpoint}: add a provider for {missing} in tests/route_params.py"
    return {name: PROVIDERS[name](user) for name in rule.arguments}
