"""uploads and subscribers: snapshot files uploaded from the dashboard, and the outbox of events for subscribers

Revision ID: 0009
Revises: 0008

- `uploads`: a file an operator uploaded for a source (its name, size, SHA-256, data rows, who and when).
- `runs.upload_id`: the upload a run reads instead of the source's path (an upload run and its retries).
- `event_deliveries`: one event, or one page of a large one, for one subscriber; claimed once, at most one per
  subscriber, topic, run and page. `event_delivery_attempts`: every attempt to deliver one.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "uploads",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("source", sa.String(length=100), nullable=False),
        sa.Column("file_name", sa.String(length=255), nullable=False),
        sa.Column("size_bytes", sa.BigInteger(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("rows_total", sa.Integer(), nullable=False),
        sa.Column("uploaded_by", sa.String(length=100), nullable=False),
        sa.Column("uploaded_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_uploads")),
    )
    with op.batch_alter_table("uploads", schema=None) as batch_op:
        batch_op.create_index("ix_uploads_source_sha256", ["source", "sha256"], unique=False)
    if op.get_bind().dialect.name == "sqlite":
        # SQLite adds a nullable column with its REFERENCES clause in place; batch mode would rebuild `runs`,
        # dropping a table other tables refer to.
        op.execute(
            "ALTER TABLE runs ADD COLUMN upload_id INTEGER CONSTRAINT fk_runs_upload_id_uploads REFERENCES uploads (id)"
        )
    else:
        op.add_column("runs", sa.Column("upload_id", sa.Integer(), nullable=True))
        op.create_foreign_key(op.f("fk_runs_upload_id_uploads"), "runs", "uploads", ["upload_id"], ["id"])
    op.create_index("ix_runs_upload", "runs", ["upload_id"], unique=False)
    op.create_table(
        "event_deliveries",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("subscriber", sa.String(length=100), nullable=False),
        sa.Column("topic", sa.String(length=40), nullable=False),
        sa.Column("source", sa.String(length=100), nullable=False),
        sa.Column("run_id", sa.Integer(), nullable=False),
        sa.Column("page", sa.Integer(), nullable=False),
        sa.Column("pages", sa.Integer(), nullable=False),
        sa.Column("state", sa.String(length=10), nullable=False),
        sa.Column("payload", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("claimed_at", sa.DateTime(), nullable=True),
        sa.Column("finished_at", sa.DateTime(), nullable=True),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("last_error", sa.String(length=1000), nullable=True),
        sa.ForeignKeyConstraint(["run_id"], ["runs.id"], name=op.f("fk_event_deliveries_run_id_runs")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_event_deliveries")),
    )
    with op.batch_alter_table("event_deliveries", schema=None) as batch_op:
        batch_op.create_index("ix_event_deliveries_state", ["state", "created_at"], unique=False)
        batch_op.create_index("ix_event_deliveries_subscriber", ["subscriber", "created_at"], unique=False)
        batch_op.create_index("ux_event_deliveries_once", ["subscriber", "topic", "run_id", "page"], unique=True)
    op.create_table(
        "event_delivery_attempts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("delivery_id", sa.Integer(), nullable=False),
        sa.Column("attempt", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.Column("ok", sa.Boolean(), nullable=False),
        sa.Column("error", sa.String(length=1000), nullable=True),
        sa.Column("duration_ms", sa.Float(), nullable=False),
        sa.ForeignKeyConstraint(
            ["delivery_id"],
            ["event_deliveries.id"],
            name=op.f("fk_event_delivery_attempts_delivery_id_event_deliveries"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_event_delivery_attempts")),
    )
    with op.batch_alter_table("event_delivery_attempts", schema=None) as batch_op:
        batch_op.create_index("ix_event_delivery_attempts_delivery", ["delivery_id"], unique=False)


def downgrade() -> None:
    op.drop_table("event_delivery_attempts")
    op.drop_table("event_deliveries")
    with op.batch_alter_table("runs", schema=None) as batch_op:
        batch_op.drop_index("ix_runs_upload")
        batch_op.drop_constraint(op.f("fk_runs_upload_id_uploads"), type_="foreignkey")
        batch_op.drop_column("upload_id")
    op.drop_table("uploads")
