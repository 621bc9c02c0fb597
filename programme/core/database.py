"""Engine set-up that must hold on every connection.

SQLite: foreign keys on, WAL, a busy timeout, and write requests (POST and friends) open their
transaction with BEGIN IMMEDIATE, so two writers queue on the lock (up to the busy timeout)
instead of one failing half-way when its read transaction tries to become a write.
"""

from __future__ import annotations

from flask import Flask, has_request_context, request
from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlalchemy.exc import DBAPIError

WRITE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})


def is_sqlite(engine: Engine) -> bool:
    return engine.dialect.name == "sqlite"


def _transaction_wants_write() -> bool:
    # Outside a request (CLI commands, jobs) a read must not hold the write lock for the whole
    # command, so those transactions start deferred; they are rarely concurrent writers.
    if not has_request_context():
        return False
    return request.method in WRITE_METHODS


def configure_engine(engine: Engine, busy_timeout_ms: int) -> None:
    if not is_sqlite(engine):
        return

    @event.listens_for(engine, "connect")
    def _sqlite_pragmas(dbapi_connection, _record):
        # Let SQLAlchemy's "begin" event issue BEGIN itself (pysqlite's own handling is off).
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute(f"PRAGMA busy_timeout={int(busy_timeout_ms)}")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _sqlite_begin(connection):
        mode = "IMMEDIATE" if _transaction_wants_write() else "DEFERRED"
        connection.exec_driver_sql(f"BEGIN {mode}")


def release_dead_connections(app: Flask, db) -> None:
    """End each request's session without failing when the database went away meanwhile.

    A page can be fully drawn and the database stop just before the request ends: the closing
    ROLLBACK then fails on a terminated connection, and that error, raised after the response was
    made, would turn a good answer into a 500. Such a connection is invalidated instead (the pool
    drops it; pre-ping checks the next one). Registered after Flask-SQLAlchemy's own teardown, so
    it runs first (teardowns run in reverse order).
    """

    @app.teardown_appcontext
    def _close_session(_exc):
        try:
            db.session.close()
        except DBAPIError:
            db.session.invalidate()
