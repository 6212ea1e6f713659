"""Queueing recovery: retry a failed run, or retry rejected rows in a small row_retry run (each audited)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Iterable
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from potrack.rejection_words import PASSED, SUPERSEDED
from potrack.store import audit, uploads
from potrack.store.models import FailedRow, RowRetryItem, Run
from potrack.store.run_status import ACTIVE, RETRYABLE
from potrack.store.runs import queue_run_unless_active


class NotFound(LookupError):
    """The run or failed row asked for does not exist."""


class RetryRefused(Exception):
    """A retry that cannot be queued now, with the reason (HTTP 409 in the API)."""


@dataclass(frozen=True)
class QueuedRetry:
    """A retry run that was queued: its id, source and, for a row retry, how many rows it takes."""

    run_id: int
    source: str
    rows: int = 0


def _active_retry(conn: sa.Connection, run_id: int) -> int | None:
    return conn.execute(
        sa.select(Run.id).where(Run.retry_of == run_id, Run.status.in_(ACTIVE)).order_by(Run.id)
    ).scalar()


def queue_retry(engine: sa.Engine, run_id: int, actor: str) -> QueuedRetry:
    """Queue a retry (trigger retry, retry_of set) of a failed, partial or abandoned run that no retry has made
    good yet."""
    with engine.connect() as conn:
        row = conn.execute(
            sa.select(Run.source, Run.status, Run.baseline, Run.upload_id).where(Run.id == run_id)
        ).first()
        if row is None:
            raise NotFound(f"there is no run #{run_id}")
        if row.status not in RETRYABLE:
            raise RetryRefused(f"run #{run_id} is {row.status}: only a failed, partial or abandoned run can be retried")
        active = _active_retry(conn, run_id)
        made_good = successful_retries(conn, [run_id]).get(run_id)
    if active is not None:
        raise RetryRefused(f"run #{run_id} already has retry #{active} queued or running")
    if made_good is not None:
        raise RetryRefused(f"run #{run_id} was already retried successfully by run #{made_good}")

    def audited(conn: sa.Connection, new_id: int) -> None:
        if row.upload_id is not None:  # a retry of an upload run reads the same file again
            uploads.attach(conn, new_id, row.upload_id)
        audit.record(
            conn,
            "ingestion.retry",
            f"{actor} retried run #{run_id} of {row.source} as run #{new_id}",
            source=row.source,
            run_id=new_id,
            actor=actor,
            details={"original_run": run_id, "new_run": new_id},
        )

    new_id, queued = queue_run_unless_active(
        engine, row.source, "retry", requested_by=actor, retry_of=run_id, baseline=bool(row.baseline), on_queued=audited
    )
    if not queued:
        raise RetryRefused(f"{row.source} already has run #{new_id} queued or running; retry when it has finished")
    return QueuedRetry(new_id, row.source)


def _pending_row_retries(conn: sa.Connection, ids: list[int]) -> dict[int, int]:
    """failed row id → the queued or running row_retry run that already has it."""
    rows = conn.execute(
        sa.select(RowRetryItem.failed_row_id, Run.id)
        .join(Run, Run.id == RowRetryItem.run_id)
        .where(RowRetryItem.failed_row_id.in_(ids), Run.status.in_(ACTIVE))
    ).all()
    return {row_id: run for row_id, run in rows}


def queue_row_retry(engine: sa.Engine, failed_row_ids: Iterable[int], actor: str) -> list[QueuedRetry]:
    """Queue a row_retry run per source for these unresolved failed rows; refused as a whole if any cannot be."""
    ids = sorted(set(failed_row_ids))
    if not ids:
        raise RetryRefused("no failed rows were selected")
    with engine.connect() as conn:
        rows = conn.execute(
            sa.select(FailedRow.id, FailedRow.source, FailedRow.resolved_at).where(FailedRow.id.in_(ids))
        ).all()
        missing = sorted(set(ids) - {r.id for r in rows})
        if missing:
            raise NotFound(f"there is no failed row {', '.join(f'#{i}' for i in missing)}")
        resolved = [r.id for r in rows if r.resolved_at is not None]
        if resolved:
            raise RetryRefused(f"failed row {', '.join(f'#{i}' for i in resolved)} is already resolved")
        pending = _pending_row_retries(conn, ids)
    if pending:
        row_id, run_id = next(iter(sorted(pending.items())))
        raise RetryRefused(f"failed row #{row_id} is already being retried by run #{run_id}")
    by_source: dict[str, list[int]] = defaultdict(list)
    for r in rows:
        by_source[r.source].append(r.id)
    with engine.connect() as conn:  # refuse the whole selection before queueing any part of it
        for source in sorted(by_source):
            busy = conn.execute(
                sa.select(Run.id).where(Run.source == source, Run.status.in_(ACTIVE)).order_by(Run.id)
            ).scalar()
            if busy is not None:
                raise RetryRefused(f"{source} has run #{busy} queued or running; retry its rows when it has finished")
    queued = []
    for source, source_ids in sorted(by_source.items()):

        def select(conn: sa.Connection, new_id: int, source: str = source, source_ids: list[int] = source_ids) -> None:
            conn.execute(sa.insert(RowRetryItem), [{"run_id": new_id, "failed_row_id": i} for i in source_ids])
            audit.record(
                conn,
                "failed_rows.retry",
                f"{actor} retried {len(source_ids)} failed row(s) of {source} in run #{new_id}",
                source=source,
                run_id=new_id,
                actor=actor,
                details={"failed_rows": source_ids, "run": new_id},
            )

        run_id, ok = queue_run_unless_active(engine, source, "row_retry", requested_by=actor, on_queued=select)
        if not ok:
            raise RetryRefused(f"{source} has run #{run_id} queued or running; retry its rows when it has finished")
        queued.append(QueuedRetry(run_id, source, len(source_ids)))
    return queued


def unresolved_rows_of_run(conn: sa.Connection, run_id: int) -> list[int]:
    """The ids of a run's failed rows that are not resolved yet."""
    if conn.execute(sa.select(Run.id).where(Run.id == run_id)).first() is None:
        raise NotFound(f"there is no run #{run_id}")
    return list(
        conn.execute(
            sa.select(FailedRow.id)
            .where(FailedRow.run_id == run_id, FailedRow.resolved_at.is_(None))
            .order_by(FailedRow.id)
        ).scalars()
    )


@dataclass(frozen=True)
class RowRetryOutcome:
    """What a finished row retry did with the rows it took: written (they pass now), still failing, or superseded
    (a later snapshot already holds their line: resolved without writing them)."""

    written: int
    failing: int
    superseded: int

    def text(self) -> str:
        """'2 rows written, 1 still failing, 1 superseded'."""
        rows = "row" if self.written == 1 else "rows"
        return f"{self.written:,} {rows} written, {self.failing:,} still failing, {self.superseded:,} superseded"


def row_retry_outcomes(conn: sa.Connection, run_ids: Collection[int]) -> dict[int, RowRetryOutcome]:
    """Each of these row retries' outcome, as its failed rows record it (counted in SQL); runs that are not row
    retries are left out."""
    if not run_ids:
        return {}
    by_it = FailedRow.resolved_by_run_id == RowRetryItem.run_id

    def resolved(prefix: str) -> sa.ColumnElement[Any]:
        return sa.func.sum(sa.case((sa.and_(by_it, FailedRow.resolution.startswith(prefix)), 1), else_=0))

    rows = conn.execute(
        sa.select(RowRetryItem.run_id, sa.func.count(), resolved(PASSED), resolved(SUPERSEDED))
        .join(FailedRow, FailedRow.id == RowRetryItem.failed_row_id)
        .where(RowRetryItem.run_id.in_(list(run_ids)))
        .group_by(RowRetryItem.run_id)
    ).all()
    return {
        run_id: RowRetryOutcome(int(written), int(taken - written - superseded), int(superseded))
        for run_id, taken, written, superseded in rows
    }


def successful_retries(conn: sa.Connection, run_ids: Collection[int]) -> dict[int, int]:
    """run id → its first retry that succeeded, for those of these runs that have one."""
    if not run_ids:
        return {}
    rows = conn.execute(
        sa.select(Run.retry_of, sa.func.min(Run.id))
        .where(Run.retry_of.in_(list(run_ids)), Run.status == "success")
        .group_by(Run.retry_of)
    ).all()
    return {original: retry for original, retry in rows if original is not None}


@dataclass(frozen=True)
class FinishedRowRetry:
    """A row retry that has finished: how it ended and what it did with its rows."""

    run_id: int
    status: str
    outcome: RowRetryOutcome


def finished_row_retries(conn: sa.Connection, run_ids: Collection[int]) -> list[FinishedRowRetry]:
    """Those of these row retries that have finished, with their outcome, by id."""
    statuses = dict(
        conn.execute(sa.select(Run.id, Run.status).where(Run.id.in_(list(run_ids)), Run.status.not_in(ACTIVE))).all()
    )
    outcomes = row_retry_outcomes(conn, list(statuses))
    return [
        FinishedRowRetry(run_id, statuses[run_id], outcomes.get(run_id, RowRetryOutcome(0, 0, 0)))
        for run_id in sorted(statuses)
    ]
