"""Failure injection for the all-or-nothing tests: a snapshot of every table, and a statement
that fails in the middle of an action after earlier statements of it have already run.

The failure is raised where the driver would run the statement, as an `OperationalError` (what a
lost connection or a full disk gives), so services see a real database failure and the HTTP error
handler answers 503.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

from sqlalchemy import event, select
from sqlalchemy.exc import OperationalError

from programme.extensions import db

WRITE = re.compile(r"^\s*(INSERT\s+INTO|UPDATE|DELETE\s+FROM)\s+\"?(\w+)\"?", re.IGNORECASE)


class InjectedFailure(Exception):
    """The cause carried by the injected OperationalError."""


def snapshot() -> dict[str, list[tuple]]:
    """Every row of every table (the audit trail included), read on a connection of its own so
    it sees only what is committed."""
    with db.engine.connect() as connection:
        return {
            table.name: sorted((tuple(row) for row in connection.execute(select(table))), key=repr)
            for table in db.metadata.sorted_tables
        }


@dataclass
class Injection:
    """What ran before the failure: (verb, table) of every write statement, in order."""

    verb: str
    table: str
    nth: int
    after: tuple[str, str] | None = None
    writes: list[tuple[str, str]] = field(default_factory=list)
    fired: bool = False

    def wrote(self, verb: str, table: str) -> bool:
        return (verb, table) in self.writes


def _verb(words: str) -> str:
    return words.split()[0].upper()


@contextmanager
def failing_on(
    verb: str, table: str, nth: int = 1, after: tuple[str, str] | None = None
) -> Iterator[Injection]:
    """The `nth` INSERT / UPDATE / DELETE statement on `table` fails (earlier ones run); with
    `after=(verb, table)`, only statements after the first such write count."""
    injection = Injection(verb.upper(), table, nth, after)
    seen = 0

    def before_cursor_execute(_conn, _cursor, statement, parameters, _context, _executemany):
        nonlocal seen
        match = WRITE.match(statement)
        if match is None:
            return
        found = (_verb(match.group(1)), match.group(2))
        armed = injection.after is None or injection.wrote(*injection.after)
        if armed and found == (injection.verb, injection.table):
            seen += 1
            if seen == injection.nth:
                injection.fired = True
                raise OperationalError(statement, parameters, InjectedFailure("injected failure"))
        injection.writes.append(found)

    engine = db.engine
    event.listen(engine, "before_cursor_execute", before_cursor_execute)
    try:
        yield injection
    finally:
        event.remove(engine, "before_cursor_execute", before_cursor_execute)


def assert_unchanged(before: dict, after: dict) -> None:
    """Compare table by table, so a failure names the table that changed."""
    assert after.keys() == before.keys()
    changed = {name: (len(before[name]), len(after[name])) for name in before if before[name] != after[name]}
    assert not changed, f"tables changed (rows before, after): {changed}"
