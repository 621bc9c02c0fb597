"""A fingerprint of the whole database, to show that a refused request changed nothing.

Row counts alone would miss an update of an existing row, so each table's rows are hashed in
primary-key order (the demo data hashes in well under a second on either engine).
"""

from __future__ import annotations

import hashlib

from sqlalchemy import select

from programme.extensions import db


def database_state() -> dict[str, tuple[int, str]]:
    """Each table's row count and the hash of its rows."""
    state = {}
    with db.engine.connect() as connection:
        for table in db.metadata.sorted_tables:
            digest = hashlib.sha256()
            count = 0
            for row in connection.execute(select(table).order_by(*table.primary_key.columns)):
                digest.update(repr(tuple(row)).encode())
                count += 1
            state[table.name] = (count, digest.hexdigest())
    return state


def changed_tables(before: dict, after: dict) -> list[str]:
    return sorted(name for name in before.keys() | after.keys() if before.get(name) != after.get(name))
