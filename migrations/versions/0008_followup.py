"""followup: one scheduled check per person and follow-up point

Revision ID: 0008
Revises: 0002
Create Date: 2026-11-27 13:39:17.716802

"""

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "0008"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("followup_check", schema=None) as batch_op:
        batch_op.create_unique_constraint(
            "uq_followup_check_point", ["participant_id", "months_after_release"]
        )


def downgrade():
    with op.batch_alter_table("followup_check", schema=None) as batch_op:
        batch_op.drop_constraint("uq_followup_check_point", type_="unique")
