"""How a request's transaction ends: what it did not commit is never saved; on PostgreSQL a
request keeps psycopg's prepared statements (tests/core/test_postgresql_connections.py: how its
connection reads and is checked)."""

from __future__ import annotations

import contextvars

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
