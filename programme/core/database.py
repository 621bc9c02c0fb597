"""Engine set-up that must hold on every connection.

SQLite: foreign keys on, WAL, a busy timeout, and write requests (POST and friends) open their
transaction with BEGIN IMMEDIATE, so two writers queue on the lock (up to the busy timeout)
instead of one failing half-way when its read transaction tries to become a write.

A read request that writes (the audit row of a read or an export, written after the page's
queries) starts deferred so that reads never queue behind writers; at its first write it takes
the write lock with a fresh BEGIN IMMEDIATE. Upgrading its read transaction in place would fail
at once, without waiting, whenever another writer committed since it began (SQLITE_BUSY_SNAPSHOT:
the busy timeout does not apply), which under load answered some register PDFs with a 503.

PostgreSQL: a request reads outside a transaction (autocommit) until its first statement that
needs one: anything but a plain SELECT built with SQLAlchemy (a write, a SELECT ... FOR UPDATE, a
savepoint, a text() statement such as an advisory lock, a streamed result). From that statement on
the request runs in one transaction, committed or rolled back as before. At PostgreSQL's READ
COMMITTED level every statement of a transaction takes its own snapshot anyway, so reads see the
same data either way; a page that only reads is spared the BEGIN and COMMIT round trips (two of
the five a register page made).

A request that writes and then reads on ends its later transaction with COMMIT rather than
ROLLBACK. The two cost the server the same for a transaction that wrote nothing, but psycopg
forgets its prepared statements at every ROLLBACK, and it prepares a statement only from its fifth
use on a connection; ending each page with a ROLLBACK meant no statement was ever prepared, and the
server planned every query of every page afresh (1.1 ms of planning for 0.35 ms of work on the
calendar).

SQLite's planner also needs statistics (ANALYZE): without them it guesses from the indexes alone
and, at national size, walks every held session or every enrolment in the country for a query
about a few running cohorts (the dashboards' watch list: 20 ms instead of 0.3 ms). Each process
refreshes them on its first connection, sampling at most ANALYSIS_LIMIT rows per index (about
30 ms at national size); PostgreSQL keeps its own statistics (autovacuum).
"""

from __future__ import annotations

import logging
import re
import select
import sqlite3
from functools import lru_cache

import psycopg
from flask import Flask, has_request_context, request
from sqlalchemy import Select, event
from sqlalchemy.engine import Engine
from sqlalchemy.exc import DBAPIError, DisconnectionError, SQLAlchemyError

WRITE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
WRITE_STATEMENTS = ("INSERT", "UPDATE", "DELETE", "REPLACE")
BEGIN_MODE = "sqlite_begin_mode"  # key in the connection's info: how its transaction began
WROTE = "pip_transaction_wrote"  # key in the connection's info: a statement other than SELECT ran
READS_IN_AUTOCOMMIT = "pip_reads_in_autocommit"  # key in the connection's info: see checkout
ANALYSIS_LIMIT = 1000
log = logging.getLogger(__name__)


def is_sqlite(engine: Engine) -> bool:
    return engine.dialect.name == "sqlite"


def _transaction_wants_write() -> bool:
    # Outside a request (CLI commands, jobs) a read must not hold the write lock for the whole
    # command, so those transactions start deferred; they are rarely concurrent writers.
    if not has_request_context():
        return False
    return request.method in WRITE_METHODS


def refresh_statistics(dbapi_connection) -> None:
    """ANALYZE with sampling; a database busy or read-only just keeps its older statistics."""
    cursor = dbapi_connection.cursor()
    try:
        cursor.execute(f"PRAGMA analysis_limit={ANALYSIS_LIMIT}")
        cursor.execute("ANALYZE")
    except sqlite3.OperationalError as failure:
        log.warning("SQLite statistics not refreshed: %s", failure)
    finally:
        cursor.close()


def configure_engine(engine: Engine, busy_timeout_ms: int) -> None:
    if not is_sqlite(engine):
        if engine.dialect.name == "postgresql":
            _postgresql_session_settings(engine)
        return
    analysed = []  # once per process and engine: on the first connection

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
        if not analysed:
            analysed.append(True)
            refresh_statistics(dbapi_connection)

    @event.listens_for(engine, "begin")
    def _sqlite_begin(connection):
        mode = "IMMEDIATE" if _transaction_wants_write() else "DEFERRED"
        connection.exec_driver_sql(f"BEGIN {mode}")
        connection.info[BEGIN_MODE] = mode if has_request_context() else "COMMAND"

    @event.listens_for(engine, "before_cursor_execute")
    def _write_lock_at_first_write(connection, cursor, statement, _parameters, _context, _many):
        if statement.lstrip()[:7].upper().startswith(WRITE_STATEMENTS):
            _switch_to_write_lock(connection, cursor)


def _switch_to_write_lock(connection, cursor) -> None:
    if connection.info.get(BEGIN_MODE) != "DEFERRED":
        return
    connection.info[BEGIN_MODE] = "IMMEDIATE"
    if connection.in_nested_transaction():
        return  # a savepoint would be lost by the COMMIT; such a request keeps its snapshot
    # The read part of the request has written nothing yet, so ending it loses no work; the
    # objects it loaded stay in the session. From here the request holds the write lock.
    cursor.execute("COMMIT")
    cursor.execute("BEGIN IMMEDIATE")


def hold_write_lock(connection) -> None:
    """On SQLite, take the write lock now, before reading what the coming write depends on.

    A read request's transaction takes the lock at its first write, in a fresh transaction: what
    it read before that came from an older snapshot. A write computed from such a read (the audit
    chain's last hash) would be computed from a row that another worker may have replaced
    meanwhile, so its reads must come after this. Does nothing on other engines or where the
    lock is already held.
    """
    if connection.dialect.name != "sqlite" or connection.info.get(BEGIN_MODE) != "DEFERRED":
        return
    cursor = connection.connection.dbapi_connection.cursor()
    try:
        _switch_to_write_lock(connection, cursor)
    finally:
        cursor.close()


def closed_by_server(dbapi_connection) -> bool:
    """Whether PostgreSQL has closed this idle connection, seen without a round trip.

    Between requests a connection has nothing left to read. A server that restarts, or ends an
    idle session, sends its last message and closes the socket: the socket becomes readable.
    This replaces pool pre-ping (a SELECT 1 before every request) for the same cases; a link
    that dies without a word (no FIN) is caught by neither until TCP gives up, and the request
    then gets the translated "try again" page while the pool is refreshed. poll(), not
    select(): select() refuses descriptors from 1024 on, which a busy worker reaches.
    """
    if dbapi_connection.closed or dbapi_connection.broken:
        return True
    try:
        descriptor = dbapi_connection.fileno()
    except psycopg.Error:
        return True  # psycopg raises for a connection it knows is closed
    poller = select.poll()
    poller.register(descriptor, select.POLLIN)
    return bool(poller.poll(0))  # data, end of stream, hang-up or error: all mean it is over


# Reads that must not run in autocommit although they are SELECTs: row locks (in a subquery too)
# and functions with effects that last only as long as a transaction or write. Such statements
# are written with text(), which always gets a transaction; this is the safety net for a
# select() that holds one.
_NEEDS_TRANSACTION = re.compile(
    r"\bFOR\s+(NO\s+KEY\s+)?UPDATE\b|\bFOR\s+(KEY\s+)?SHARE\b"
    r"|\bpg_advisory|\bnextval\(|\bsetval\(|\bset_config\(|\bpg_notify\(",
    re.IGNORECASE,
)


@lru_cache(maxsize=2048)
def _locks_or_writes(statement: str) -> bool:
    # Per SQL text: the same compiled statements come back on every request, so each is searched
    # once per process rather than on every execution.
    return _NEEDS_TRANSACTION.search(statement) is not None


def _read_without_transaction(context, statement: str) -> bool:
    """A SELECT built with SQLAlchemy that locks and changes nothing and is read at once: safe in
    autocommit. text() statements are never assumed safe: they may lock (pg_advisory_xact_lock)
    or write."""
    construct = getattr(getattr(context, "compiled", None), "statement", None)
    return (
        isinstance(construct, Select)
        and not context.execution_options.get("stream_results")  # server-side cursors need one
        and not _locks_or_writes(statement)
    )


def _postgresql_session_settings(engine: Engine) -> None:
    @event.listens_for(engine, "checkout")
    def _live_connection_reading_in_autocommit(dbapi_connection, record, _proxy):
        if closed_by_server(dbapi_connection):
            # The pool drops this connection and checks out a new one for the request.
            raise DisconnectionError("PostgreSQL closed this connection while it was idle")
        # Outside a request (commands, jobs, migrations) every statement is in a transaction.
        reads_in_autocommit = has_request_context()
        dbapi_connection.autocommit = reads_in_autocommit
        record.info[READS_IN_AUTOCOMMIT] = reads_in_autocommit

    @event.listens_for(engine, "before_cursor_execute")
    def _transaction_from_first_need(connection, _cursor, statement, _parameters, context, _many):
        # Only the autocommit set above is ended here: one asked for with SQLAlchemy's
        # isolation_level="AUTOCOMMIT" (VACUUM, CREATE INDEX CONCURRENTLY) stays as asked.
        pooled = connection.connection
        if not pooled.info.get(READS_IN_AUTOCOMMIT) or _read_without_transaction(context, statement):
            return
        pooled.info[READS_IN_AUTOCOMMIT] = False
        if connection.get_execution_options().get("isolation_level") == "AUTOCOMMIT":
            return
        # Idle between autocommitted reads, so the switch is allowed; psycopg opens the
        # transaction with this statement, and the request's commit or rollback ends it.
        pooled.dbapi_connection.autocommit = False

    @event.listens_for(engine, "begin")
    def _nothing_written_yet(connection):
        connection.info[WROTE] = False

    @event.listens_for(engine, "before_cursor_execute")
    def _note_writes(connection, _cursor, statement, _parameters, _context, _many):
        # Anything but a plain SELECT counts as a write (a WITH may hide one): when in doubt, the
        # request ends with the ROLLBACK it always had.
        if not connection.info.get(WROTE) and statement.lstrip()[:6].upper() != "SELECT":
            connection.info[WROTE] = True

    @event.listens_for(engine, "connect")
    def _no_jit(dbapi_connection, _record):
        # PostgreSQL compiles a query to machine code (JIT) when its estimated cost is high, and
        # the evaluation's whole-country queries are: measured, 560 ms of compiling for an 870 ms
        # query that runs in 300 ms without. A web app's queries are short; JIT never pays here.
        with dbapi_connection.cursor() as cursor:
            cursor.execute("SET jit = off")
        dbapi_connection.commit()


def release_dead_connections(app: Flask, db) -> None:
    """End each request's session without failing when the database went away meanwhile.

    A page can be fully drawn and the database stop just before the request ends: the closing
    ROLLBACK then fails on a terminated connection, and that error, raised after the response was
    made, would turn a good answer into a 500. Such a connection is invalidated instead (the pool
    drops it; each checkout checks the one it takes). Registered after Flask-SQLAlchemy's own
    teardown, so it runs first (teardowns run in reverse order).
    """

    @app.teardown_appcontext
    def _close_session(exc):
        session = db.session()
        try:
            if exc is None and _read_only_postgresql_transaction(session):
                session.commit()  # nothing to write: keeps psycopg's prepared statements
        except SQLAlchemyError:
            pass  # a failed or lost transaction: the close below ends it as any other
        try:
            session.close()
        except DBAPIError:
            session.invalidate()


def _read_only_postgresql_transaction(session) -> bool:
    """A transaction on PostgreSQL in which only SELECTs ran and nothing waits to be flushed."""
    if not session.in_transaction() or session.new or session.dirty or session.deleted:
        return False
    connection = session.connection()
    return connection.dialect.name == "postgresql" and connection.info.get(WROTE) is False
