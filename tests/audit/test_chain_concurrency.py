"""Two workers auditing at once on SQLite link their rows one after the other, never to one row.

A read request (a register PDF) reads in a deferred transaction and takes SQLite's write lock at
its first write, in a fresh transaction. The chain's last hash must be read after that: read
from the request's older snapshot it was, under load, the hash another worker had already
linked to, and the chain forked (the national benchmark's SQLite run: dozens of pairs of rows
with one prev_hash, and a 409 where two collided). The file is SQLite's own, whatever the
suite's engine (the behaviour is SQLite's; PostgreSQL holds an advisory lock for the chain).
"""

from __future__ import annotations

from datetime import UTC, datetime

from flask import Flask
from sqlalchemy import create_engine, func, select

from programme.audit.models import AuditEvent
from programme.audit.services import _append, verify_chain
from programme.core.database import configure_engine


def _print_row(who: str) -> dict:
    return {
        "occurred_at": datetime.now(UTC).replace(tzinfo=None),
        "actor_id": None,
        "actor_label": who,
        "action": "print",
        "entity_type": "cohort",
        "entity_id": "1",
        "changes": {"document": "register_grid"},
        "purpose": "register grid",
        "remote_addr": "127.0.0.1",
    }


def chain_rows(engine):
    """The chain's rows in order (label, prev_hash, row_hash) and verify_chain's report."""
    with engine.connect() as check:
        rows = check.execute(
            select(AuditEvent.actor_label, AuditEvent.prev_hash, AuditEvent.row_hash).order_by(AuditEvent.id)
        ).all()
        return rows, verify_chain(connection=check)


def test_a_read_request_links_its_audit_row_to_the_row_another_worker_just_wrote(tmp_path):
    engine = create_engine(f"sqlite:///{tmp_path / 'chain.db'}")
    configure_engine(engine, 2000)
    user_table = next(iter(AuditEvent.__table__.c.actor_id.foreign_keys)).column.table
    AuditEvent.metadata.create_all(engine, tables=[user_table, AuditEvent.__table__])
    with engine.begin() as setup:
        _append(setup, [_print_row("first print")])
    with Flask(__name__).test_request_context("/cohorts/1/register.pdf", method="GET"):
        with engine.connect() as printing:
            # The page's own reads: the snapshot its transaction began with.
            assert printing.execute(select(func.count()).select_from(AuditEvent)).scalar() == 1
            with engine.connect() as other_worker:
                _append(other_worker, [_print_row("print by another worker")])
                other_worker.commit()
            _append(printing, [_print_row("print of this request")])
            printing.commit()
        rows, report = chain_rows(engine)
    assert [row.actor_label for row in rows] == [
        "first print",
        "print by another worker",
        "print of this request",
    ]
    assert rows[2].prev_hash == rows[1].row_hash  # linked to the newest row, not to the first
    assert report.is_intact and report.checked == 3
    engine.dispose()
