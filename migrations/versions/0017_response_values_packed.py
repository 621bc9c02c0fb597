"""response values as packed numbers: float64 bytes instead of space-separated text

Revision ID: 0017
Revises: 0016
Create Date: 2026-11-28 00:10:00

The evaluation reads every response's numbers for the whole country; parsing 900,000 numbers
from text took 0.15-0.2 s of a 1 s page. Packed little-endian float64 (NaN for missing, as "nan"
was) is read as one numpy array without parsing.
"""

import numpy as np
import sqlalchemy as sa
from alembic import op

revision = "0017"
down_revision = "0016"
branch_labels = None
depends_on = None

BATCH = 5000
DTYPE = "<f8"
PAIRS = (("item_values", "item_numbers"), ("score_values", "score_numbers"))


def pack(text: str) -> bytes:
    """0016's text ("4.0 nan 3.5") -> the packed numbers."""
    numbers = [float(word) for word in text.split()] if text else []
    return np.array(numbers, dtype=DTYPE).tobytes()


def unpack(blob: bytes) -> str:
    return " ".join("nan" if np.isnan(value) else repr(float(value)) for value in np.frombuffer(blob, DTYPE))


def _convert(connection, sources: tuple[str, str], targets: tuple[str, str], convert) -> None:
    table = sa.table("response_values", sa.column("id"), *(sa.column(name) for name in (*sources, *targets)))
    rows = connection.execute(sa.select(table.c.id, *(table.c[name] for name in sources))).all()
    update = (
        table.update()
        .where(table.c.id == sa.bindparam("row_id"))
        .values({target: sa.bindparam(f"new_{target}") for target in targets})
    )
    for start in range(0, len(rows), BATCH):
        connection.execute(
            update,
            [
                {"row_id": row[0], **{f"new_{t}": convert(row[1 + n]) for n, t in enumerate(targets)}}
                for row in rows[start : start + BATCH]
            ],
        )


def upgrade():
    with op.batch_alter_table("response_values") as batch_op:
        for _text, packed in PAIRS:
            batch_op.add_column(sa.Column(packed, sa.LargeBinary(), nullable=True))
    _convert(op.get_bind(), ("item_values", "score_values"), ("item_numbers", "score_numbers"), pack)
    with op.batch_alter_table("response_values") as batch_op:
        for text, packed in PAIRS:
            batch_op.alter_column(packed, existing_type=sa.LargeBinary(), nullable=False)
            batch_op.drop_column(text)


def downgrade():
    with op.batch_alter_table("response_values") as batch_op:
        for text, _packed in PAIRS:
            batch_op.add_column(sa.Column(text, sa.Text(), nullable=True))
    _convert(op.get_bind(), ("item_numbers", "score_numbers"), ("item_values", "score_values"), unpack)
    with op.batch_alter_table("response_values") as batch_op:
        for text, packed in PAIRS:
            batch_op.alter_column(text, existing_type=sa.Text(), nullable=False)
            batch_op.drop_column(packed)
