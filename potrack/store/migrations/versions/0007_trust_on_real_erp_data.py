"""trust on real ERP data: run notes and accepted removals, where a failed row sits in its source, lines whose
received quantity fell, custom columns under their normalised (lower-case) names

Revision ID: 0007
Revises: 0006

- `runs.notes`: what a run says once about its source (a column ignored, fields the source does not provide).
- `runs.accept_removals`: the run may remove more of the source's lines than its max_removed_fraction.
- `failed_rows.location`: a CSV file's name and line, so the row can be found in the file.
- `po_lines.received_decreased`: set once quantity_received fell; the batch-sum check skips those lines. Filled
  from the stored change events.
- Change events of custom columns take the column's lower-case name, as runs now write them (the stored custom
  values are read under lower-case names).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def _mark_lines_whose_received_fell() -> None:
    lines = sa.table(
        "po_lines",
        sa.column("source", sa.String),
        sa.column("po_number", sa.String),
        sa.column("line_number", sa.Integer),
        sa.column("received_decreased", sa.Boolean),
    )
    events = sa.table(
        "change_events",
        sa.column("source", sa.String),
        sa.column("po_number", sa.String),
        sa.column("line_number", sa.Integer),
        sa.column("kind", sa.String),
        sa.column("field", sa.String),
        sa.column("old_value", sa.String),
        sa.column("new_value", sa.String),
    )
    # SQL Server may evaluate the cast before the field test: TRY_CAST there, so another field's text cannot fail it.
    cast = sa.try_cast if op.get_context().dialect.name == "mssql" else sa.cast
    fell = (
        sa.select(sa.literal(1))
        .select_from(events)
        .where(
            events.c.source == lines.c.source,
            events.c.po_number == lines.c.po_number,
            events.c.line_number == lines.c.line_number,
            events.c.kind == "changed",
            events.c.field == "quantity_received",
            cast(events.c.new_value, sa.Float) < cast(events.c.old_value, sa.Float),
        )
    )
    op.execute(lines.update().where(fell.exists()).values(received_decreased=sa.true()))


def upgrade() -> None:
    # Plain ADD COLUMN everywhere (no batch: SQLite adds a column with a constant default in place, so a store
    # with millions of lines is not copied).
    op.add_column("runs", sa.Column("notes", sa.Text(), nullable=True))
    op.add_column("runs", sa.Column("accept_removals", sa.Boolean(), server_default=sa.false(), nullable=False))
    op.add_column("failed_rows", sa.Column("location", sa.String(length=300), nullable=True))
    op.add_column("po_lines", sa.Column("received_decreased", sa.Boolean(), server_default=sa.false(), nullable=False))
    _mark_lines_whose_received_fell()
    events = sa.table("change_events", sa.column("field", sa.String))
    op.execute(
        events.update()
        .where(events.c.field != sa.func.lower(events.c.field))
        .values(field=sa.func.lower(events.c.field))
    )


def downgrade() -> None:
    with op.batch_alter_table("po_lines", schema=None) as batch_op:
        batch_op.drop_column("received_decreased")
    with op.batch_alter_table("failed_rows", schema=None) as batch_op:
        batch_op.drop_column("location")
    with op.batch_alter_table("runs", schema=None) as batch_op:
        batch_op.drop_column("accept_removals")
        batch_op.drop_column("notes")
