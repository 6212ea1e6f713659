"""Each source's last runs, newest last, for the Overview's strip of outcomes: one query for every source.

Row retries are left out: they re-read a few rejected rows, not a snapshot, and the strip (like the health verdict)
is about the source's snapshots. ROW_NUMBER() OVER (PARTITION BY ...) runs on SQLite 3.25+, PostgreSQL and SQL Server.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

import sqlalchemy as sa

from potrack.store.models import Run
from potrack.store.runs import SNAPSHOT

STRIP_RUNS = 30


@dataclass(frozen=True)
class StripRun:
    """One square of the strip: the run, how it ended (or that it is queued or running), when, how many lines."""

    id: int
    status: str
    baseline: bool
    queued_at: dt.datetime
    lines_processed: int


def last_runs(conn: sa.Connection, sources: Sequence[str], per_source: int = STRIP_RUNS) -> dict[str, list[StripRun]]:
    """The last `per_source` snapshot runs of each source (by id), oldest first; a source without runs maps to []."""
    rank = sa.func.row_number().over(partition_by=Run.source, order_by=Run.id.desc()).label("rank")
    ranked = (
        sa.select(Run.source, Run.id, Run.status, Run.baseline, Run.queued_at, Run.lines_processed, rank)
        .where(Run.source.in_(sources), SNAPSHOT)
        .subquery()
    )
    rows = conn.execute(
        sa.select(
            ranked.c.source,
            ranked.c.id,
            ranked.c.status,
            ranked.c.baseline,
            ranked.c.queued_at,
            ranked.c.lines_processed,
        )
        .where(ranked.c.rank <= per_source)
        .order_by(ranked.c.source, ranked.c.id)
    ).all()
    strips: dict[str, list[StripRun]] = {name: [] for name in sources}
    for source, *run in rows:
        strips[source].append(StripRun(*run))
    return strips
