"""On SQLite a read request that ends by writing (an audit row) waits for the write lock.

Its transaction began deferred, and another writer committed after its first read: upgrading
that snapshot fails at once with SQLITE_BUSY_SNAPSHOT (no busy timeout), which under load turned
register PDFs into 503 pages. The engine now takes a fresh BEGIN IMMEDIATE at the first write.
These tests use a file of their own (the behaviour is SQLite's, whatever the suite's engine).
"""

from __future__ import annotations

import sqlite3

import pytest
from flask import Flask
from sqlalchemy import create_engine, text
from sqlalchemy.exc import OperationalError

from programme.core.database import BEGIN_MODE, configure_engine


def _engine(path):
    with sqlite3.connect(path) as setup:
        setup.execute("CREATE TABLE event (id INTEGER PRIMARY KEY, what TEXT)")
        setup.execute("INSERT INTO event (what) VALUES ('first')")
    engine = create_engine(f"sqlite:///{path}")
    configure_engine(engine, 2000)
    return engine


def _read_then_another_writer_commits(connection, path) -> None:
    assert connection.execute(text("SELECT COUNT(*) FROM event")).scalar() == 1  # snapshot taken
    with sqlite3.connect(path) as other:
        other.execute("INSERT INTO event (what) VALUES ('saved meanwhile by another worker')")


def test_a_read_request_that_writes_takes_the_lock_at_its_first_write(tmp_path):
    path = tmp_path / "read-then-write.db"
    engine = _engine(path)
    with Flask(__name__).test_request_context("/report.pdf", method="GET"):
        with engine.connect() as connection:
            _read_then_another_writer_commits(connection, path)
            connection.execute(text("INSERT INTO event (what) VALUES ('audit row of the read')"))
            assert connection.info[BEGIN_MODE] == "IMMEDIATE"
            connection.commit()
    with sqlite3.connect(path) as check:
        assert [row[0] for row in check.execute("SELECT what FROM event ORDER BY id")] == [
            "first",
            "saved meanwhile by another worker",
            "audit row of the read",
        ]
    engine.dispose()


def test_upgrading_the_read_snapshot_in_place_would_fail(tmp_path):
    """The failure the switch prevents: the same steps with it turned off."""
    path = tmp_path / "read-then-write.db"
    engine = _engine(path)
    with Flask(__name__).test_request_context("/report.pdf", method="GET"):
        with engine.connect() as connection:
            _read_then_another_writer_commits(connection, path)
            connection.info[BEGIN_MODE] = "COMMAND"  # as outside a request: no switch
            with pytest.raises(OperationalError, match="locked"):
                connection.execute(text("INSERT INTO event (what) VALUES ('audit row of the read')"))
            connection.rollback()
    engine.dispose()
