"""Column helpers shared by the domain models."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import CheckConstraint, DateTime, Integer, func
from sqlalchemy.orm import Mapped, mapped_column


def utcnow() -> datetime:
    return datetime.now(UTC)


def created_at_column() -> Mapped[datetime]:
    return mapped_column(DateTime(timezone=True), server_default=func.now(), default=utcnow)


def version_column() -> Mapped[int]:
    """Optimistic lock: pair with __mapper_args__ = {"version_id_col": version_id}."""
    return mapped_column(Integer, default=1, nullable=False)


def one_of(column: str, values, name: str) -> CheckConstraint:
    listed = ", ".join(f"'{value}'" for value in values)
    return CheckConstraint(f"{column} IN ({listed})", name=name)
