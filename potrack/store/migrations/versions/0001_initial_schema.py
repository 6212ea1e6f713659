"""initial schema

Revision ID: 0001
Revises: none
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "runs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("source", sa.String(length=100), nullable=False),
        sa.Column("trigger", sa.String(length=20), nullable=False),
        sa.Column("retry_of", sa.Integer(), nullable=True),
        sa.Column("requested_by", sa.String(length=100), nullable=True),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("baseline", sa.Boolean(), nullable=False),
        sa.Column("queued_at", sa.DateTime(), nullable=False),
        sa.Column("started_at", sa.DateTime(), nullable=True),
        sa.Column("finished_at", sa.DateTime(), nullable=True),
        sa.Column("duration_s", sa.Float(), nullable=True),
        sa.Column("stage", sa.String(length=20), nullable=True),
        sa.Column("rows_done", sa.Integer(), nullable=False),
        sa.Column("rows_total", sa.Integer(), nullable=True),
        sa.Column("heartbeat_at", sa.DateTime(), nullable=True),
        sa.Column("lines_processed", sa.Integer(), nullable=False),
        sa.Column("lines_new", sa.Integer(), nullable=False),
        sa.Column("lines_changed", sa.Integer(), nullable=False),
        sa.Column("lines_removed", sa.Integer(), nullable=False),
        sa.Column("change_events", sa.Integer(), nullable=False),
        sa.Column("batches_reconstructed", sa.Integer(), nullable=False),
        sa.Column("custom_values", sa.Integer(), nullable=False),
        sa.Column("xref_gaps", sa.Integer(), nullable=False),
        sa.Column("errors", sa.Integer(), nullable=False),
        sa.Column("retry_attempts", sa.Integer(), nullable=False),
        sa.Column("error", sa.String(length=1000), nullable=True),
        sa.Column("error_stage", sa.String(length=20), nullable=True),
        sa.Column("check_problems", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(["retry_of"], ["runs.id"], name=op.f("fk_runs_retry_of_runs")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_runs")),
    )
    with op.batch_alter_table("runs", schema=None) as batch_op:
        batch_op.create_index("ix_runs_source_queued", ["source", "queued_at"], unique=False)
        batch_op.create_index("ix_runs_status", ["status"], unique=False)

    op.create_table(
        "audit_events",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.Column("severity", sa.String(length=10), nullable=False),
        sa.Column("event_type", sa.String(length=50), nullable=False),
        sa.Column("source", sa.String(length=100), nullable=True),
        sa.Column("run_id", sa.Integer(), nullable=True),
        sa.Column("actor", sa.String(length=100), nullable=False),
        sa.Column("message", sa.String(length=1000), nullable=False),
        sa.Column("details", sa.JSON(), nullable=True),
        sa.ForeignKeyConstraint(["run_id"], ["runs.id"], name=op.f("fk_audit_events_run_id_runs")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_events")),
    )
    with op.batch_alter_table("audit_events", schema=None) as batch_op:
        batch_op.create_index("ix_audit_events_at", ["at"], unique=False)

    op.create_table(
        "change_events",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("run_id", sa.Integer(), nullable=False),
        sa.Column("source", sa.String(length=100), nullable=False),
        sa.Column("po_number", sa.String(length=64), nullable=False),
        sa.Column("line_number", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=10), nullable=False),
        sa.Column("field", sa.String(length=64), nullable=True),
        sa.Column("old_value", sa.String(length=1000), nullable=True),
        sa.Column("new_value", sa.String(length=1000), nullable=True),
        sa.ForeignKeyConstraint(["run_id"], ["runs.id"], name=op.f("fk_change_events_run_id_runs")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_change_events")),
    )
    with op.batch_alter_table("change_events", schema=None) as batch_op:
        batch_op.create_index("ix_change_events_line", ["source", "po_number", "line_number"], unique=False)
        batch_op.create_index("ix_change_events_run", ["run_id"], unique=False)

    op.create_table(
        "failed_rows",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("run_id", sa.Integer(), nullable=False),
        sa.Column("source", sa.String(length=100), nullable=False),
        sa.Column("stage", sa.String(length=20), nullable=False),
        sa.Column("row_key", sa.String(length=200), nullable=True),
        sa.Column("raw_data", sa.Text(), nullable=False),
        sa.Column("error", sa.String(length=1000), nullable=False),
        sa.Column("retry_count", sa.Integer(), nullable=False),
        sa.Column("resolved_at", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(["run_id"], ["runs.id"], name=op.f("fk_failed_rows_run_id_runs")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_failed_rows")),
    )
    with op.batch_alter_table("failed_rows", schema=None) as batch_op:
        batch_op.create_index("ix_failed_rows_run", ["run_id"], unique=False)
        batch_op.create_index("ix_failed_rows_source_resolved", ["source", "resolved_at"], unique=False)

    op.create_table(
        "po_lines",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("source", sa.String(length=100), nullable=False),
        sa.Column("po_number", sa.String(length=64), nullable=False),
        sa.Column("line_number", sa.Integer(), nullable=False),
        sa.Column("item_code", sa.String(length=64), nullable=False),
        sa.Column("supplier_code", sa.String(length=64), nullable=False),
        sa.Column("description", sa.String(length=400), nullable=True),
        sa.Column("uom", sa.String(length=20), nullable=True),
        sa.Column("quantity_ordered", sa.Float(), nullable=False),
        sa.Column("quantity_received", sa.Float(), nullable=False),
        sa.Column("unit_price", sa.Float(), nullable=False),
        sa.Column("currency", sa.String(length=8), nullable=True),
        sa.Column("order_date", sa.Date(), nullable=True),
        sa.Column("promised_date", sa.Date(), nullable=False),
        sa.Column("need_by_date", sa.Date(), nullable=True),
        sa.Column("status", sa.String(length=32), nullable=False),
        sa.Column("buyer", sa.String(length=64), nullable=True),
        sa.Column("plant", sa.String(length=64), nullable=True),
        sa.Column("internal_part_id", sa.String(length=64), nullable=True),
        sa.Column("custom", sa.JSON(), nullable=True),
        sa.Column("digest", sa.BigInteger(), nullable=False),
        sa.Column("first_seen_run_id", sa.Integer(), nullable=False),
        sa.Column("last_changed_run_id", sa.Integer(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(["first_seen_run_id"], ["runs.id"], name=op.f("fk_po_lines_first_seen_run_id_runs")),
        sa.ForeignKeyConstraint(
            ["last_changed_run_id"], ["runs.id"], name=op.f("fk_po_lines_last_changed_run_id_runs")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_po_lines")),
        sa.UniqueConstraint(
            "source", "po_number", "line_number", name=op.f("uq_po_lines_source_po_number_line_number")
        ),
    )
    op.create_table(
        "receipt_batches",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("run_id", sa.Integer(), nullable=False),
        sa.Column("source", sa.String(length=100), nullable=False),
        sa.Column("po_number", sa.String(length=64), nullable=False),
        sa.Column("line_number", sa.Integer(), nullable=False),
        sa.Column("quantity", sa.Float(), nullable=False),
        sa.Column("cumulative_received", sa.Float(), nullable=False),
        sa.Column("received_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["run_id"], ["runs.id"], name=op.f("fk_receipt_batches_run_id_runs")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_receipt_batches")),
    )
    with op.batch_alter_table("receipt_batches", schema=None) as batch_op:
        batch_op.create_index("ix_receipt_batches_line", ["source", "po_number", "line_number"], unique=False)
        batch_op.create_index("ix_receipt_batches_run", ["run_id"], unique=False)

    op.create_table(
        "retry_attempts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("run_id", sa.Integer(), nullable=False),
        sa.Column("attempt", sa.Integer(), nullable=False),
        sa.Column("error", sa.String(length=1000), nullable=False),
        sa.Column("transient", sa.Boolean(), nullable=False),
        sa.Column("wait_s", sa.Float(), nullable=True),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["run_id"], ["runs.id"], name=op.f("fk_retry_attempts_run_id_runs")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_retry_attempts")),
    )
    with op.batch_alter_table("retry_attempts", schema=None) as batch_op:
        batch_op.create_index("ix_retry_attempts_run", ["run_id"], unique=False)

    op.create_table(
        "unmapped_codes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("run_id", sa.Integer(), nullable=False),
        sa.Column("item_code", sa.String(length=64), nullable=False),
        sa.Column("line_count", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["run_id"], ["runs.id"], name=op.f("fk_unmapped_codes_run_id_runs")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_unmapped_codes")),
        sa.UniqueConstraint("run_id", "item_code", name=op.f("uq_unmapped_codes_run_id_item_code")),
    )


def downgrade() -> None:
    op.drop_table("unmapped_codes")
    with op.batch_alter_table("retry_attempts", schema=None) as batch_op:
        batch_op.drop_index("ix_retry_attempts_run")

    op.drop_table("retry_attempts")
    with op.batch_alter_table("receipt_batches", schema=None) as batch_op:
        batch_op.drop_index("ix_receipt_batches_run")
        batch_op.drop_index("ix_receipt_batches_line")

    op.drop_table("receipt_batches")
    op.drop_table("po_lines")
    with op.batch_alter_table("failed_rows", schema=None) as batch_op:
        batch_op.drop_index("ix_failed_rows_source_resolved")
        batch_op.drop_index("ix_failed_rows_run")

    op.drop_table("failed_rows")
    with op.batch_alter_table("change_events", schema=None) as batch_op:
        batch_op.drop_index("ix_change_events_run")
        batch_op.drop_index("ix_change_events_line")

    op.drop_table("change_events")
    with op.batch_alter_table("audit_events", schema=None) as batch_op:
        batch_op.drop_index("ix_audit_events_at")

    op.drop_table("audit_events")
    with op.batch_alter_table("runs", schema=None) as batch_op:
        batch_op.drop_index("ix_runs_status")
        batch_op.drop_index("ix_runs_source_queued")

    op.drop_table("runs")
