"""Demo facilities in the regions of the seed article's survey, and two partner departments."""

from __future__ import annotations

from sqlalchemy import select

from programme.core.services import unit_of_work
from programme.extensions import db
from programme.facilities.models import Department, Facility

DEMO_FACILITIES = (
    (
        "KRG-01",
        "karaganda",
        "medium",
        "Қарағанды №1 түзеу мекемесі",
        "Учреждение №1 г. Караганды",
        "Karaganda Facility No. 1",
    ),
    (
        "ALA-02",
        "almaty_city",
        "medium",
        "Алматы қаласы №2 түзеу мекемесі",
        "Учреждение №2 г. Алматы",
        "Almaty City Facility No. 2",
    ),
    (
        "ALR-03",
        "almaty_region",
        "minimum",
        "Алматы облысы №3 түзеу мекемесі",
        "Учреждение №3 Алматинской области",
        "Almaty Region Facility No. 3",
    ),
    (
        "ABA-04",
        "abai",
        "maximum",
        "Абай облысы №4 түзеу мекемесі",
        "Учреждение №4 области Абай",
        "Abai Region Facility No. 4",
    ),
    (
        "TRK-05",
        "turkestan",
        "medium",
        "Түркістан облысы №5 түзеу мекемесі",
        "Учреждение №5 Туркестанской области",
        "Turkestan Region Facility No. 5",
    ),
    (
        "EKZ-06",
        "east_kazakhstan",
        "mixed",
        "Шығыс Қазақстан облысы №6 түзеу мекемесі",
        "Учреждение №6 Восточно-Казахстанской области",
        "East Kazakhstan Region Facility No. 6",
    ),
)

DEMO_DEPARTMENTS = (
    ("Al-Farabi Kazakh National University", "Department of Philosophy", "Almaty"),
    ("Karaganda Buketov University", "Department of Philosophy and Culturology", "Karaganda"),
)


def seed_organisations() -> list[str]:
    existing_codes = set(db.session.execute(select(Facility.code)).scalars())
    existing_departments = set(db.session.execute(select(Department.university, Department.name)).all())
    created = 0
    with unit_of_work():
        for code, region, level, name_kk, name_ru, name_en in DEMO_FACILITIES:
            if code in existing_codes:
                continue
            db.session.add(
                Facility(
                    code=code,
                    region=region,
                    security_level=level,
                    timezone="Asia/Almaty",
                    name_kk=name_kk,
                    name_ru=name_ru,
                    name_en=name_en,
                    is_active=True,
                )
            )
            created += 1
        for university, name, city in DEMO_DEPARTMENTS:
            if (university, name) in existing_departments:
                continue
            db.session.add(Department(university=university, name=name, city=city, is_active=True))
            created += 1
    return [f"organisations: {created} created"] if created else []


def has_organisations() -> bool:
    return db.session.execute(select(Facility.id).limit(1)).first() is not None
