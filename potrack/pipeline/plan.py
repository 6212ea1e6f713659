"""Turns a chunk of pending lines into writes: inserts, overwrites of stored rows, field changes."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from potrack.pipeline.diff import field_changes, stored_values, tracked_values
from potrack.pipeline.validate import Key, Line


@dataclass(frozen=True)
class StoredLine:
    """A pending line whose key the store already holds, with what the store last knew of its receipts."""

    line: Line
    old_received: float
    received_decreased: bool  # the received quantity fell, now or in an earlier run

    @classmethod
    def of(cls, line: Line, row: dict[str, Any], **details: Any) -> Any:
        """The line against its stored row (`details`: the subclass's own fields)."""
        old = float(row["quantity_received"])
        return cls(line, old, bool(row["received_decreased"]) or line.get("quantity_received") < old, **details)


@dataclass(frozen=True)
class Overwrite(StoredLine):
    """A stored line written over as a whole: a baseline's line, or a key that was inactive and reappears."""

    reappeared: bool = False


@dataclass(frozen=True)
class ChangedLine(StoredLine):
    """An existing active line with at least one tracked field changed."""

    changes: list[tuple[str, str | None, str | None]] = field(default_factory=list)


@dataclass
class WritePlan:
    """What one chunk of a run writes to the current lines."""

    inserts: list[Line] = field(default_factory=list)
    overwrites: list[Overwrite] = field(default_factory=list)
    changed: list[ChangedLine] = field(default_factory=list)
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
    overwritten = {line.key for line, was_active in chunk if (was_active and baseline) or (not was_active and has_inactive)}
    return compared, overwritten


def build_plan(chunk: list[tuple[Line, bool]], stored: dict[Key, dict[str, Any]], custom_names: tuple[str, ...],
               baseline: bool) -> WritePlan:
    """Classify each pending line as an insert, an overwrite of a stored row, or a field change."""
    plan = WritePlan()
    for line, was_active in chunk:
        row = stored.get(line.key)
        if row is None:
            plan.inserts.append(line)
        elif baseline or not was_active:
            plan.overwrites.append(Overwrite.of(line, row, reappeared=not was_active))
        else:
            changes = field_changes(stored_values(row, custom_names), tracked_values(line, custom_names))
            if changes:
                plan.changed.append(ChangedLine.of(line, row, changes=changes))
            else:
                plan.refreshed.append(line)
    return plan
