"""Read queries the pages and the API go through (no SQL in callbacks)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import sqlalchemy as sa

from potrack.store.models import Run


@dataclass(frozen=True)
class RunRow:
    """One run as listed in the run history."""

    id: int
    source: str
    trigger: str
    status: str
    baseline: bool
    queued_at: dt.datetime
    duration_s: float | None
    lines_processed: int
    lines_new: int
    lines_changed: int
    lines_removed: int
    change_events: int
    batches_reconstructed: int
    xref_gaps: int
    errors: int
    error: str | None


def recent_runs(conn: sa.Connection, limit: int = 50) -> list[RunRow]:
    """The newest runs first."""
    cols = [getattr(Run, f) for f in RunRow.__dataclass_fields__]
    rows = conn.execute(sa.select(*cols).order_by(Run.id.desc()).limit(limit)).all()
    return [RunRow(*r) for r in rows]
