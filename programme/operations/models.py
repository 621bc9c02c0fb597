"""Backups taken by `flask backup create`, with the result of their last check."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, BigInteger, Boolean, DateTime, String
from sqlalchemy.orm import Mapped, mapped_column

from programme.core.models import created_at_column
from programme.extensions import db


class BackupRecord(db.Model):
    __tablename__ = "backup_record"

    id: Mapped[int] = mapped_column(primary_key=True)
    created_at: Mapped[datetime] = created_at_column()
    path: Mapped[str] = mapped_column(String(500))
    engine: Mapped[str] = mapped_column(String(20))
    size_bytes: Mapped[int] = mapped_column(BigInteger)
    sha256: Mapped[str] = mapped_column(String(64))
    is_encrypted: Mapped[bool] = mapped_column(Boolean, default=False)
    row_counts: Mapped[dict] = mapped_column(JSON, default=dict)
    verified_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    is_verified: Mapped[bool | None] = mapped_column(Boolean)
