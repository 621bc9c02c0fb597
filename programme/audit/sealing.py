"""Crypto-shredding: personal values about a participant enter the audit trail sealed.

The audit trail is append-only and hash-chained, so a value written into it can never be taken
out again. Personal values (names, facility numbers, free text, exact dates) are therefore written
encrypted (AES-GCM) with a random key per participant, kept in `participant_audit_key`; the audit
row holds the ciphertext, and the chain covers the ciphertext. Forgetting a person deletes the
key: the rows and the chain stay intact, the values can never be read again.

Models say which columns are personal with `mapped_column(..., info={"personal": True})` and
whose data a row is with `__audit_subject__`: the name of the attribute holding the participant
id, or `(foreign_key_attribute, table)` when the row reaches the participant through another
table (an answer through its response). Services put a `Personal(participant_id, value)` into the
changes they give `record()`. Keys are read (and made) in one query per flush, never per row.
"""

from __future__ import annotations

import base64
import json
import os
from dataclasses import dataclass
from functools import cache

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from sqlalchemy import delete, inspect, select

from programme.audit.chain import canonical_json
from programme.audit.models import ParticipantAuditKey
from programme.core.models import utcnow
from programme.extensions import db

SEALED = "sealed"
SUBJECT = "subject"
NONCE_BYTES = 12


class _Erased:
    """Shown in place of a sealed value whose key has been deleted."""

    def __repr__(self) -> str:
        return "ERASED"


ERASED = _Erased()


@dataclass(frozen=True)
class Personal:
    """A value about one participant, to be sealed before it enters the audit trail.

    `subject` is the participant id, or `(table, id)` for a row that reaches the participant
    through `table.participant_id`.
    """

    subject: int | tuple[str, int] | None
    value: object


@cache
def personal_columns(model: type) -> frozenset[str]:
    """The attribute names of a model's columns marked `info={"personal": True}`."""
    return frozenset(
        attr.key
        for attr in inspect(model).column_attrs
        if any(column.info.get("personal") for column in attr.columns)
    )


def subject_of(obj) -> int | tuple[str, int] | None:
    spec = getattr(type(obj), "__audit_subject__", None)
    if spec is None:
        return None
    if isinstance(spec, str):
        return getattr(obj, spec)
    attribute, table = spec
    return (table, getattr(obj, attribute))


def is_sealed(value) -> bool:
    return isinstance(value, dict) and value.keys() == {SEALED, SUBJECT}


def _walk(value, visit, wanted):
    """A copy of `value` with every part for which `wanted` holds replaced by `visit(part)`."""
    if wanted(value):
        return visit(value)
    if isinstance(value, dict):
        return {key: _walk(item, visit, wanted) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_walk(item, visit, wanted) for item in value]
    return value


def _collect(value, wanted, found: list) -> None:
    if wanted(value):
        found.append(value)
    elif isinstance(value, dict):
        for item in value.values():
            _collect(item, wanted, found)
    elif isinstance(value, list | tuple):
        for item in value:
            _collect(item, wanted, found)


def _is_personal(value) -> bool:
    return isinstance(value, Personal)


def _aad(participant_id: int) -> bytes:
    # Binds the ciphertext to its person: a sealed value moved to another row does not open.
    return f"pip-audit/1:{participant_id}".encode("ascii")


def _resolve(connection, pending: list[Personal]) -> dict:
    """Participant ids of indirect subjects, one query per table."""
    by_table: dict[str, set[int]] = {}
    for item in pending:
        if isinstance(item.subject, tuple) and item.subject[1] is not None:
            by_table.setdefault(item.subject[0], set()).add(item.subject[1])
    resolved = {}
    for table_name, ids in by_table.items():
        table = db.metadata.tables[table_name]
        rows = connection.execute(select(table.c.id, table.c.participant_id).where(table.c.id.in_(ids)))
        resolved.update({(table_name, row_id): participant_id for row_id, participant_id in rows})
    return resolved


def _keys(connection, participant_ids: set[int], create: bool) -> dict[int, bytes]:
    table = ParticipantAuditKey.__table__
    if not participant_ids:
        return {}
    keys = dict(
        connection.execute(
            select(table.c.participant_id, table.c.key).where(table.c.participant_id.in_(participant_ids))
        ).all()
    )
    missing = participant_ids - keys.keys()
    if create and missing:
        # A person deleted in this very flush gets no new key: their values are simply not kept.
        participant = db.metadata.tables["participant"]
        living = connection.execute(select(participant.c.id).where(participant.c.id.in_(missing))).scalars()
        fresh = {participant_id: AESGCM.generate_key(bit_length=256) for participant_id in living}
        if fresh:
            now = utcnow()
            connection.execute(
                table.insert(),
                [{"participant_id": pid, "key": key, "created_at": now} for pid, key in fresh.items()],
            )
            keys.update(fresh)
    return keys


def seal_rows(connection, rows: list[dict]) -> None:
    """Replace every `Personal` in the rows' changes by its sealed form (in place).

    Call with the chain lock held: keys are made under it, so two writers never race for one.
    """
    pending: list[Personal] = []
    for row in rows:
        _collect(row["changes"], _is_personal, pending)
    if not pending:
        return
    resolved = _resolve(connection, pending)

    def participant_of(item: Personal):
        return resolved.get(item.subject) if isinstance(item.subject, tuple) else item.subject

    keys = _keys(connection, {pid for item in pending if (pid := participant_of(item)) is not None}, True)

    def seal(item: Personal) -> dict:
        participant_id = participant_of(item)
        key = keys.get(participant_id)
        if key is None:
            return {SEALED: None, SUBJECT: participant_id}
        nonce = os.urandom(NONCE_BYTES)
        plain = canonical_json(item.value).encode("utf-8")
        sealed = AESGCM(key).encrypt(nonce, plain, _aad(participant_id))
        return {SEALED: base64.b64encode(nonce + sealed).decode("ascii"), SUBJECT: participant_id}

    for row in rows:
        row["changes"] = _walk(row["changes"], seal, _is_personal)


def _open(key: bytes | None, sealed: dict):
    if key is None or not sealed[SEALED]:
        return ERASED
    raw = base64.b64decode(sealed[SEALED])
    try:
        plain = AESGCM(key).decrypt(raw[:NONCE_BYTES], raw[NONCE_BYTES:], _aad(sealed[SUBJECT]))
    except InvalidTag:
        return ERASED
    return json.loads(plain)


def readable_changes(events) -> dict[int, dict]:
    """Each event's changes with sealed values opened, or `ERASED` where the key is gone."""
    found: list[dict] = []
    for event in events:
        _collect(event.changes or {}, is_sealed, found)
    subjects = {item[SUBJECT] for item in found if isinstance(item[SUBJECT], int)}
    keys = _keys(db.session.connection(), subjects, create=False)
    return {
        event.id: _walk(event.changes or {}, lambda item: _open(keys.get(item[SUBJECT]), item), is_sealed)
        for event in events
    }


def shred(participant_ids) -> int:
    """Delete the people's keys (in the caller's transaction); returns how many were deleted.

    Pending changes are flushed first, so values written by this very action (the name being
    removed) are sealed with the key that is about to go, not with a fresh one.
    """
    ids = list(participant_ids)
    if not ids:
        return 0
    db.session.flush()
    result = db.session.execute(
        delete(ParticipantAuditKey).where(ParticipantAuditKey.participant_id.in_(ids)),
        execution_options={"synchronize_session": False},
    )
    return result.rowcount
