"""Turns a chunk of pending lines into writes: inserts, overwrites of stored rows, field changes."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from potrack.pipeline.diff import field_changes, stored_values, tracked_values
from potrack.pipeline.validate import Key, Line


@dataclass(frozen=True)
class ChangedLine:
    """An existing active line with at least one tracked field changed."""

    line: Line
    old_received: float
    changes: list[tuple[str, str | None, str | None]]


@dataclass
class WritePlan:
    """What one chunk of a run writes to the current lines."""

    inserts: list[Line] = field(default_factory=list)
    overwrites: list[Line] = field(default_factory=list)
    changed: list[ChangedLine] = field(default_factory=list)
    refreshed: list[Line] = field(default_factory=list)

    @property
    def new_lines(self) -> list[Line]:
        return self.inserts + self.overwrites

    @property
    def field_changes(self) -> int:
        return sum(len(c.changes) for c in self.changed)


def keys_to_fetch(chunk: list[tuple[Line, bool]], baseline: bool, has_inactive: bool) -> set[Key]:
    """Stored rows a chunk needs: old values of changed lines, and inactive rows new keys may reuse."""
    return {line.key for line, was_active in chunk
            if (was_active and not baseline) or (not was_active and has_inactive)}


def build_plan(chunk: list[tuple[Line, bool]], stored: dict[Key, dict[str, Any]], custom_names: tuple[str, ...],
               baseline: bool) -> WritePlan:
    """Classify each pending line as an insert, an overwrite of a stored row, or a field change."""
    plan = WritePlan()
    for line, was_active in chunk:
        if baseline or not was_active:
            exists = was_active or line.key in stored
            (plan.overwrites if exists else plan.inserts).append(line)
            continue
        row = stored[line.key]
        changes = field_changes(stored_values(row, custom_names), tracked_values(line, custom_names))
        if changes:
            plan.changed.append(ChangedLine(line, float(row["quantity_received"]), changes))
        else:
            plan.refreshed.append(line)
    return plan
