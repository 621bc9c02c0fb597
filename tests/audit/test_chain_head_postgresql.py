"""On PostgreSQL the chain's lock and its last hash come in one statement (migration 0018): the
hash must be the one committed while the statement waited for the lock, never the one its own
start saw (a plain SELECT's snapshot is taken before the lock is granted)."""

from __future__ import annotations

import os
import threading
import time

import pytest

from programme.audit.services import _append
from programme.extensions import db as _db
from tests.audit.test_chain_concurrency import _print_row, chain_rows

pytestmark = pytest.mark.skipif(
    not os.environ.get("TEST_DATABASE_URL", "").startswith("postgresql"),
    reason="PostgreSQL only: the chain-head function and its advisory lock are PostgreSQL's",
)


def test_an_append_waiting_for_the_chain_links_to_the_row_committed_meanwhile(app, db):
    with app.test_request_context("/cohorts/1/register.pdf"):
        engine = _db.engine
        with engine.begin() as setup:
            _append(setup, [_print_row("first print")])
        holder = engine.connect()
        holder.begin()
        _append(holder, [_print_row("print holding the chain")])  # lock held until commit
        appended = threading.Event()

        def waiting_print():
            with app.test_request_context("/cohorts/1/register.pdf"), engine.begin() as waiting:
                _append(waiting, [_print_row("print that waited")])
            appended.set()

        worker = threading.Thread(target=waiting_print)
        worker.start()
        time.sleep(0.5)
        assert not appended.is_set(), "the second append must wait for the chain's lock"
        holder.commit()
        holder.close()
        worker.join(10)
        assert appended.is_set()
        rows, report = chain_rows(engine)
    labels = [row.actor_label for row in rows]
    assert labels[-3:] == ["first print", "print holding the chain", "print that waited"]
    assert rows[-1].prev_hash == rows[-2].row_hash  # the row committed while it waited
    assert report.is_intact
