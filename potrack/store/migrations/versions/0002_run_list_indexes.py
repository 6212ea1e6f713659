"""indexes for the run list and trends at 100,000 runs

Revision ID: 0002
Revises: 0001

The monitor lists runs newest first, filtered by date, status and source, and the trends count
outcomes per day: each of those reads one of these indexes (covering the status) instead of the table.
"""

from __future__ import annotations

from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("runs", schema=None) as batch_op:
        batch_op.drop_index("ix_runs_status")
        batch_op.drop_index("ix_runs_source_queued")
        batch_op.create_index("ix_runs_queued_status", ["queued_at", "status"], unique=False)
        batch_op.create_index("ix_runs_status_queued", ["status", "queued_at"], unique=False)
        batch_op.create_index("ix_runs_source_queued_status", ["source", "queued_at", "status"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("runs", schema=None) as batch_op:
        batch_op.drop_index("ix_runs_source_queued_status")
        batch_op.drop_index("ix_runs_status_queued")
        batch_op.drop_index("ix_runs_queued_status")
        batch_op.create_index("ix_runs_source_queued", ["source", "queued_at"], unique=False)
        batch_op.create_index("ix_runs_status", ["status"], unique=False)
