"""audit personal keys: one key per participant that seals their personal values in the audit trail

Revision ID: 0012
Revises: 0011
Create Date: 2026-11-27 16:10:00.000000

Rows written before this revision keep their values as they were (rewriting them would break
the hash chain); from here on personal values are sealed and forgetting deletes the key.
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0012'
down_revision = '0011'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('participant_audit_key',
    sa.Column('participant_id', sa.Integer(), nullable=False),
    sa.Column('key', sa.LargeBinary(length=32), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.ForeignKeyConstraint(['participant_id'], ['participant.id'], name=op.f('fk_participant_audit_key_participant_id_participant'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('participant_id', name=op.f('pk_participant_audit_key'))
    )


def downgrade():
    op.drop_table('participant_audit_key')
