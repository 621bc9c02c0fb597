"""PostgreSQL connections in requests: reads in autocommit until a statement needs a transaction,
prepared statements kept from request to request, and a connection the server closed found at
checkout without a round trip."""

from __future__ import annotations

import os
import resource
import time

import psycopg
import pytest
from sqlalchemy import func, select, text, update

from programme.core.database import closed_by_server
from programme.extensions import db as _db
from programme.facilities.models import Facility
from tests.core.requests import in_a_request_of_its_own

pytestmark = pytest.mark.skipif(
    not os.environ.get("TEST_DATABASE_URL", "").startswith("postgresql"),
    reason="PostgreSQL only: SQLite's transactions are begun by the engine's begin event",
)


def _transaction_status():
    return _db.session.connection().connection.dbapi_connection.info.transaction_status.name


def _facility_ids():
    return select(Facility.id).where(Facility.code.like("TST-%"))


NEEDS_A_TRANSACTION = {
    "write": lambda: update(Facility).where(Facility.code == "none").values(name_en="x"),
    "lock": lambda: _facility_ids().with_for_update(),
    "lock in a subquery": lambda: select(Facility.code).where(
        Facility.id.in_(_facility_ids().with_for_update().scalar_subquery())
    ),
    "lock by a function": lambda: select(func.pg_advisory_xact_lock(4242)),
    "text": lambda: text("SELECT 1"),  # text() may lock or write: never assumed a plain read
}


@pytest.mark.parametrize("need", [*NEEDS_A_TRANSACTION, "stream"])
def test_a_request_reads_in_autocommit_until_a_statement_needs_a_transaction(app, db, make_facility, need):
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

    assert in_a_request_of_its_own(app, work) == ("IDLE", "INTRANS")


def test_outside_a_request_every_statement_is_in_a_transaction(app, db):
    db.session.close()
    db.session.execute(_facility_ids()).all()
    assert _transaction_status() == "INTRANS"


def test_a_request_that_only_read_keeps_prepared_statements(app, db, make_facility):
    make_facility()
    db.session.commit()
    db.session.close()  # the test's own connection back in the pool: the requests share one
    statement = select(Facility.id, Facility.code).where(Facility.code.like("TST-%"))
    for _ in range(7):  # psycopg prepares a statement at its fifth use on a connection
        in_a_request_of_its_own(app, lambda: _db.session.execute(statement).all())
    prepared = in_a_request_of_its_own(
        app,
        lambda: _db.session.execute(
            text("SELECT count(*) FROM pg_prepared_statements WHERE statement LIKE '%facility.code LIKE%'")
        ).scalar_one(),
    )
    assert prepared == 1


@pytest.mark.parametrize("in_a_request", [True, False])
def test_an_autocommit_connection_asked_for_stays_autocommit(app, db, in_a_request):
    """VACUUM (and CREATE INDEX CONCURRENTLY in a migration) needs SQLAlchemy's AUTOCOMMIT level:
    the switch to a transaction applies to the requests' own autocommit only."""

    def vacuum():
        with _db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            connection.exec_driver_sql("VACUUM facility")
        return True

    assert (in_a_request_of_its_own(app, vacuum) if in_a_request else vacuum()) is True


def test_a_connection_the_server_closed_is_replaced_before_a_request_uses_it(app, db):
    """What a PostgreSQL restart does to idle pooled connections, done to one: the next request
    is served on a new connection instead of failing on the dead one (no pre-ping SELECT 1)."""
    db.session.close()  # the test's own connection back in the pool

    def backend_pid():
        return _db.session.execute(text("SELECT pg_backend_pid()")).scalar_one()

    first = in_a_request_of_its_own(app, backend_pid)
    _terminate(db, first)
    second = in_a_request_of_its_own(app, backend_pid)
    assert second != first


def test_the_check_works_on_descriptors_from_1024_on(db):
    """select() refuses descriptors >= 1024; a busy worker's connections get such numbers."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if hard != resource.RLIM_INFINITY and hard < 1200:
        pytest.skip(f"this machine allows {hard} open files")
    resource.setrlimit(resource.RLIMIT_NOFILE, (max(soft, 1200), hard))
    fillers = [os.open(os.devnull, os.O_RDONLY) for _ in range(1030)]
    try:
        with psycopg.connect(_plain_url(db), autocommit=True) as connection:
            assert connection.fileno() >= 1024
            assert not closed_by_server(connection)
            _terminate(db, connection.info.backend_pid)
            assert closed_by_server(connection)
    finally:
        for descriptor in fillers:
            os.close(descriptor)
        resource.setrlimit(resource.RLIMIT_NOFILE, (soft, hard))


def _plain_url(db) -> str:
    return db.engine.url.set(drivername="postgresql").render_as_string(hide_password=False)


def _terminate(db, backend_pid: int) -> None:
    with psycopg.connect(_plain_url(db), autocommit=True) as other:
        assert other.execute("SELECT pg_terminate_backend(%s)", [backend_pid]).fetchone()[0]
    time.sleep(0.2)  # the server's goodbye reaches the idle socket
