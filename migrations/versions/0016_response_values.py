"""response values: each complete response's scored answers and scores in one row (for the evaluation)

Revision ID: 0016
Revises: 0015
Create Date: 2026-11-27 21:30:00

"""

from collections import defaultdict

import sqlalchemy as sa
from alembic import op

revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None

BATCH = 5000


def upgrade():
    op.create_table(
        "response_values",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("response_id", sa.Integer(), nullable=False),
        sa.Column("item_codes", sa.Text(), nullable=False),
        sa.Column("item_values", sa.Text(), nullable=False),
        sa.Column("score_codes", sa.Text(), nullable=False),
        sa.Column("score_values", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["response_id"],
            ["response.id"],
            name=op.f("fk_response_values_response_id_response"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_response_values")),
        sa.UniqueConstraint("response_id", name=op.f("uq_response_values_response_id")),
    )
    _backfill(op.get_bind())


def _backfill(connection) -> None:
    """The existing complete responses, from their first-entry answers and their stored scores."""
    rows = _value_rows(connection)
    table = sa.table(
        "response_values",
        sa.column("id", sa.Integer),
        sa.column("response_id", sa.Integer),
        sa.column("item_codes", sa.Text),
        sa.column("item_values", sa.Text),
        sa.column("score_codes", sa.Text),
        sa.column("score_values", sa.Text),
    )
    for start in range(0, len(rows), BATCH):
        connection.execute(table.insert(), rows[start : start + BATCH])
    if connection.dialect.name == "postgresql" and rows:
        connection.execute(
            sa.text("SELECT setval(pg_get_serial_sequence('response_values', 'id'), :next, false)"),
            {"next": len(rows) + 1},
        )


def _value_rows(connection) -> list[dict]:
    """The rows for the existing complete responses (this revision's text format)."""
    scored = defaultdict(list)  # instrument id -> (item id, code) of its scored items
    for instrument_id, item_id, code in connection.execute(
        sa.text(
            "SELECT instrument_id, id, code FROM instrument_item "
            "WHERE subscale_code IS NOT NULL AND item_type IN ('likert', 'number') ORDER BY position, id"
        )
    ):
        scored[instrument_id].append((item_id, code))
    responses = connection.execute(
        sa.text(
            "SELECT response.id, administration.instrument_id FROM response "
            "JOIN administration ON administration.id = response.administration_id "
            "WHERE response.status = 'complete' ORDER BY response.id"
        )
    ).all()
    numbers = defaultdict(dict)
    for response_id, item_id, value in connection.execute(
        sa.text(
            "SELECT answer.response_id, answer.item_id, answer.value_number FROM answer "
            "JOIN response ON response.id = answer.response_id "
            "WHERE answer.entry = 1 AND response.status = 'complete'"
        )
    ):
        numbers[response_id][item_id] = value
    scores = defaultdict(list)  # response id -> (scale code, score), in the stored order
    for response_id, code, score in connection.execute(
        sa.text("SELECT response_id, subscale_code, score FROM response_score ORDER BY response_id, id")
    ):
        scores[response_id].append((code, score))
    rows = []
    for number, (response_id, instrument_id) in enumerate(responses, start=1):
        found = numbers[response_id]
        values = [found.get(item_id) for item_id, _code in scored[instrument_id]]
        rows.append(
            {
                "id": number,
                "response_id": response_id,
                # The format of ResponseValues.encode (space-separated; "nan" = unanswered).
                "item_codes": " ".join(code for _item_id, code in scored[instrument_id]),
                "item_values": _numbers(values),
                "score_codes": " ".join(code for code, _score in scores[response_id]),
                "score_values": _numbers(score for _code, score in scores[response_id]),
            }
        )
    return rows


def _numbers(values) -> str:
    return " ".join("nan" if value is None else repr(float(value)) for value in values)


def downgrade():
    op.drop_table("response_values")
