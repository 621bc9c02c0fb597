"""Count SQL statements, to keep pages free of per-row queries (used by tests and the bench)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

from sqlalchemy import event
from sqlalchemy.engine import Engine


@dataclass
class QueryLog:
    statements: list[str] = field(default_factory=list)

    @property
    def count(self) -> int:
        return len(self.statements)


@contextmanager
def count_queries(engine: Engine) -> Iterator[QueryLog]:
    log = QueryLog()

    def _before(conn, cursor, statement, parameters, context, executemany):
        if not statement.lstrip().upper().startswith(("BEGIN", "COMMIT", "ROLLBACK", "PRAGMA")):
            log.statements.append(statement)

    event.listen(engine, "before_cursor_execute", _before)
    try:
        yield log
    finally:
        event.remove(engine, "before_cursor_execute", _before)


class TooManyQueries(AssertionError):
    pass


@contextmanager
def assert_max_queries(engine: Engine, limit: int) -> Iterator[QueryLog]:
    with count_queries(engine) as log:
        yield log
    if log.count > limit:
        listing = "\n".join(f"  {i + 1}. {s[:160]}" for i, s in enumerate(log.statements))
        raise TooManyQueries(f"{log.count} queries, limit {limit}:\n{listing}")
