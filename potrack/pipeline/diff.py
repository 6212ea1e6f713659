"""Stage 4, diff: classifies each line of the snapshot against the source's stored lines.

The stored state is read as key → digest of the tracked fields, so an unchanged line costs
one dictionary look-up and is never rewritten. Only lines whose digest differs are compared
field by field against their stored row.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass, field
from typing import Any

from potrack.pipeline.validate import FIELDS, Key, Line

UNCHANGED = -1
PART_FIELD = "internal_part_id"


def format_value(value: Any) -> str | None:
    """The canonical text of a value, as stored in change events and hashed into digests."""
    if value is None:
        return None
    if isinstance(value, float):
        return f"{value:.15g}"
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    return str(value)


def compute_digest(line: Line) -> int:
    """A stable 64-bit digest of every tracked value of a line (fields, part id, custom values)."""
    parts = [format_value(v) or "\x00" for v in line.values]
    parts.append(line.part_id or "\x00")
    parts.extend(format_value(v) or "\x00" for v in line.custom)
    raw = hashlib.blake2b("\x1f".join(parts).encode(), digest_size=8).digest()
    return int.from_bytes(raw, "big", signed=True)


def tracked_values(line: Line, custom_names: tuple[str, ...]) -> dict[str, str | None]:
    """Every tracked field of a new line as canonical text, by field name."""
    out = {f: format_value(v) for f, v in zip(FIELDS, line.values)}
    out[PART_FIELD] = line.part_id
    out.update({n: format_value(v) for n, v in zip(custom_names, line.custom)})
    return out


def stored_values(row: dict[str, Any], custom_names: tuple[str, ...]) -> dict[str, str | None]:
    """Every tracked field of a stored line as canonical text, by field name."""
    out = {f: format_value(row[f]) for f in FIELDS}
    out[PART_FIELD] = row[PART_FIELD]
    custom = row.get("custom") or {}
    out.update({n: format_value(custom.get(n)) for n in custom_names})
    return out


def field_changes(old: dict[str, str | None], new: dict[str, str | None]) -> list[tuple[str, str | None, str | None]]:
    """(field, old, new) for every tracked field whose canonical text differs."""
    return [(f, old.get(f), v) for f, v in new.items() if old.get(f) != v]


@dataclass
class SnapshotDiff:
    """Accumulates one snapshot's lines: new or changed ones are kept, unchanged ones only counted."""

    previous: dict[Key, int]
    baseline: bool
    seen: dict[Key, int] = field(default_factory=dict)
    pending: list[Line | None] = field(default_factory=list)
    duplicates: set[Key] = field(default_factory=set)
    rejected_keys: set[Key] = field(default_factory=set)

    def is_repeat(self, key: Key) -> bool:
        """True (and the key marked duplicate) when the key was already in this snapshot."""
        if key in self.seen:
            self.duplicates.add(key)
            return True
        return False

    def add(self, line: Line) -> None:
        """Take a valid line whose key is not a repeat: kept when new or changed."""
        if self.baseline or self.previous.get(line.key) != line.digest:
            self.seen[line.key] = len(self.pending)
            self.pending.append(line)
        else:
            self.seen[line.key] = UNCHANGED

    def reject_key(self, key: Key) -> None:
        """Remember the key of a rejected row: its stored line must stay exactly as it was."""
        self.rejected_keys.add(key)

    def drop_duplicates(self) -> tuple[list[Line], list[Key]]:
        """Withdraw every line whose key occurred twice or more.

        Returns the withdrawn first occurrences that were new or changed (their data is at
        hand) and the keys whose first occurrence was unchanged (their data is the stored line).
        """
        # A key that is valid in one row and rejected in another also occurs twice.
        self.duplicates |= self.rejected_keys & self.seen.keys()
        withdrawn, unchanged = [], []
        for key in self.duplicates:
            index = self.seen.pop(key)
            if index == UNCHANGED:
                unchanged.append(key)
            else:
                withdrawn.append(self.pending[index])  # type: ignore[arg-type]
                self.pending[index] = None
            self.rejected_keys.add(key)
        return withdrawn, unchanged

    def lines(self) -> list[Line]:
        """The new or changed lines, duplicates withdrawn."""
        return [line for line in self.pending if line is not None]

    def removed_keys(self) -> list[Key]:
        """Stored active keys absent from the snapshot (rejected keys excepted)."""
        return [k for k in self.previous if k not in self.seen and k not in self.rejected_keys]

    @property
    def valid_keys(self) -> int:
        return len(self.seen)
