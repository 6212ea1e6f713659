"""estimated progress: a run's rows_total may be an estimate while its source is read

Revision ID: 0008
Revises: 0007

- `runs.rows_total_estimated`: the total beside rows_done is the source's previous run's rows (or, for a CSV source,
  extrapolated from the share of its files read) rather than a COUNT(*) over the query; the read's end makes it
  exact.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # A plain ADD COLUMN with a constant default: SQLite adds it in place.
    op.add_column("runs", sa.Column("rows_total_estimated", sa.Boolean(), server_default=sa.false(), nullable=False))


def downgrade() -> None:
    with op.batch_alter_table("runs", schema=None) as batch_op:
        batch_op.drop_column("rows_total_estimated")
