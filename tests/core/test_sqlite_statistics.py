"""SQLite gets planner statistics on a process's first connection (PostgreSQL keeps its own)."""

from __future__ import annotations

import sqlite3

from sqlalchemy import create_engine, text

from programme.core.database import configure_engine


def _database_with_rows(path) -> None:
    connection = sqlite3.connect(path)
    connection.execute("CREATE TABLE mark (id INTEGER PRIMARY KEY, session_id INTEGER, status TEXT)")
    connection.execute("CREATE INDEX ix_mark_status ON mark (status)")
    connection.executemany(
        "INSERT INTO mark (session_id, status) VALUES (?, ?)", [(n % 50, "held") for n in range(500)]
    )
    connection.commit()
    connection.close()


def test_first_connection_analyses_the_database(tmp_path):
    path = tmp_path / "stats.db"
    _database_with_rows(path)
    engine = create_engine(f"sqlite:///{path}")
    configure_engine(engine, 1000)
    with engine.connect() as connection:
        rows = connection.execute(text("SELECT tbl, idx, stat FROM sqlite_stat1")).all()
    assert ("mark", "ix_mark_status", "500 500") in rows
    engine.dispose()


def test_later_connections_do_not_analyse_again(tmp_path):
    path = tmp_path / "stats.db"
    _database_with_rows(path)
    engine = create_engine(f"sqlite:///{path}")
    configure_engine(engine, 1000)
    with engine.connect():
        pass
    with sqlite3.connect(path) as other:
        other.execute("DELETE FROM sqlite_stat1")
    engine.dispose()  # the next checkout opens a new connection: no ANALYZE this time
    with engine.connect() as connection:
        assert connection.execute(text("SELECT COUNT(*) FROM sqlite_stat1")).scalar() == 0
    engine.dispose()
