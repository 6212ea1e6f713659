"""Run bookkeeping: queue, claim, progress, attempts, failed rows, finish, abandon."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import asdict, dataclass
from typing import Any, Iterable

import sqlalchemy as sa

from potrack.clock import utcnow
from potrack.store import audit
from potrack.store.models import FailedRow, RetryAttempt, Run

ABANDON_AFTER = dt.timedelta(minutes=5)


@dataclass
class RunMetrics:
    """The counts a finished run reports (names match the CLI's --json output)."""

    lines_processed: int = 0
    lines_new: int = 0
    lines_changed: int = 0
    lines_removed: int = 0
    change_events: int = 0
    batches_reconstructed: int = 0
    custom_values: int = 0
    xref_gaps: int = 0
    errors: int = 0
    retry_attempts: int = 0

    def as_dict(self) -> dict[str, int]:
        return asdict(self)


@dataclass(frozen=True)
class Rejection:
    """A rejected source row: where, which key, its raw data and why."""

    stage: str
    row_key: str | None
    raw: dict[str, Any]
    error: str


def queue_run(
    conn: sa.Connection, source: str, trigger: str, *, baseline: bool = False,
    requested_by: str | None = None, retry_of: int | None = None,
) -> int:
    """Insert a queued run and return its id."""
    result = conn.execute(
        sa.insert(Run).values(
            source=source, trigger=trigger, baseline=baseline, requested_by=requested_by,
            retry_of=retry_of, status="queued", queued_at=utcnow(),
        ).returning(Run.id)
    )
    return int(result.scalar_one())


def claim_run(engine: sa.Engine, run_id: int) -> bool:
    """Move a queued run to running; False when someone else took it first."""
    now = utcnow()
    with engine.begin() as conn:
        result = conn.execute(
            sa.update(Run).where(Run.id == run_id, Run.status == "queued")
            .values(status="running", started_at=now, heartbeat_at=now, stage="extract", rows_done=0)
        )
    return result.rowcount == 1


def update_progress(engine: sa.Engine, run_id: int, stage: str, rows_done: int, rows_total: int | None) -> None:
    """Record the stage and row counts of a running run, and beat its heart."""
    with engine.begin() as conn:
        conn.execute(
            sa.update(Run).where(Run.id == run_id, Run.status == "running")
            .values(stage=stage, rows_done=rows_done, rows_total=rows_total, heartbeat_at=utcnow())
        )


def mark_baseline(engine: sa.Engine, run_id: int) -> None:
    """Record that a run is a baseline (a source's first run is one)."""
    with engine.begin() as conn:
        conn.execute(sa.update(Run).where(Run.id == run_id).values(baseline=True))


def heartbeat(engine: sa.Engine, run_id: int) -> None:
    """Show that a running run is alive even when no row has arrived for a while."""
    with engine.begin() as conn:
        conn.execute(sa.update(Run).where(Run.id == run_id, Run.status == "running").values(heartbeat_at=utcnow()))


def record_attempt(
    engine: sa.Engine, run_id: int, attempt: int, error: str, transient: bool, wait_s: float | None
) -> None:
    """Store one failed extract attempt at once, outside the run's data transaction."""
    with engine.begin() as conn:
        conn.execute(
            sa.insert(RetryAttempt).values(
                run_id=run_id, attempt=attempt, error=error[:1000], transient=transient, wait_s=wait_s, at=utcnow()
            )
        )


def save_failed_rows(conn: sa.Connection, run_id: int, source: str, rejections: Iterable[Rejection]) -> None:
    """Store rejected rows with their raw data."""
    rows = [
        {
            "run_id": run_id, "source": source, "stage": r.stage, "row_key": r.row_key,
            "raw_data": json.dumps(r.raw, default=str, sort_keys=True), "error": r.error[:1000], "retry_count": 0,
        }
        for r in rejections
    ]
    for start in range(0, len(rows), 1000):
        conn.execute(sa.insert(FailedRow), rows[start : start + 1000])


def finish_run(
    conn: sa.Connection, run_id: int, status: str, metrics: RunMetrics, started_at: dt.datetime,
    *, error: str | None = None, error_stage: str | None = None,
) -> float:
    """Write a run's outcome and metrics; returns its duration in seconds."""
    finished = utcnow()
    duration = round((finished - started_at).total_seconds(), 3)
    conn.execute(
        sa.update(Run).where(Run.id == run_id).values(
            status=status, finished_at=finished, duration_s=duration, stage=None, heartbeat_at=finished,
            error=error, error_stage=error_stage, **metrics.as_dict(),
        )
    )
    return duration


def record_check_problems(engine: sa.Engine, run_id: int, problems: list[str]) -> None:
    """Attach consistency-check findings to a finished run."""
    with engine.begin() as conn:
        conn.execute(sa.update(Run).where(Run.id == run_id).values(check_problems="\n".join(problems)))


def abandon_stale_runs(engine: sa.Engine, older_than: dt.timedelta = ABANDON_AFTER) -> list[int]:
    """Mark running runs whose heartbeat stopped as abandoned, one audit event each."""
    cutoff = utcnow() - older_than
    with engine.connect() as conn:
        candidates = conn.execute(
            sa.select(Run.id, Run.source).where(Run.status == "running", Run.heartbeat_at < cutoff)
        ).all()
    abandoned = []
    for run_id, source in candidates:
        with engine.begin() as conn:
            taken = conn.execute(
                sa.update(Run).where(Run.id == run_id, Run.status == "running", Run.heartbeat_at < cutoff)
                .values(status="abandoned", finished_at=utcnow(), stage=None,
                        error="Abandoned: no heartbeat for over 5 minutes (the process running it stopped)")
            ).rowcount
            if taken:
                audit.record(conn, "ingestion_abandoned", f"Run #{run_id} of {source} was abandoned: its heartbeat stopped",
                             severity="error", source=source, run_id=run_id)
                abandoned.append(run_id)
    return abandoned
