"""Writing and reading the audit trail.

Data changes are recorded automatically: a flush listener turns every insert, update and delete
of an `Audited` model into an audit row in the same transaction, so no service can forget it.
Other events (logins, exports, reads of personal records) are written with `record()`.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from decimal import Decimal

from flask import g, has_app_context, has_request_context, request
from flask_login import current_user
from sqlalchemy import event, insert, inspect, select, text
from sqlalchemy.orm import Session

from programme.audit.chain import GENESIS_HASH, HASHED_FIELDS, row_digest
from programme.audit.models import AuditEvent
from programme.audit.sealing import Personal, personal_columns, seal_rows, subject_of
from programme.core.database import hold_write_lock
from programme.extensions import db

REDACTED = "***"
# Constant key for PostgreSQL's transaction-level advisory lock that serialises chain appends.
CHAIN_LOCK_KEY = 7_210_431


class Audited:
    """Mixin: changes to this model are written to the audit trail automatically."""

    # Fields whose values never enter the audit trail (only the fact that they changed).
    __audit_redact__: frozenset[str] = frozenset()
    # Bookkeeping fields not worth recording.
    __audit_ignore__: frozenset[str] = frozenset({"version_id", "updated_at"})


def jsonable(value):
    if isinstance(value, datetime | date | time):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, bytes):
        return REDACTED
    if isinstance(value, list | tuple):
        return [jsonable(item) for item in value]
    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items()}
    return value


@dataclass(frozen=True)
class Actor:
    id: int | None
    label: str


def current_actor() -> Actor:
    if has_app_context() and getattr(g, "audit_actor", None) is not None:
        return g.audit_actor
    if has_request_context() and current_user and current_user.is_authenticated:
        return Actor(current_user.id, current_user.email)
    return Actor(None, "system")


def act_as(label: str, user_id: int | None = None) -> None:
    """Name the actor of work done outside a request (CLI commands, jobs)."""
    g.audit_actor = Actor(user_id, label)


def _remote_addr() -> str:
    return (request.remote_addr or "") if has_request_context() else ""


def _entity_id(obj) -> str:
    # The identity key is not set yet for rows inserted by this flush; the mapper reads the PK.
    key = inspect(obj).mapper.primary_key_from_instance(obj)
    return ",".join(str(part) for part in key if part is not None)


def _column_changes(obj, action: str) -> dict:
    state = inspect(obj)
    personal = personal_columns(type(obj))
    changes: dict[str, list | Personal] = {}
    for attr in state.mapper.column_attrs:
        key = attr.key
        if key in obj.__audit_ignore__:
            continue
        history = state.attrs[key].history
        if action == "update" and not history.has_changes():
            continue
        if action == "create":
            old, new = None, getattr(obj, key)
        elif action == "delete":
            old, new = getattr(obj, key), None
        else:
            old = history.deleted[0] if history.deleted else None
            new = history.added[0] if history.added else None
        if key in obj.__audit_redact__:
            old, new = (REDACTED if old is not None else None), (REDACTED if new is not None else None)
        if action != "update" and new is None and old is None:
            continue
        change = [jsonable(old), jsonable(new)]
        if key in personal and any(value not in (None, "") for value in change):
            changes[key] = Personal(subject_of(obj), change)  # sealed by _append
        else:
            changes[key] = change
    return changes


def _append(connection, rows: list[dict]) -> None:
    """Seal personal values and insert rows at the end of the chain, holding the chain lock
    until commit."""
    if not rows:
        return
    if connection.dialect.name == "postgresql":
        # The chain lock, then the chain's end as committed once it is held: one round trip
        # (migration 0018's function; a plain SELECT would read its snapshot from before the lock).
        prev_hash = connection.execute(
            text("SELECT audit_chain_head(:key)"), {"key": CHAIN_LOCK_KEY}
        ).scalar()
    else:
        # The chain's end is read under SQLite's write lock, never from a read request's older
        # snapshot: two workers printing at once forked the chain (both linked to one row).
        hold_write_lock(connection)
        prev_hash = connection.execute(
            select(AuditEvent.row_hash).order_by(AuditEvent.id.desc()).limit(1)
        ).scalar()
    seal_rows(connection, rows)
    prev_hash = prev_hash or GENESIS_HASH
    for row in rows:
        row["prev_hash"] = prev_hash
        row["row_hash"] = prev_hash = row_digest(prev_hash, row)
        connection.execute(insert(AuditEvent).values(**row))


def _row(action: str, entity_type: str, entity_id, changes: dict, purpose: str = "", actor=None) -> dict:
    actor = actor or current_actor()
    return {
        "occurred_at": datetime.now(UTC).replace(tzinfo=None),
        "actor_id": actor.id,
        "actor_label": actor.label,
        "action": action,
        "entity_type": entity_type,
        "entity_id": None if entity_id is None else str(entity_id),
        "changes": jsonable(changes),
        "purpose": purpose,
        "remote_addr": _remote_addr(),
    }


def record(
    action: str,
    entity_type: str,
    entity_id=None,
    changes: dict | None = None,
    purpose: str = "",
    actor: Actor | None = None,
) -> None:
    """Write one audit row in the current transaction (committed with the caller's work)."""
    row = _row(action, entity_type, entity_id, changes or {}, purpose, actor)
    _append(db.session.connection(), [row])


def _after_flush(session: Session, _flush_context) -> None:
    rows = []
    for action, objects in (
        ("create", session.new),
        ("update", session.dirty),
        ("delete", session.deleted),
    ):
        for obj in objects:
            if not isinstance(obj, Audited):
                continue
            if action == "update" and not session.is_modified(obj, include_collections=False):
                continue
            changes = _column_changes(obj, action)
            if action == "update" and not changes:
                continue
            rows.append(_row(action, obj.__tablename__, _entity_id(obj), changes))
    _append(session.connection(), rows)


def install_listener() -> None:
    if not event.contains(Session, "after_flush", _after_flush):
        event.listen(Session, "after_flush", _after_flush)


@dataclass(frozen=True)
class ChainReport:
    checked: int
    first_broken_id: int | None

    @property
    def is_intact(self) -> bool:
        return self.first_broken_id is None


def verify_chain(batch_size: int = 5000, connection=None) -> ChainReport:
    """Walk the chain in id order; report the first row whose hash or link does not hold.

    `connection` lets a restore check a database other than the app's own.
    """
    execute = connection.execute if connection is not None else db.session.execute
    columns = [getattr(AuditEvent, name) for name in ("id", "prev_hash", "row_hash", *HASHED_FIELDS)]
    prev_hash = GENESIS_HASH
    checked = 0
    last_id = 0
    while True:
        batch = execute(
            select(*columns).where(AuditEvent.id > last_id).order_by(AuditEvent.id).limit(batch_size)
        ).all()
        if not batch:
            return ChainReport(checked, None)
        for row in batch:
            fields = row._asdict()
            if row.prev_hash != prev_hash or row_digest(prev_hash, fields) != row.row_hash:
                return ChainReport(checked, row.id)
            prev_hash = row.row_hash
            checked += 1
            last_id = row.id


def recent_activity(_user, limit: int = 8) -> dict:
    """The latest audit rows, for the admin's dashboard."""
    events = (
        db.session.execute(select(AuditEvent).order_by(AuditEvent.id.desc()).limit(limit)).scalars().all()
    )
    return {"events": events}
