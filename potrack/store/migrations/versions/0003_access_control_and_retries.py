"""users, API tokens, login throttle, row-retry selections; audit_events made append-only by trigger

Revision ID: 0003
Revises: 0002

The audit log must be append-only for real, not only by convention: a trigger rejects UPDATE and
DELETE on audit_events. SQLite and PostgreSQL get it here. On SQL Server the equivalent is

    CREATE TRIGGER audit_events_append_only ON audit_events INSTEAD OF UPDATE, DELETE AS
    BEGIN THROW 51000, 'audit_events is append-only', 1; END
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

BigId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
APPEND_ONLY = "audit_events is append-only"
SQLITE_TRIGGERS = [
    f"CREATE TRIGGER audit_events_no_{verb.lower()} BEFORE {verb} ON audit_events "
    f"BEGIN SELECT RAISE(ABORT, '{APPEND_ONLY}'); END"
    for verb in ("UPDATE", "DELETE")
]
POSTGRES_TRIGGER = [
    f"""CREATE FUNCTION audit_events_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN RAISE EXCEPTION '{APPEND_ONLY}'; END $$""",
    """CREATE TRIGGER audit_events_append_only BEFORE UPDATE OR DELETE OR TRUNCATE ON audit_events
        FOR EACH STATEMENT EXECUTE FUNCTION audit_events_append_only()""",
]
MSSQL_TRIGGER = [
    f"""CREATE TRIGGER audit_events_append_only ON audit_events INSTEAD OF UPDATE, DELETE AS
        BEGIN THROW 51000, '{APPEND_ONLY}', 1; END""",
]


def upgrade() -> None:
    op.create_table(
        "users",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("role", sa.String(length=20), nullable=False),
        sa.Column("password_hash", sa.String(length=300), nullable=False),
        sa.Column("disabled", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_users")),
        sa.UniqueConstraint("name", name=op.f("uq_users_name")),
    )
    op.create_table(
        "api_tokens",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("role", sa.String(length=20), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("revoked_at", sa.DateTime(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_api_tokens")),
        sa.UniqueConstraint("name", name=op.f("uq_api_tokens_name")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_api_tokens_token_hash")),
    )
    op.create_table(
        "login_failures",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_name", sa.String(length=100), nullable=False),
        sa.Column("address", sa.String(length=64), nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_login_failures")),
    )
    with op.batch_alter_table("login_failures", schema=None) as batch_op:
        batch_op.create_index("ix_login_failures_name_address_at", ["user_name", "address", "at"], unique=False)
    with op.batch_alter_table("failed_rows", schema=None) as batch_op:
        batch_op.add_column(sa.Column("resolved_by_run_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("resolution", sa.String(length=200), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_failed_rows_resolved_by_run_id_runs"), "runs", ["resolved_by_run_id"], ["id"]
        )
    op.create_table(
        "row_retry_items",
        sa.Column("run_id", sa.Integer(), nullable=False),
        sa.Column("failed_row_id", BigId, nullable=False),
        sa.ForeignKeyConstraint(
            ["failed_row_id"], ["failed_rows.id"], name=op.f("fk_row_retry_items_failed_row_id_failed_rows")
        ),
        sa.ForeignKeyConstraint(["run_id"], ["runs.id"], name=op.f("fk_row_retry_items_run_id_runs")),
        sa.PrimaryKeyConstraint("run_id", "failed_row_id", name=op.f("pk_row_retry_items")),
    )
    for statement in {"sqlite": SQLITE_TRIGGERS, "postgresql": POSTGRES_TRIGGER, "mssql": MSSQL_TRIGGER}.get(
        op.get_bind().dialect.name, []
    ):
        op.execute(statement)


def downgrade() -> None:
    dialect = op.get_bind().dialect.name
    if dialect == "sqlite":
        op.execute("DROP TRIGGER audit_events_no_update")
        op.execute("DROP TRIGGER audit_events_no_delete")
    elif dialect == "postgresql":
        op.execute("DROP TRIGGER audit_events_append_only ON audit_events")
        op.execute("DROP FUNCTION audit_events_append_only()")
    elif dialect == "mssql":
        op.execute("DROP TRIGGER audit_events_append_only")
    op.drop_table("row_retry_items")
    with op.batch_alter_table("failed_rows", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_failed_rows_resolved_by_run_id_runs"), type_="foreignkey")
        batch_op.drop_column("resolution")
        batch_op.drop_column("resolved_by_run_id")
    with op.batch_alter_table("login_failures", schema=None) as batch_op:
        batch_op.drop_index("ix_login_failures_name_address_at")
    op.drop_table("login_failures")
    op.drop_table("api_tokens")
    op.drop_table("users")
