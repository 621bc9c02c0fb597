"""One demo account per role (plus a second coordinator and officer to show scoping)."""

from __future__ import annotations

from sqlalchemy import select

from programme.auth.models import User
from programme.auth.services import create_user
from programme.extensions import db
from programme.facilities.models import Department, Facility

DEMO_PASSWORD = "philosophy-demo-2026"  # noqa: S105 - printed demo credential, demo mode only

# (email, role, name, facility code, department index)
DEMO_ACCOUNTS = (
    ("admin@demo.kz", "admin", "Айгерім Сейітова", None, None),
    ("coordinator@demo.kz", "coordinator", "Данияр Ахметов", None, 0),
    ("facilitator@demo.kz", "facilitator", "Мадина Қасымова", None, 0),
    ("officer@demo.kz", "officer", "Ерлан Жұмабаев", "KRG-01", None),
    ("evaluator@demo.kz", "evaluator", "Сауле Нұрланқызы", None, None),
    ("coordinator2@demo.kz", "coordinator", "Арман Оспанов", None, 1),
    ("officer2@demo.kz", "officer", "Гүлнар Бекова", "ALA-02", None),
)


def seed_accounts() -> list[str]:
    facilities = dict(db.session.execute(select(Facility.code, Facility.id)).all())
    departments = db.session.execute(select(Department.id).order_by(Department.id)).scalars().all()
    existing = set(db.session.execute(select(User.email)).scalars())
    created = 0
    for email, role, name, facility_code, department_index in DEMO_ACCOUNTS:
        if email not in existing:
            created += 1
            create_user(
                email=email,
                full_name=name,
                role=role,
                password=DEMO_PASSWORD,
                facility_id=facilities.get(facility_code),
                department_id=departments[department_index] if department_index is not None else None,
                locale=None,
                must_change_password=False,
            )
    return [f"accounts: {created} created"] if created else []


def has_accounts() -> bool:
    return db.session.execute(select(User.id).limit(1)).first() is not None


def describe_accounts() -> list[str]:
    """The demo accounts present in the database, for `make run` to print."""
    emails = {email for email, *_rest in DEMO_ACCOUNTS}
    present = set(db.session.execute(select(User.email).where(User.email.in_(emails))).scalars())
    lines = ["", f"Demo accounts (password for all: {DEMO_PASSWORD}):"]
    lines += [f"  {role:<12} {email}" for email, role, *_rest in DEMO_ACCOUNTS if email in present]
    return lines if present else []
