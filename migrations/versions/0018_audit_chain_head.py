"""audit chain head: the chain lock and the chain's last hash in one round trip (PostgreSQL)

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-08 00:55:00

Every audited write took the chain's advisory lock, then read the chain's last hash: two round
trips, because a statement's snapshot is taken before the lock it waits for is granted, so one
SELECT cannot lock and then see the rows committed meanwhile. A VOLATILE PL/pgSQL function takes
a fresh snapshot for each query it runs: it locks, then reads the head as it stands once the
lock is held. SQLite needs nothing (its appends hold the database's write lock).
"""

from alembic import op

revision = "0018"
down_revision = "0017"
branch_labels = None
depends_on = None


def upgrade():
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute(
        """
        CREATE OR REPLACE FUNCTION audit_chain_head(lock_key bigint) RETURNS text
        LANGUAGE plpgsql VOLATILE AS $$
        BEGIN
            PERFORM pg_advisory_xact_lock(lock_key);
            RETURN (SELECT row_hash FROM audit_event ORDER BY id DESC LIMIT 1);
        END;
        $$
        """
    )


def downgrade():
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute("DROP FUNCTION IF EXISTS audit_chain_head(bigint)")
