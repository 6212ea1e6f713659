"""several app instances on one store: leases, the instance that claimed a run, one running run per source

Revision ID: 0005
Revises: 0004

- `leases`: the scheduler's leadership and each app instance's sign of life (see potrack/store/leases.py).
- `runs.claimed_by`: the instance executing a run, so its runs are abandoned as soon as it is known dead.
- `ux_runs_one_running_per_source`: a unique index filtered to running runs; the store, not a process's
  memory, keeps two runs of one source from executing together. A store that an older version left with two
  running runs of one source keeps the newest running; the others are marked abandoned first.
- `alerts.firing_key`: its unique constraint becomes a unique index filtered to non-NULL keys, because
  SQL Server's unique constraints admit a single NULL (every resolved alert has one).
"""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

RUNNING = sa.text("status = 'running'")
FIRING = sa.text("firing_key IS NOT NULL")


def _filtered(where: sa.TextClause) -> dict[str, sa.TextClause]:
    """The same index filter for every dialect that has filtered indexes."""
    return {"sqlite_where": where, "postgresql_where": where, "mssql_where": where}


def _abandon_extra_running_runs() -> None:
    """Before the index: of several running runs of one source, all but the newest are abandoned."""
    runs = sa.table(
        "runs",
        sa.column("id", sa.Integer),
        sa.column("source", sa.String),
        sa.column("status", sa.String),
        sa.column("finished_at", sa.DateTime),
        sa.column("error", sa.String),
    )
    other = runs.alias("other")
    newer_running = sa.select(other.c.id).where(
        other.c.source == runs.c.source, other.c.status == "running", other.c.id > runs.c.id
    )
    op.execute(
        runs.update()
        .where(runs.c.status == "running", newer_running.exists())
        .values(
            status="abandoned",
            finished_at=dt.datetime.now(dt.UTC).replace(tzinfo=None, microsecond=0),
            error="Abandoned by the upgrade to one running run per source",
        )
    )


def upgrade() -> None:
    op.create_table(
        "leases",
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("holder", sa.String(length=200), nullable=False),
        sa.Column("acquired_at", sa.DateTime(), nullable=False),
        sa.Column("renewed_at", sa.DateTime(), nullable=False),
        sa.Column("expires_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_leases")),
    )
    _abandon_extra_running_runs()
    with op.batch_alter_table("runs", schema=None) as batch_op:
        batch_op.add_column(sa.Column("claimed_by", sa.String(length=200), nullable=True))
        batch_op.create_index("ux_runs_one_running_per_source", ["source"], unique=True, **_filtered(RUNNING))
    with op.batch_alter_table("alerts", schema=None) as batch_op:
        batch_op.drop_constraint("uq_alerts_firing_key", type_="unique")
        batch_op.create_index("ux_alerts_firing_key", ["firing_key"], unique=True, **_filtered(FIRING))


def downgrade() -> None:
    with op.batch_alter_table("alerts", schema=None) as batch_op:
        batch_op.drop_index("ux_alerts_firing_key", **_filtered(FIRING))
        batch_op.create_unique_constraint("uq_alerts_firing_key", ["firing_key"])
    with op.batch_alter_table("runs", schema=None) as batch_op:
        batch_op.drop_index("ux_runs_one_running_per_source", **_filtered(RUNNING))
        batch_op.drop_column("claimed_by")
    op.drop_table("leases")
