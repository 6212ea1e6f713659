"""Runs for tests: as the run-history reads return them (built in memory), or queued straight into a store."""

from __future__ import annotations

import datetime as dt
from typing import Any

import sqlalchemy as sa

from potrack.clock import utcnow
from potrack.store.models import Run
from potrack.store.run_history import RunRow

T0 = dt.datetime(2026, 11, 1, 2, 0, tzinfo=dt.UTC)


def listed_run(**values: Any) -> RunRow:
    """A RunRow of a successful scheduled demo run of 10 lines, queued, started and finished at `at` (default T0);
    keyword arguments override any field (`at` sets the three times at once)."""
    at = values.pop("at", T0)
    row: dict[str, Any] = {
        "id": 1,
        "source": "demo",
        "trigger": "schedule",
        "status": "success",
        "baseline": False,
        "retry_of": None,
        "requested_by": None,
        "queued_at": at,
        "started_at": at,
        "finished_at": at,
        "duration_s": 1.0,
        "stage": None,
        "rows_done": 0,
        "rows_total": None,
        "rows_total_estimated": False,
        "lines_processed": 10,
        "lines_new": 0,
        "lines_changed": 0,
        "lines_removed": 0,
        "change_events": 0,
        "batches_reconstructed": 0,
        "xref_gaps": 0,
        "errors": 0,
        "retry_attempts": 0,
        "error": None,
        "error_stage": None,
    }
    row.update(values)
    return RunRow(**row)


def queue_run(
    conn: sa.Connection,
    source: str,
    trigger: str,
    *,
    baseline: bool = False,
    requested_by: str | None = None,
    retry_of: int | None = None,
) -> int:
    """Insert a queued run and return its id (no check for an active run: potrack itself queues through
    queue_run_unless_active)."""
    result = conn.execute(
        sa.insert(Run)
        .values(
            source=source,
            trigger=trigger,
            baseline=baseline,
            requested_by=requested_by,
            retry_of=retry_of,
            status="queued",
            queued_at=utcnow(),
        )
        .returning(Run.id)
    )
    return int(result.scalar_one())
