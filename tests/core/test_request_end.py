"""How a request's transaction ends: what it did not commit is never saved; on PostgreSQL a
request reads outside a transaction until a statement needs one, and keeps psycopg's prepared
statements."""

from __future__ import annotations

import contextvars
import time

import psycopg
import pytest
from sqlalchemy import select, text, update

from programme.extensions import db as _db
from programme.facilities.models import Facility


def _in_a_request_of_its_own(app, work):
    """Run `work` as a request would: a fresh context, torn down (and its session ended) after."""

    def run():
        with app.test_request_context("/"):
            return work()

    return contextvars.Context().run(run)


def _name_of(facility_id: int) -> str:
    _db.session.expire_all()
    return _db.session.execute(select(Facility.name_en).where(Facility.id == facility_id)).scalar_one()


@pytest.mark.parametrize("how", ["changed", "flushed", "statement"])
def test_a_request_never_saves_what_it_did_not_commit(app, db, make_facility, how):
    facility_id = make_facility(name_en="Before").id
    db.session.commit()

    def work():
        if how == "statement":
            _db.session.execute(update(Facility).where(Facility.id == facility_id).values(name_en="After"))
            return
        facility = _db.session.get(Facility, facility_id)
        facility.name_en = "After"
        if how == "flushed":
            _db.session.flush()  # written in the transaction, not committed: rolled back

    _in_a_request_of_its_own(app, work)
    assert _name_of(facility_id) == "Before"


def test_a_request_that_only_read_keeps_prepared_statements(app, db, make_facility):
    if db.engine.dialect.name != "postgresql":
        pytest.skip("PostgreSQL only: psycopg's prepared statements")
    make_facility()
    db.session.commit()
    db.session.close()  # the test's own connection back in the pool: the requests share one
    statement = select(Facility.id, Facility.code).where(Facility.code.like("TST-%"))
    for _ in range(7):  # psycopg prepares a statement at its fifth use on a connection
        _in_a_request_of_its_own(app, lambda: _db.session.execute(statement).all())
    prepared = _in_a_request_of_its_own(
        app,
        lambda: _db.session.execute(
            text("SELECT count(*) FROM pg_prepared_statements WHERE statement LIKE '%facility.code LIKE%'")
        ).scalar_one(),
    )
    assert prepared == 1


def _transaction_status():
    return _db.session.connection().connection.dbapi_connection.info.transaction_status.name


def _facility_ids():
    return select(Facility.id).where(Facility.code.like("TST-%"))


NEEDS_A_TRANSACTION = {
    "write": lambda: update(Facility).where(Facility.code == "none").values(name_en="x"),
    "lock": lambda: _facility_ids().with_for_update(),
    "text": lambda: text("SELECT 1"),  # text() may lock or write: never assumed a plain read
}


@pytest.mark.parametrize("need", [*NEEDS_A_TRANSACTION, "stream"])
def test_a_request_reads_in_autocommit_until_a_statement_needs_a_transaction(app, db, make_facility, need):
    if db.engine.dialect.name != "postgresql":
        pytest.skip("PostgreSQL only: SQLite's transactions are begun by the engine's begin event")
    make_facility()
    db.session.commit()

    def work():
        _db.session.execute(_facility_ids()).all()
        read_alone = _transaction_status()
        if need == "stream":
            _db.session.execute(_facility_ids(), execution_options={"stream_results": True}).all()
        else:
            _db.session.execute(NEEDS_A_TRANSACTION[need]())
        return read_alone, _transaction_status()

    assert _in_a_request_of_its_own(app, work) == ("IDLE", "INTRANS")


def test_outside_a_request_every_statement_is_in_a_transaction(app, db):
    if db.engine.dialect.name != "postgresql":
        pytest.skip("PostgreSQL only")
    db.session.close()
    db.session.execute(_facility_ids()).all()
    assert _transaction_status() == "INTRANS"


def test_a_connection_the_server_closed_is_replaced_before_a_request_uses_it(app, db):
    """What a PostgreSQL restart does to idle pooled connections, done to one: the next request
    is served on a new connection instead of failing on the dead one (no pre-ping SELECT 1)."""
    if db.engine.dialect.name != "postgresql":
        pytest.skip("PostgreSQL only: SQLite has no server to close a connection")
    db.session.close()  # the test's own connection back in the pool

    def backend_pid():
        return _db.session.execute(text("SELECT pg_backend_pid()")).scalar_one()

    first = _in_a_request_of_its_own(app, backend_pid)
    url = db.engine.url.set(drivername="postgresql").render_as_string(hide_password=False)
    with psycopg.connect(url, autocommit=True) as other:
        assert other.execute("SELECT pg_terminate_backend(%s)", [first]).fetchone()[0]
    time.sleep(0.2)  # the server's goodbye reaches the idle socket
    second = _in_a_request_of_its_own(app, backend_pid)
    assert second != first
