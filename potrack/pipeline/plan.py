"""Turns a chunk of pending lines into writes: inserts, overwrites of stored rows, field changes."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from potrack.pipeline.diff import field_changes, stored_values, tracked_values
from potrack.pipeline.validate import Key, Line


@dataclass(frozen=True)
class StoredLine:
    """A pending line whose key the store already holds, with what the store last knew of its receipts: written
    over as a whole (a baseline's line; `reappeared`, a key that was inactive), or with these field `changes`."""

    line: Line
    old_received: float
    received_decreased: bool  # the received quantity fell, now or in an earlier run
    reappeared: bool = False
    changes: tuple[tuple[str, str | None, str | None], ...] = ()


def against(
    line: Line,
    row: dict[str, Any],
    reappeared: bool = False,
    changes: tuple[tuple[str, str | None, str | None], ...] = (),
) -> StoredLine:
    """A pending line against its stored row."""
    old = float(row["quantity_received"])
    decreased = bool(row["received_decreased"]) or line.get("quantity_received") < old
    return StoredLine(line, old, decreased, reappeared, changes)


@dataclass
class WritePlan:
    """What one chunk of a run writes to the current lines."""

    inserts: list[Line] = field(default_factory=list)
    overwrites: list[StoredLine] = field(default_factory=list)
    changed: list[StoredLine] = field(default_factory=list)
    refreshed: list[Line] = field(default_factory=list)

    @property
    def new_lines(self) -> list[Line]:
        return self.inserts + [o.line for o in self.overwrites]

    @property
    def stored_lines(self) -> list[StoredLine]:
        """The lines whose stored row is updated (overwritten or changed)."""
        return [*self.overwrites, *self.changed]

    @property
    def field_changes(self) -> int:
        return sum(len(c.changes) for c in self.changed)


def keys_to_fetch(chunk: list[tuple[Line, bool]], baseline: bool, has_inactive: bool) -> tuple[set[Key], set[Key]]:
    """Stored rows a chunk needs: (keys whose whole row is compared — active lines of an incremental run, keys
    whose received quantity alone is needed — a baseline's active lines, and the inactive rows new keys may reuse)."""
    compared = {line.key for line, was_active in chunk if was_active and not baseline}
    overwritten = {
        line.key for line, was_active in chunk if (was_active and baseline) or (not was_active and has_inactive)
    }
    return compared, overwritten


def build_plan(
    chunk: list[tuple[Line, bool]], stored: dict[Key, dict[str, Any]], custom_names: tuple[str, ...], baseline: bool
) -> WritePlan:
    """Classify each pending line as an insert, an overwrite of a stored row, or a field change."""
    plan = WritePlan()
    for line, was_active in chunk:
        row = stored.get(line.key)
        if row is None:
            plan.inserts.append(line)
        elif baseline or not was_active:
            plan.overwrites.append(against(line, row, reappeared=not was_active))
        else:
            changes = field_changes(stored_values(row, custom_names), tracked_values(line, custom_names))
            if changes:
                plan.changed.append(against(line, row, changes=tuple(changes)))
            else:
                plan.refreshed.append(line)
    return plan
