"""Turns a finished snapshot diff into the writes of a run: inserts, overwrites, changes, removals."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from potrack.pipeline.diff import SnapshotDiff, field_changes, stored_values, tracked_values
from potrack.pipeline.validate import Key, Line


@dataclass(frozen=True)
class ChangedLine:
    """An existing active line with at least one tracked field changed."""

    line: Line
    old_received: float
    changes: list[tuple[str, str | None, str | None]]


@dataclass
class WritePlan:
    """Everything one run will write to the current lines."""

    inserts: list[Line] = field(default_factory=list)
    overwrites: list[Line] = field(default_factory=list)
    changed: list[ChangedLine] = field(default_factory=list)
    refreshed: list[Line] = field(default_factory=list)
    removed: list[Key] = field(default_factory=list)

    @property
    def new_lines(self) -> list[Line]:
        return self.inserts + self.overwrites

    @property
    def field_changes(self) -> int:
        return sum(len(c.changes) for c in self.changed)


def keys_to_fetch(diff: SnapshotDiff, has_inactive: bool) -> set[Key]:
    """Stored rows the plan needs: old values of changed lines, and inactive rows new keys may reuse."""
    keys = set()
    for line in diff.lines():
        if line.key in diff.previous:
            if not diff.baseline:
                keys.add(line.key)
        elif has_inactive:
            keys.add(line.key)
    return keys


def build_plan(diff: SnapshotDiff, stored: dict[Key, dict[str, Any]], custom_names: tuple[str, ...]) -> WritePlan:
    """Classify each kept line as an insert, an overwrite of a stored row, or a field change."""
    plan = WritePlan()
    for line in diff.lines():
        if diff.baseline or line.key not in diff.previous:
            exists = line.key in diff.previous or line.key in stored
            (plan.overwrites if exists else plan.inserts).append(line)
            continue
        row = stored[line.key]
        changes = field_changes(stored_values(row, custom_names), tracked_values(line, custom_names))
        if changes:
            plan.changed.append(ChangedLine(line, float(row["quantity_received"]), changes))
        else:
            plan.refreshed.append(line)
    plan.removed = sorted(diff.removed_keys())
    return plan
