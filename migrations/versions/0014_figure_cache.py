"""figure cache: per-table data generations

Revision ID: 0014
Revises: 0013
Create Date: 2026-11-27 16:10:00

"""

import secrets

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None


def upgrade():
    table = op.create_table(
        "data_generation",
        sa.Column("table_name", sa.String(length=64), nullable=False),
        sa.Column("generation", sa.Integer(), nullable=False),
        sa.Column("stamp", sa.String(length=32), nullable=False),
        sa.PrimaryKeyConstraint("table_name", name=op.f("pk_data_generation")),
    )
    # The epoch: a random stamp per database, so two databases sharing one Redis never share keys.
    op.bulk_insert(table, [{"table_name": "*", "generation": 0, "stamp": secrets.token_hex(8)}])


def downgrade():
    op.drop_table("data_generation")
