"""Stage 7, commit: writes one run's lines, events, batches and unmapped codes on one connection.

The caller owns the transaction, so everything here commits together or not at all. Pending
lines are written a chunk at a time, so a baseline of a million lines never sits in memory whole.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa

from potrack.pipeline import batches as batch_stage
from potrack.pipeline.custom_columns import custom_json
from potrack.pipeline.diff import SnapshotDiff
from potrack.pipeline.plan import WritePlan, build_plan, keys_to_fetch
from potrack.pipeline.validate import DATE_FIELDS, FIELDS, Key, Line
from potrack.store import lines as store_lines

CHUNK = 5000
REAPPEARED = "reappeared"  # the new_value of the `new` event of a key that was inactive and is back
_DATE_POSITIONS = [i for i, f in enumerate(FIELDS) if f in DATE_FIELDS]


class StageFailed(Exception):
    """A commit-time stage raised; the transaction must roll back. The cause is chained."""

    def __init__(self, stage: str) -> None:
        super().__init__(stage)
        self.stage = stage


@dataclass
class Written:
    """What the commit stage wrote; with keep_keys, also the keys it touched (for po_lines.changed)."""

    keep_keys: bool = True
    lines_new: int = 0
    lines_changed: int = 0
    change_events: int = 0
    batches: int = 0
    new_keys: list[Key] = field(default_factory=list)
    changed_keys: list[Key] = field(default_factory=list)
    removed_keys: list[Key] = field(default_factory=list)

    def add(self, plan: WritePlan) -> None:
        """Count a written chunk (and keep its keys when asked)."""
        self.lines_new += len(plan.inserts) + len(plan.overwrites)
        self.lines_changed += len(plan.changed)
        if self.keep_keys:
            self.new_keys.extend(line.key for line in plan.new_lines)
            self.changed_keys.extend(c.line.key for c in plan.changed)


@dataclass(frozen=True)
class RunContext:
    """Who is writing: the source, the run, its custom columns and whether it is a baseline."""

    source: str
    run_id: int
    custom_names: tuple[str, ...]
    baseline: bool
    has_inactive: bool
    at: dt.datetime
    dates_as_text: bool = False


def line_values(line: Line, ctx: RunContext, received_decreased: bool) -> list[Any]:
    """The stored values of a line in LINE_VALUE_COLUMNS order (dates as dates where the store needs them)."""
    values = list(line.values)
    if not ctx.dates_as_text:
        for i in _DATE_POSITIONS:
            if values[i] is not None:
                values[i] = dt.date.fromisoformat(values[i])
    return [*values, line.part_id, custom_json(ctx.custom_names, line.custom), line.digest, received_decreased]


def _event(
    ctx: RunContext, key: Key, kind: str, fld: str | None = None, old: str | None = None, new: str | None = None
) -> tuple[Any, ...]:
    return (ctx.run_id, ctx.source, key[0], key[1], kind, fld, old, new)


def write_lines(conn: sa.Connection, writer: store_lines.LineWriter, plan: WritePlan, ctx: RunContext) -> int:
    """Write one chunk's lines and change events; returns the number of field-change events."""
    src, run = ctx.source, ctx.run_id
    writer.insert.execute(
        conn, [(src, *line.key, *line_values(line, ctx, False), run, run, True) for line in plan.inserts]
    )
    writer.update.execute(
        conn,
        [(*line_values(s.line, ctx, s.received_decreased), run, True, src, *s.line.key) for s in plan.stored_lines],
    )
    writer.refresh.execute(conn, [(line.digest, src, *line.key) for line in plan.refreshed])
    if ctx.baseline:
        return 0
    events = [_event(ctx, line.key, "new") for line in plan.inserts]
    events.extend(_event(ctx, o.line.key, "new", new=REAPPEARED if o.reappeared else None) for o in plan.overwrites)
    for changed in plan.changed:
        events.extend(_event(ctx, changed.line.key, "changed", f, o, n) for f, o, n in changed.changes)
    writer.events.execute(conn, events)
    return plan.field_changes


def commit_run(
    conn: sa.Connection,
    diff: SnapshotDiff,
    ctx: RunContext,
    unmapped: dict[str, int],
    removed: list[Key],
    keep_keys: bool = True,
) -> Written:
    """Write everything of a run (`removed`: the active keys the snapshot no longer holds); a failure raises
    StageFailed naming the stage it happened in."""
    written = Written(keep_keys=keep_keys)
    stage = "diff"
    try:
        writer = store_lines.LineWriter(conn.dialect)
        for chunk in diff.pending_chunks(CHUNK):
            stage = "diff"
            compared, overwritten = keys_to_fetch(chunk, ctx.baseline, ctx.has_inactive)
            stored = store_lines.fetch_lines(conn, ctx.source, compared) if compared else {}
            if overwritten:
                stored.update(store_lines.fetch_lines(conn, ctx.source, overwritten, store_lines.RECEIPT_COLUMNS))
            plan = build_plan(chunk, stored, ctx.custom_names, ctx.baseline)
            written.change_events += write_lines(conn, writer, plan, ctx)
            written.add(plan)
            stage = "batches"
            batch_rows = batch_stage.reconstruct_batches(plan, ctx.source, ctx.run_id, ctx.at)
            writer.batches.execute(conn, batch_rows)
            written.batches += len(batch_rows)
        stage = "diff"
        written.removed_keys = removed
        writer.deactivate.execute(conn, [(False, ctx.run_id, ctx.source, *k) for k in written.removed_keys])
        if not ctx.baseline:
            writer.events.execute(conn, [_event(ctx, k, "removed") for k in written.removed_keys])
            written.change_events += len(written.removed_keys)
        stage = "xref"
        store_lines.insert_unmapped(conn, ctx.run_id, unmapped)
    except Exception as exc:
        raise StageFailed(stage) from exc
    return written
