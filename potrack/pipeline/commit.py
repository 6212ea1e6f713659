"""Stage 7, commit: writes one run's lines, events, batches and unmapped codes on one connection.

The caller owns the transaction, so everything here commits together or not at all.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from potrack.pipeline import batches as batch_stage
from potrack.pipeline.custom_columns import custom_json
from potrack.pipeline.plan import WritePlan
from potrack.pipeline.validate import FIELDS, Line
from potrack.store import lines as store_lines


@dataclass(frozen=True)
class Written:
    """What the commit stage wrote."""

    change_events: int
    batches: int


def line_values(line: Line, custom_names: tuple[str, ...]) -> dict[str, Any]:
    """The stored columns of a line that come from the snapshot."""
    values = dict(zip(FIELDS, line.values))
    values.update(internal_part_id=line.part_id, custom=custom_json(custom_names, line.custom), digest=line.digest)
    return values


def _key(source: str, line: Line) -> dict[str, Any]:
    return {"k_source": source, "k_po": line.key[0], "k_line": line.key[1]}


def _event(run_id: int, source: str, key: tuple[str, int], kind: str, fld: str | None = None,
           old: str | None = None, new: str | None = None) -> dict[str, Any]:
    return {"run_id": run_id, "source": source, "po_number": key[0], "line_number": key[1], "kind": kind,
            "field": fld, "old_value": old, "new_value": new}


def write_lines(conn: sa.Connection, plan: WritePlan, source: str, run_id: int, custom_names: tuple[str, ...],
                baseline: bool) -> int:
    """Write the plan's lines and change events; returns the number of change events (fields + removals)."""
    store_lines.insert_lines(conn, [
        {**line_values(l, custom_names), "source": source, "po_number": l.key[0], "line_number": l.key[1],
         "first_seen_run_id": run_id, "last_changed_run_id": run_id, "active": True}
        for l in plan.inserts
    ])
    store_lines.update_lines(conn, [
        {**_key(source, l), **line_values(l, custom_names), "last_changed_run_id": run_id, "active": True}
        for l in plan.overwrites + [c.line for c in plan.changed]
    ])
    store_lines.update_lines(conn, [{**_key(source, l), "digest": l.digest} for l in plan.refreshed])
    store_lines.deactivate_lines(conn, source, plan.removed, run_id)
    if baseline:
        return 0
    events = [_event(run_id, source, l.key, "new") for l in plan.new_lines]
    for changed in plan.changed:
        events.extend(_event(run_id, source, changed.line.key, "changed", f, o, n) for f, o, n in changed.changes)
    events.extend(_event(run_id, source, key, "removed") for key in plan.removed)
    store_lines.insert_events(conn, events)
    return plan.field_changes + len(plan.removed)


def write_batches(conn: sa.Connection, plan: WritePlan, source: str, run_id: int, at: dt.datetime) -> int:
    """Reconstruct and write the run's receipt batches; returns how many."""
    rows = batch_stage.reconstruct_batches(plan, source, run_id, at)
    store_lines.insert_batches(conn, rows)
    return len(rows)
