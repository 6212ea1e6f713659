"""the xref-gap workbench: item codes mapped in potrack (one per source and code), and an index of the lines
without a part id (a few percent of them) for the gaps' lines and open value

Revision ID: 0006
Revises: 0005
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "xref_mappings",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("source", sa.String(length=100), nullable=False),
        sa.Column("item_code", sa.String(length=64), nullable=False),
        sa.Column("internal_part_id", sa.String(length=64), nullable=False),
        sa.Column("mapped_by", sa.String(length=100), nullable=False),
        sa.Column("mapped_at", sa.DateTime(), nullable=False),
        sa.Column("erp_part_id", sa.String(length=64), nullable=True),
        sa.Column("erp_checked_run_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["erp_checked_run_id"], ["runs.id"], name=op.f("fk_xref_mappings_erp_checked_run_id_runs")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_xref_mappings")),
        sa.UniqueConstraint("source", "item_code", name=op.f("uq_xref_mappings_source_item_code")),
    )
    unmapped = sa.text("internal_part_id IS NULL")
    # Not in a batch: on SQLite that could copy po_lines, and an index needs no copy anywhere.
    op.create_index(
        "ix_po_lines_unmapped",
        "po_lines",
        ["source", "item_code"],
        unique=False,
        sqlite_where=unmapped,
        postgresql_where=unmapped,
        mssql_where=unmapped,
    )


def downgrade() -> None:
    op.drop_index("ix_po_lines_unmapped", table_name="po_lines")
    op.drop_table("xref_mappings")
