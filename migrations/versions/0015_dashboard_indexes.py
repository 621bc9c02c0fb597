"""indexes for the dashboards' counts (response progress, registry counts, consent probes)

Revision ID: 0015
Revises: 0014
Create Date: 2026-11-27 16:20:00

"""

from alembic import op

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None

INDEXES = (
    ("response", "ix_response_administration_status", ["administration_id", "status"]),
    ("participant", "ix_participant_facility_comparison", ["facility_id", "is_comparison"]),
    ("consent", "ix_consent_participant_withdrawn", ["participant_id", "withdrawn_on"]),
)


def upgrade():
    for table, name, columns in INDEXES:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.create_index(name, columns, unique=False)


def downgrade():
    for table, name, _columns in reversed(INDEXES):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_index(name)
