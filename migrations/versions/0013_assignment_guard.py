"""the database refuses a facilitator booked on two overlapping sessions

Revision ID: 0013
Revises: 0012
Create Date: 2026-11-27 16:05:00

Why this shape (see also SessionAssignment's docstring): the rule must hold when two coordinators
assign at the same moment, so it cannot live only in a check before the insert.

- PostgreSQL: the session's interval is copied onto each assignment and an exclusion constraint
  (btree_gist) forbids two intervals of one user that overlap. A second, concurrent insert waits
  for the first transaction and then fails. Triggers keep the copy true: an assignment takes its
  session's times under FOR SHARE (so a concurrent move of that session is either seen or waits
  for us), and a session whose times or state change updates its assignments.
- SQLite: one writer at a time (BEGIN IMMEDIATE), so row triggers that RAISE(ABORT) before an
  overlapping copy is written are enough. The same columns are kept by triggers.

Back-to-back sessions (one ends when the other starts) do not overlap; cancelled sessions do not
count, as in the application's check.
"""

import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None

CONSTRAINT = "ex_session_assignment_no_overlap"

FILL_EXISTING = """
UPDATE session_assignment SET
    starts_at = (SELECT s.starts_at FROM programme_session s WHERE s.id = session_assignment.session_id),
    ends_at = (SELECT s.ends_at FROM programme_session s WHERE s.id = session_assignment.session_id),
    session_cancelled = (
        SELECT s.status = 'cancelled' FROM programme_session s WHERE s.id = session_assignment.session_id
    )
"""

EXISTING_OVERLAPS = """
SELECT a.id, b.id, a.user_id
FROM session_assignment a
JOIN session_assignment b ON b.user_id = a.user_id AND b.id > a.id
WHERE NOT a.session_cancelled AND NOT b.session_cancelled
  AND a.starts_at < b.ends_at AND b.starts_at < a.ends_at
ORDER BY a.id, b.id
LIMIT 20
"""

POSTGRESQL_UP = [
    "CREATE EXTENSION IF NOT EXISTS btree_gist",
    """
    CREATE FUNCTION session_assignment_copy_times() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        -- FOR SHARE: a concurrent move of this session commits before we read it, or waits for us
        -- (and then its own trigger updates this row).
        SELECT s.starts_at, s.ends_at, s.status = 'cancelled'
          INTO NEW.starts_at, NEW.ends_at, NEW.session_cancelled
          FROM programme_session s WHERE s.id = NEW.session_id FOR SHARE;
        RETURN NEW;
    END
    $$
    """,
    """
    CREATE TRIGGER session_assignment_copy_times BEFORE INSERT OR UPDATE ON session_assignment
    FOR EACH ROW EXECUTE FUNCTION session_assignment_copy_times()
    """,
    """
    CREATE FUNCTION programme_session_sync_assignments() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        UPDATE session_assignment SET starts_at = NEW.starts_at, ends_at = NEW.ends_at,
               session_cancelled = NEW.status = 'cancelled'
         WHERE session_id = NEW.id;
        RETURN NULL;
    END
    $$
    """,
    """
    CREATE TRIGGER programme_session_sync_assignments AFTER UPDATE OF starts_at, ends_at, status
    ON programme_session FOR EACH ROW
    WHEN (OLD.starts_at IS DISTINCT FROM NEW.starts_at OR OLD.ends_at IS DISTINCT FROM NEW.ends_at
          OR (OLD.status = 'cancelled') IS DISTINCT FROM (NEW.status = 'cancelled'))
    EXECUTE FUNCTION programme_session_sync_assignments()
    """,
    f"""
    ALTER TABLE session_assignment ADD CONSTRAINT {CONSTRAINT}
    EXCLUDE USING gist (user_id WITH =, tstzrange(starts_at, ends_at) WITH &&)
    WHERE (NOT session_cancelled)
    """,
]

POSTGRESQL_DOWN = [
    f"ALTER TABLE session_assignment DROP CONSTRAINT IF EXISTS {CONSTRAINT}",
    "DROP TRIGGER IF EXISTS programme_session_sync_assignments ON programme_session",
    "DROP FUNCTION IF EXISTS programme_session_sync_assignments()",
    "DROP TRIGGER IF EXISTS session_assignment_copy_times ON session_assignment",
    "DROP FUNCTION IF EXISTS session_assignment_copy_times()",
    "DROP EXTENSION IF EXISTS btree_gist",
]

_SQLITE_COPY = """
    UPDATE session_assignment SET
        starts_at = (SELECT starts_at FROM programme_session WHERE id = NEW.session_id),
        ends_at = (SELECT ends_at FROM programme_session WHERE id = NEW.session_id),
        session_cancelled = (SELECT status = 'cancelled' FROM programme_session WHERE id = NEW.session_id)
    WHERE id = NEW.id;
"""

SQLITE_UP = [
    # The check runs on every write of the copied times, including the copy just after an insert
    # (an ABORT there undoes the insert too: it is the same statement).
    f"""
    CREATE TRIGGER session_assignment_no_overlap BEFORE UPDATE ON session_assignment
    FOR EACH ROW WHEN NEW.session_cancelled = 0
    BEGIN
        SELECT RAISE(ABORT, '{CONSTRAINT}: facilitator booked on overlapping sessions')
        WHERE EXISTS (
            SELECT 1 FROM session_assignment other
            WHERE other.user_id = NEW.user_id AND other.id != NEW.id AND other.session_cancelled = 0
              AND other.starts_at < NEW.ends_at AND NEW.starts_at < other.ends_at
        );
    END
    """,
    f"""
    CREATE TRIGGER session_assignment_copy_times AFTER INSERT ON session_assignment
    FOR EACH ROW BEGIN {_SQLITE_COPY} END
    """,
    f"""
    CREATE TRIGGER session_assignment_recopy_times AFTER UPDATE OF session_id ON session_assignment
    FOR EACH ROW BEGIN {_SQLITE_COPY} END
    """,
    """
    CREATE TRIGGER programme_session_sync_assignments AFTER UPDATE OF starts_at, ends_at, status
    ON programme_session FOR EACH ROW
    BEGIN
        UPDATE session_assignment SET starts_at = NEW.starts_at, ends_at = NEW.ends_at,
               session_cancelled = (NEW.status = 'cancelled')
         WHERE session_id = NEW.id;
    END
    """,
]

SQLITE_DOWN = [
    "DROP TRIGGER IF EXISTS programme_session_sync_assignments",
    "DROP TRIGGER IF EXISTS session_assignment_recopy_times",
    "DROP TRIGGER IF EXISTS session_assignment_copy_times",
    "DROP TRIGGER IF EXISTS session_assignment_no_overlap",
]


def _is_postgresql() -> bool:
    return op.get_bind().dialect.name == "postgresql"


def upgrade():
    with op.batch_alter_table("session_assignment", schema=None) as batch_op:
        batch_op.add_column(sa.Column("starts_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("ends_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("session_cancelled", sa.Boolean(), nullable=True))
    bind = op.get_bind()
    bind.execute(sa.text(FILL_EXISTING))
    overlaps = bind.execute(sa.text(EXISTING_OVERLAPS)).all()
    if overlaps:
        pairs = ", ".join(f"{a}/{b} (user {user})" for a, b, user in overlaps)
        raise RuntimeError(
            "Facilitators are already booked on overlapping sessions; remove one assignment of each "
            f"pair (assignment ids) before upgrading: {pairs}"
        )
    for statement in POSTGRESQL_UP if _is_postgresql() else SQLITE_UP:
        bind.execute(sa.text(statement))


def downgrade():
    bind = op.get_bind()
    for statement in POSTGRESQL_DOWN if _is_postgresql() else SQLITE_DOWN:
        bind.execute(sa.text(statement))
    with op.batch_alter_table("session_assignment", schema=None) as batch_op:
        batch_op.drop_column("session_cancelled")
        batch_op.drop_column("ends_at")
        batch_op.drop_column("starts_at")
