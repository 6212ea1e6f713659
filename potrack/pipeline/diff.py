"""Stage 4, diff: classifies each line of the snapshot against the source's stored lines.

The stored state is read as key → 64-bit digest of the tracked fields, so an unchanged line
costs one dictionary look-up and is never rewritten. New and changed lines are kept compactly
(marshalled) until the commit stage compares them field by field with their stored rows.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import marshal
from collections.abc import Iterator
from typing import Any

from potrack.pipeline.validate import FIELDS, Key, Line

PART_FIELD = "internal_part_id"
MARSHAL_VERSION = 2  # versions 0-2 encode by value only (no interning or object-identity flags): stable
_MISSING = object()


def format_value(value: Any) -> str | None:
    """The canonical text of a value, as stored in change events."""
    if value is None:
        return None
    if isinstance(value, float):
        return f"{value:.15g}"
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    return str(value)


def compute_digest(line: Line) -> int:
    """A stable unsigned 64-bit digest of every tracked value of a line (fields, part id, custom values)."""
    encoded = marshal.dumps((line.values, line.part_id, line.custom), MARSHAL_VERSION)
    return int.from_bytes(hashlib.blake2b(encoded, digest_size=8).digest(), "big")


def to_stored_digest(digest: int) -> int:
    """The digest as the signed 64-bit integer a BIGINT column holds."""
    return digest - (1 << 64) if digest >= (1 << 63) else digest


def from_stored_digest(stored: int) -> int:
    """The unsigned digest of a stored signed one."""
    return stored & ((1 << 64) - 1)


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


class SnapshotDiff:
    """Accumulates one snapshot against the stored state, in one dictionary.

    `state` maps each key to the stored digest while the key is unseen (an int of 0 or more),
    to -(i + 1) once its line is pending write number i, or to None once seen unchanged.
    """

    def __init__(self, previous: dict[Key, int], baseline: bool) -> None:
        self.previous = previous
        self.baseline = baseline
        self.state: dict[Key, int | None] = dict(previous)
        self.pending: list[bytes] = []
        self.withdrawn: set[int] = set()
        self.duplicates: set[Key] = set()
        self.rejected_keys: set[Key] = set()
        self.valid_keys = 0

    def is_repeat(self, key: Key) -> bool:
        """True (and the key marked duplicate) when the key was already in this snapshot."""
        old = self.state.get(key, _MISSING)
        if old is None or (old is not _MISSING and old < 0):  # type: ignore[operator]
            self.duplicates.add(key)
            return True
        return False

    def add(self, line: Line) -> None:
        """Take a valid line whose key is not a repeat: kept when new or changed."""
        self.valid_keys += 1
        old = self.state.get(line.key)
        if old is None or self.baseline or old != line.digest:
            was_active = line.key in self.previous
            self.pending.append(marshal.dumps(
                (line.key, line.values, line.custom, line.part_id, line.digest, was_active), MARSHAL_VERSION))
            self.state[line.key] = -len(self.pending)
        else:
            self.state[line.key] = None

    def reject_key(self, key: Key) -> None:
        """Remember the key of a rejected row: its stored line must stay exactly as it was."""
        self.rejected_keys.add(key)

    def drop_duplicates(self) -> tuple[list[Line], list[Key]]:
        """Withdraw every line whose key occurred twice or more.

        Returns the withdrawn first occurrences that were new or changed (their data is at
        hand) and the keys whose first occurrence was unchanged (their data is the stored line).
        """
        # A key that is valid in one row and rejected in another also occurs twice.
        for key in self.rejected_keys:
            value = self.state.get(key, _MISSING)
            if value is None or (value is not _MISSING and value < 0):  # type: ignore[operator]
                self.duplicates.add(key)
        withdrawn, unchanged = [], []
        for key in self.duplicates:
            value = self.state[key]
            if value is None:
                unchanged.append(key)
            else:
                index = -value - 1
                self.withdrawn.add(index)
                withdrawn.append(decode(self.pending[index])[0])
            self.state[key] = None  # neither written nor removed
            self.valid_keys -= 1
            self.rejected_keys.add(key)
        return withdrawn, unchanged

    def pending_chunks(self, size: int) -> Iterator[list[tuple[Line, bool]]]:
        """The new or changed lines (duplicates withdrawn), decoded a chunk at a time."""
        for start in range(0, len(self.pending), size):
            yield [decode(record) for i, record in enumerate(self.pending[start : start + size], start)
                   if i not in self.withdrawn]

    def removed_keys(self) -> list[Key]:
        """Stored active keys absent from the snapshot (rejected keys excepted), in key order."""
        return sorted(k for k, v in self.state.items()
                      if v is not None and v >= 0 and k not in self.rejected_keys)

    def expected_active(self) -> int:
        """Active lines the store must hold after the run: valid distinct keys plus protected rejected ones."""
        return self.valid_keys + sum(1 for k in self.rejected_keys if k in self.previous)


def decode(record: bytes) -> tuple[Line, bool]:
    """A pending line and whether its key was active before the run."""
    key, values, custom, part_id, digest, was_active = marshal.loads(record)
    return Line(key=key, values=values, custom=custom, part_id=part_id, digest=digest), was_active
