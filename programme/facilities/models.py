"""Facilities (correctional institutions) and partner university departments."""

from __future__ import annotations

from sqlalchemy import Boolean, CheckConstraint, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from programme.audit.services import Audited
from programme.extensions import db
from programme.facilities.regions import REGION_CODES, SECURITY_LEVELS

_REGIONS = ", ".join(f"'{code}'" for code in REGION_CODES)
_LEVELS = ", ".join(f"'{code}'" for code in SECURITY_LEVELS)


class Facility(Audited, db.Model):
    __tablename__ = "facility"
    __table_args__ = (
        CheckConstraint(f"region IN ({_REGIONS})", name="region_known"),
        CheckConstraint(f"security_level IN ({_LEVELS})", name="security_level_known"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(20), unique=True)
    name_kk: Mapped[str] = mapped_column(String(200))
    name_ru: Mapped[str] = mapped_column(String(200))
    name_en: Mapped[str] = mapped_column(String(200))
    region: Mapped[str] = mapped_column(String(30), index=True)
    security_level: Mapped[str] = mapped_column(String(20))
    timezone: Mapped[str] = mapped_column(String(40), default="Asia/Almaty")
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)
    version_id: Mapped[int] = mapped_column(Integer, default=1)

    __mapper_args__ = {"version_id_col": version_id}

    def name(self, locale: str) -> str:
        return getattr(self, f"name_{locale}", None) or self.name_ru


class Department(Audited, db.Model):
    """A partner university philosophy department."""

    __tablename__ = "department"
    __table_args__ = (db.UniqueConstraint("university", "name", name="uq_department_university_name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    university: Mapped[str] = mapped_column(String(200))
    name: Mapped[str] = mapped_column(String(200))
    city: Mapped[str] = mapped_column(String(100))
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)
    version_id: Mapped[int] = mapped_column(Integer, default=1)

    __mapper_args__ = {"version_id_col": version_id}

    @property
    def label(self) -> str:
        return f"{self.name}, {self.university}"
