"""What the alert rules read of a source's run history, read from the store in one place."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import sqlalchemy as sa

from potrack.store.run_history import RunRow, first_snapshot_at, snapshot_runs
from potrack.store.run_status import COMPLETED, FINISHED


@dataclass(frozen=True)
class RuleInputs:
    """What the rules read of one source: its latest finished runs, latest successful runs, latest completed
    run and first run (row retries are not snapshots and are left out)."""

    finished: list[RunRow]
    successes: list[RunRow]
    last_ok: RunRow | None
    first_queued_at: dt.datetime | None


def rule_inputs(conn: sa.Connection, source: str, finished: int, successes: int) -> RuleInputs:
    """The runs the rules read: the latest `finished` finished runs and `successes` successful ones."""
    last_ok = snapshot_runs(conn, source, COMPLETED, 1)
    return RuleInputs(
        finished=snapshot_runs(conn, source, FINISHED, finished),
        successes=snapshot_runs(conn, source, ("success",), successes),
        last_ok=last_ok[0] if last_ok else None,
        first_queued_at=first_snapshot_at(conn, source),
    )
