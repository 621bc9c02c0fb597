"""Facts for the admin's operations page."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from importlib.metadata import PackageNotFoundError, version

from sqlalchemy import func, select, text

from programme.audit.models import AuditEvent
from programme.auth.models import LoginAttempt
from programme.extensions import db
from programme.operations.models import BackupRecord


@dataclass(frozen=True)
class OperationsStatus:
    engine: str
    database_bytes: int | None
    revision: str | None
    app_version: str
    last_backup: BackupRecord | None
    audit_rows: int
    failed_logins_24h: int


def _database_bytes() -> int | None:
    engine = db.engine
    if engine.dialect.name == "sqlite":
        pages = db.session.execute(text("PRAGMA page_count")).scalar()
        size = db.session.execute(text("PRAGMA page_size")).scalar()
        return int(pages * size)
    if engine.dialect.name == "postgresql":
        return int(db.session.execute(text("SELECT pg_database_size(current_database())")).scalar())
    return None


def app_version() -> str:
    try:
        return version("philosophy-in-prison")
    except PackageNotFoundError:  # running from a source tree without installing
        return "unknown"


def operations_status() -> OperationsStatus:
    since = datetime.now(UTC) - timedelta(days=1)
    counts = db.session.execute(
        select(
            select(func.count(AuditEvent.id)).scalar_subquery(),
            select(func.count(LoginAttempt.id))
            .where(LoginAttempt.succeeded.is_(False), LoginAttempt.attempted_at >= since)
            .scalar_subquery(),
        )
    ).one()
    return OperationsStatus(
        engine=db.engine.dialect.name,
        database_bytes=_database_bytes(),
        revision=db.session.execute(text("SELECT version_num FROM alembic_version")).scalar(),
        app_version=app_version(),
        last_backup=db.session.execute(
            select(BackupRecord).order_by(BackupRecord.id.desc()).limit(1)
        ).scalar(),
        audit_rows=counts[0],
        failed_logins_24h=counts[1],
    )
