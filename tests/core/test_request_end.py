"""How a request's transaction ends: what it did not commit is never saved (on PostgreSQL, how a
request's connection reads, keeps its prepared statements and is checked:
tests/core/test_postgresql_connections.py)."""

from __future__ import annotations

import pytest
from sqlalchemy import select, update

from programme.extensions import db as _db
from programme.facilities.models import Facility
from tests.core.requests import in_a_request_of_its_own


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

    in_a_request_of_its_own(app, work)
    assert _name_of(facility_id) == "Before"
