"""The hash chain: each row's hash covers its content and the previous row's hash."""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime

GENESIS_HASH = "0" * 64
HASHED_FIELDS = (
    "occurred_at",
    "actor_id",
    "actor_label",
    "action",
    "entity_type",
    "entity_id",
    "changes",
    "purpose",
    "remote_addr",
)


def canonical_json(value) -> str:
    return json.dumps(value, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str)


def _stable_time(moment: datetime) -> str:
    # SQLite gives back naive UTC, PostgreSQL aware UTC: hash one form of both.
    if moment.tzinfo is not None:
        moment = moment.astimezone(UTC).replace(tzinfo=None)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.%f")


def row_digest(prev_hash: str, fields: dict) -> str:
    payload = {name: fields.get(name) for name in HASHED_FIELDS}
    if isinstance(payload["occurred_at"], datetime):
        payload["occurred_at"] = _stable_time(payload["occurred_at"])
    return hashlib.sha256((prev_hash + canonical_json(payload)).encode("utf-8")).hexdigest()
