"""Run bookkeeping: queue, claim, progress, attempts, failed rows, finish, abandon."""

from __future__ import annotations

import datetime as dt
import json
import logging
import os
import socket
from collections.abc import Callable, Iterable
from typing import Any, Protocol

import sqlalchemy as sa
from sqlalchemy.orm import aliased

from potrack.clock import utcnow
from potrack.store import audit, liveness
from potrack.store.leases import INSTANCE_PREFIX
from potrack.store.locks import lock_for_transaction
from potrack.store.models import FailedRow, Lease, RetryAttempt, Run
from potrack.store.run_status import ACTIVE, COMPLETED

log = logging.getLogger("potrack.runs")
REQUESTED_TRIGGERS = ("manual", "retry", "row_retry")
ABANDON_AFTER = dt.timedelta(minutes=5)
ABANDON_COMMIT_AFTER = dt.timedelta(minutes=60)
PROCESS_PREFIX = "process:"  # a claim by a process outside any app instance: it renews no instance lease
# A run that read the source's whole snapshot (a row retry reads only its rows), and one whose data was committed.
SNAPSHOT = Run.trigger != "row_retry"
COMPLETED_SNAPSHOT = sa.and_(Run.status.in_(COMPLETED), SNAPSHOT)


class Metrics(Protocol):
    """A finished run's counts by column name (potrack.pipeline.outcome.RunMetrics)."""

    def as_dict(self) -> dict[str, int]: ...


class RowRejection(Protocol):
    """A rejected source row as the store keeps it (potrack.pipeline.outcome.Rejection)."""

    @property
    def stage(self) -> str: ...

    @property
    def row_key(self) -> str | None: ...

    @property
    def raw(self) -> dict[str, Any]: ...

    @property
    def error(self) -> str: ...

    @property
    def location(self) -> str | None: ...


def queue_run_unless_active(
    engine: sa.Engine,
    source: str,
    trigger: str,
    *,
    requested_by: str | None = None,
    baseline: bool = False,
    accept_removals: bool = False,
    retry_of: int | None = None,
    on_queued: Callable[[sa.Connection, int], None] | None = None,
) -> tuple[int, bool]:
    """Queue a run unless the source has a queued or running one; returns (run id, whether this call queued it).

    `on_queued(conn, run_id)` runs in the same transaction as the insert (a retry's selection and audit event).
    """
    # The check and the insert are one INSERT ... SELECT ... WHERE NOT EXISTS statement, made under a lock on
    # the source's name: concurrent requests, from any app instance, cannot both queue.
    active = sa.select(Run.id).where(Run.source == source, Run.status.in_(ACTIVE))
    values = {
        "source": source,
        "trigger": trigger,
        "requested_by": requested_by,
        "status": "queued",
        "baseline": baseline,
        "accept_removals": accept_removals,
        "queued_at": utcnow(),
        "retry_of": retry_of,
    }
    row = sa.select(*[sa.literal(v, type_=Run.__table__.c[k].type).label(k) for k, v in values.items()])
    checked = False
    while True:
        with engine.begin() as conn:
            lock_for_transaction(conn, f"queue:{source}")
            inserted = conn.execute(
                sa.insert(Run).from_select(list(values), row.where(~active.exists())).returning(Run.id)
            ).scalar()
            if inserted is not None:
                if on_queued is not None:
                    on_queued(conn, int(inserted))
                elif trigger in REQUESTED_TRIGGERS or accept_removals:  # someone asked for it: say who
                    accepting = ", accepting removals beyond the source's limit" if accept_removals else ""
                    audit.record(
                        conn,
                        "ingestion.requested",
                        f"run #{inserted} of {source} queued ({trigger}{accepting})",
                        source=source,
                        run_id=inserted,
                        actor=requested_by or "system",
                        severity="warning" if accept_removals else "info",
                    )
                return int(inserted), True
            existing = conn.execute(active.order_by(Run.id)).scalar()
        if existing is None:  # it finished between the two statements: try again
            continue
        if checked or existing not in abandon_stale_runs(engine, source=source):  # its process may have died
            return int(existing), False
        checked = True


def queued_runs_to_start(conn: sa.Connection, sources: Iterable[str]) -> list[tuple[int, str]]:
    """The oldest queued run of each of these sources that has no running run, as (run id, source)."""
    queued = aliased(Run)
    running = sa.select(Run.id).where(Run.status == "running", Run.source == queued.source)
    rows = conn.execute(
        sa.select(queued.id, queued.source)
        .where(queued.status == "queued", queued.source.in_(list(sources)), ~running.exists())
        .order_by(queued.queued_at, queued.id)
    ).all()
    first: dict[str, int] = {}
    for run_id, source in rows:
        first.setdefault(source, run_id)
    return [(run_id, source) for source, run_id in first.items()]


def claim_run(engine: sa.Engine, run_id: int, claimed_by: str | None = None) -> bool:
    """Move a queued run to running; False when someone else took it first or its source has a running run.

    `claimed_by` is the app instance executing it (None for the command line).
    """
    now = utcnow()
    try:
        with engine.begin() as conn:
            result = conn.execute(
                sa.update(Run)
                .where(Run.id == run_id, Run.status == "queued")
                .values(
                    status="running",
                    started_at=now,
                    heartbeat_at=now,
                    stage="extract",
                    rows_done=0,
                    claimed_by=claimed_by,
                )
            )
    except sa.exc.IntegrityError:  # ux_runs_one_running_per_source: another run of the source is executing
        return False
    return result.rowcount == 1


def process_claim() -> str:
    """What a run executed outside any app instance (the command line) records as its claimant: host and pid."""
    return f"{PROCESS_PREFIX}{socket.gethostname()}:{os.getpid()}"


def describe_active(engine: sa.Engine, run_id: int) -> str:
    """'run #12 running in process cli:host:4242, last sign of life 3 s ago': a refusal names what is in the way."""
    with engine.connect() as conn:
        run = conn.execute(
            sa.select(Run.status, Run.claimed_by, Run.queued_at, Run.heartbeat_at).where(Run.id == run_id)
        ).one()
    if run.status == "queued":
        return f"run #{run_id} queued {_age(run.queued_at)} ago, waiting for a worker"
    where = (
        (
            f"in process {run.claimed_by.removeprefix(PROCESS_PREFIX)}"
            if run.claimed_by.startswith(PROCESS_PREFIX)
            else f"in app instance {run.claimed_by}"
        )
        if run.claimed_by
        else "(claimant unknown)"
    )
    seen = f"last sign of life {_age(run.heartbeat_at)} ago" if run.heartbeat_at else "no sign of life yet"
    return f"run #{run_id} {run.status} {where}, {seen}"


def _age(moment: dt.datetime) -> str:
    seconds = max(0, int((utcnow() - moment).total_seconds()))
    return f"{seconds} s" if seconds < 120 else f"{seconds // 60} min"


def update_progress(
    engine: sa.Engine, run_id: int, stage: str, rows_done: int, rows_total: int | None, estimated: bool = False
) -> None:
    """Record the stage and row counts of a running run (the total exact or an estimate), and beat its heart."""
    with engine.begin() as conn:
        conn.execute(
            sa.update(Run)
            .where(Run.id == run_id, Run.status == "running")
            .values(
                stage=stage,
                rows_done=rows_done,
                rows_total=rows_total,
                rows_total_estimated=estimated,
                heartbeat_at=utcnow(),
            )
        )


def rows_last_read(conn: sa.Connection, source: str) -> int | None:
    """How many rows the source's latest completed run read (not a row retry, which reads only its rows): the
    estimate of the next run's total."""
    return conn.execute(
        sa.select(Run.rows_done).where(Run.source == source, COMPLETED_SNAPSHOT).order_by(Run.id.desc()).limit(1)
    ).scalar_one_or_none()


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


def save_failed_rows(conn: sa.Connection, run_id: int, source: str, rejections: Iterable[RowRejection]) -> None:
    """Store rejected rows with their raw data, in order, a thousand at a time (a run's rejections are read from a
    spool on disk: they may be more than memory holds)."""
    rows: list[dict[str, Any]] = []
    for r in rejections:
        rows.append(
            {
                "run_id": run_id,
                "source": source,
                "stage": r.stage,
                "row_key": r.row_key,
                "raw_data": json.dumps(r.raw, default=str, sort_keys=True),
                "error": r.error[:1000],
                "retry_count": 0,
                "location": r.location,
            }
        )
        if len(rows) == 1000:
            conn.execute(sa.insert(FailedRow), rows)
            rows = []
    if rows:
        conn.execute(sa.insert(FailedRow), rows)


class RunNoLongerRunning(Exception):
    """A run's outcome was to be written, but the run is no longer running: another instance abandoned it."""


def finish_run(
    conn: sa.Connection,
    run_id: int,
    status: str,
    metrics: Metrics,
    started_at: dt.datetime,
    *,
    error: str | None = None,
    error_stage: str | None = None,
    notes: Iterable[str] = (),
) -> float:
    """Write a run's outcome and metrics; returns its duration in seconds.

    Raises RunNoLongerRunning when the run is not running any more (it was marked abandoned while it executed):
    the caller's transaction, with the run's data, must then roll back.
    """
    finished = utcnow()
    duration = round((finished - started_at).total_seconds(), 3)
    updated = conn.execute(
        sa.update(Run)
        .where(Run.id == run_id, Run.status == "running")
        .values(
            status=status,
            finished_at=finished,
            duration_s=duration,
            stage=None,
            heartbeat_at=finished,
            error=error,
            error_stage=error_stage,
            notes="\n".join(notes) or None,
            **metrics.as_dict(),
        )
    ).rowcount
    if updated != 1:
        raise RunNoLongerRunning(
            f"run #{run_id} was marked abandoned while it executed (its app instance was "
            "taken for dead); nothing of it was committed"
        )
    return duration


def record_check_problems(engine: sa.Engine, run_id: int, problems: list[str]) -> None:
    """Attach consistency-check findings to a finished run."""
    with engine.begin() as conn:
        conn.execute(sa.update(Run).where(Run.id == run_id).values(check_problems="\n".join(problems)))


HEARTBEAT_STOPPED = "Abandoned: its heartbeat stopped (the process running it stopped or was killed)"
PROCESS_DIED = (
    "Abandoned: the process running it ended without recording its outcome (killed, crashed, or its store "
    "refused the record): its liveness lock was free"
)


def _stale(cutoff: dt.datetime, commit_cutoff: dt.datetime) -> sa.ColumnElement[bool]:
    """A running run whose heartbeat is older than the cutoff of its stage."""
    committing = sa.func.coalesce(Run.stage, "") == "commit"
    return sa.and_(
        Run.status == "running",
        sa.or_(sa.and_(~committing, Run.heartbeat_at < cutoff), sa.and_(committing, Run.heartbeat_at < commit_cutoff)),
    )


def _orphaned(now: dt.datetime) -> sa.ColumnElement[bool]:
    """A running run claimed by an app instance whose lease expired: that instance is gone.

    A run in its commit stage is left to the heartbeat rule: on SQLite its long write transaction also
    holds up its instance's lease renewal.
    """
    alive = sa.select(Lease.name).where(
        Lease.name == sa.literal(INSTANCE_PREFIX) + Run.claimed_by, Lease.expires_at >= now
    )
    return sa.and_(
        Run.status == "running",
        Run.claimed_by.is_not(None),
        ~Run.claimed_by.startswith(PROCESS_PREFIX),
        sa.func.coalesce(Run.stage, "") != "commit",
        ~alive.exists(),
    )


def abandon_stale_runs(
    engine: sa.Engine,
    older_than: dt.timedelta = ABANDON_AFTER,
    committing_older_than: dt.timedelta = ABANDON_COMMIT_AFTER,
    source: str | None = None,
) -> list[int]:
    """Mark running runs (of one source, or all) as abandoned when their process died, their app instance is gone,
    or their heartbeat stopped; one audit event each.

    A dead process is known at once: its liveness lock is free. The other two rules are the fallback for a
    process that is alive but stuck. A run in its commit stage gets longer: on SQLite its heartbeat cannot be
    written while its own write transaction holds the lock, and a ten-million-line baseline commits for minutes.
    """
    now = utcnow()
    stale, orphaned = _stale(now - older_than, now - committing_older_than), _orphaned(now)
    query = sa.select(
        Run.id,
        Run.source,
        Run.claimed_by,
        sa.case((orphaned, 1), else_=0).label("orphaned"),
        sa.case((stale, 1), else_=0).label("stale"),
    ).where(Run.status == "running")
    with engine.connect() as conn:
        candidates = conn.execute(query.where(Run.source == source) if source else query).all()
    abandoned = []
    for run_id, run_source, instance, is_orphan, is_stale in candidates:
        with liveness.if_dead(engine, run_id) as dead:
            if dead:
                reason, condition = PROCESS_DIED, Run.status == "running"
            elif is_orphan or is_stale:
                reason = (
                    f"Abandoned: the app instance running it ({instance}) stopped renewing its lease"
                    if is_orphan
                    else HEARTBEAT_STOPPED
                )
                condition = sa.or_(stale, orphaned)
            else:
                continue
            if _abandon(engine, run_id, run_source, reason, condition):
                abandoned.append(run_id)
    return abandoned


def _abandon(engine: sa.Engine, run_id: int, source: str, reason: str, condition: sa.ColumnElement[bool]) -> bool:
    """Mark one run abandoned if it still meets `condition`, keeping what it knew: its stage, rows, duration up to
    its last heartbeat and rejected rows (marked as an abandoned run's, no longer open work)."""
    with engine.begin() as conn:
        known = conn.execute(
            sa.select(Run.stage, Run.rows_done, Run.rows_total, Run.started_at, Run.heartbeat_at).where(
                Run.id == run_id
            )
        ).one()
        lived = (
            (known.heartbeat_at - known.started_at).total_seconds() if known.started_at and known.heartbeat_at else None
        )
        rejected = sa.select(sa.func.count()).select_from(FailedRow).where(FailedRow.run_id == run_id)
        taken = conn.execute(
            sa.update(Run)
            .where(Run.id == run_id, condition)
            .values(
                status="abandoned",
                finished_at=utcnow(),
                stage=None,
                error_stage=known.stage,
                error=reason,
                duration_s=None if lived is None else round(max(lived, 0.0), 3),
                lines_processed=known.rows_done or 0,
                errors=rejected.scalar_subquery(),
            )
        ).rowcount
        if not taken:
            return False
        conn.execute(
            sa.update(FailedRow)
            .where(FailedRow.run_id == run_id, FailedRow.resolved_at.is_(None))
            .values(
                resolved_at=utcnow(),
                resolution=f"run #{run_id} was abandoned: nothing of it was committed; retry the run",
            )
        )
        why = reason.removeprefix("Abandoned: ")
        where = f" in stage {known.stage}" if known.stage else ""
        audit.record(
            conn,
            "ingestion.abandoned",
            f"Run #{run_id} of {source} was abandoned{where}: {why}",
            severity="error",
            source=source,
            run_id=run_id,
            details={"stage": known.stage, "rows_done": known.rows_done, "rows_total": known.rows_total},
        )
    log.warning("run #%s of %s marked abandoned%s: %s", run_id, source, where, why)
    return True
