"""Stage 4, diff: classifies each line of the snapshot against the source's stored lines.

The stored state is read as key → 64-bit digest of the tracked fields, so an unchanged line
costs one dictionary look-up and is never rewritten. New and changed lines are spooled to a
temporary file (marshalled) until the commit stage compares them field by field with their
stored rows, so memory does not grow with them: a baseline of ten million lines spools them all.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import marshal
import tempfile
from array import array
from collections.abc import Iterator
from typing import Any

from potrack.pipeline.validate import FIELDS, Key, Line

PART_FIELD = "internal_part_id"
PENDING = 1 << 64  # state values from here up mark pending lines; digests are signed 64-bit, all below
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


def digest_key(custom_names: tuple[str, ...]) -> int:
    """What a source's digests are mixed with: a 64-bit hash of its custom columns' names (0 when it has none, so the
    digest is the values' alone). A custom column given another name changes every digest, so every line is
    compared by name."""
    if not custom_names:
        return 0
    encoded = marshal.dumps(custom_names, MARSHAL_VERSION)
    return int.from_bytes(hashlib.blake2b(encoded, digest_size=8).digest(), "big", signed=True)


def compute_digest(line: Line, key: int = 0) -> int:
    """A stable signed 64-bit digest (a BIGINT) of every tracked value of a line: fields, part id, custom values
    (`key`: digest_key of the custom columns' names, whose values are hashed by position; XOR keeps 64 bits)."""
    encoded = marshal.dumps((line.values, line.part_id, line.custom), MARSHAL_VERSION)
    return int.from_bytes(hashlib.blake2b(encoded, digest_size=8).digest(), "big", signed=True) ^ key


def tracked_values(line: Line, custom_names: tuple[str, ...]) -> dict[str, str | None]:
    """Every tracked field of a new line as canonical text, by field name."""
    out = {f: format_value(v) for f, v in zip(FIELDS, line.values, strict=True)}
    out[PART_FIELD] = line.part_id
    out.update({n: format_value(v) for n, v in zip(custom_names, line.custom, strict=True)})
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

    `state` maps each key to its stored digest while the key is unseen, to PENDING + i once its
    line is pending write number i, or to None once seen unchanged.
    """

    def __init__(self, previous: dict[Key, int], baseline: bool) -> None:
        self.previous = previous
        self.baseline = baseline
        self.state: dict[Key, int | None] = dict(previous)
        self._spool = tempfile.TemporaryFile(prefix="potrack-pending-")
        self._offsets = array("q")
        self._spooled = 0
        self.withdrawn: set[int] = set()
        self.duplicates: set[Key] = set()
        self.rejected_keys: set[Key] = set()
        self.valid_keys = 0

    def previous_digest(self, key: Key) -> int | None:
        """The stored digest of a key not yet seen in this snapshot (None for a new key).

        Raises KeyError, with the key marked duplicate, when the key was already seen.
        """
        old = self.state.get(key)
        if old is not None and old < PENDING:
            return old
        if old is None and key not in self.state:
            return None
        self.duplicates.add(key)
        raise KeyError(key)

    def add(self, line: Line, old: int | None, origin: str | None = None) -> None:
        """Take a valid line that is not a repeat, given its previous digest: kept when new or changed, with where
        it is in the source (`origin`, for its rejection should a later row repeat its key)."""
        self.valid_keys += 1
        if old is None or self.baseline or old != line.digest:
            record = marshal.dumps(
                (line.key, line.values, line.custom, line.part_id, line.digest, line.key in self.previous, origin),
                MARSHAL_VERSION,
            )
            self._offsets.append(self._spooled)
            self._spool.write(record)
            self._spooled += len(record)
            self.state[line.key] = PENDING + len(self._offsets) - 1
        else:
            self.state[line.key] = None

    def reject_key(self, key: Key) -> None:
        """Remember the key of a rejected row: its stored line must stay exactly as it was."""
        self.rejected_keys.add(key)

    def drop_duplicates(self) -> tuple[list[tuple[Line, str | None]], list[Key]]:
        """Withdraw every line whose key occurred twice or more.

        Returns the withdrawn first occurrences that were new or changed, with their origins (their data is at
        hand) and the keys whose first occurrence was unchanged (their data is the stored line; no origin is
        kept for an unchanged line, which would cost memory on every line of every snapshot).
        """
        # A key that is valid in one row and rejected in another also occurs twice.
        for key in self.rejected_keys:
            value = self.state.get(key, _MISSING)
            # (past the two checks the value is a count: mypy cannot narrow away the _MISSING sentinel object)
            if value is None or (value is not _MISSING and value >= PENDING):  # type: ignore[operator]
                self.duplicates.add(key)
        withdrawn: list[tuple[Line, str | None]] = []
        unchanged: list[Key] = []
        for key in self.duplicates:
            value = self.state[key]
            if value is None:
                unchanged.append(key)
            else:
                index = value - PENDING
                self.withdrawn.add(index)
                self._spool.seek(self._offsets[index])
                record = marshal.load(self._spool)
                withdrawn.append((_pending_line(record)[0], record[-1]))
            self.state[key] = None  # neither written nor removed
            self.valid_keys -= 1
            self.rejected_keys.add(key)
        return withdrawn, unchanged

    def pending_chunks(self, size: int) -> Iterator[list[tuple[Line, bool]]]:
        """The new or changed lines (duplicates withdrawn), read back from the spool a chunk at a time."""
        offsets = [*self._offsets, self._spooled]
        for first in range(0, len(self._offsets), size):
            last = min(first + size, len(self._offsets))
            self._spool.seek(offsets[first])
            blob = memoryview(self._spool.read(offsets[last] - offsets[first]))
            base = offsets[first]
            yield [
                _pending_line(marshal.loads(blob[offsets[i] - base : offsets[i + 1] - base]))
                for i in range(first, last)
                if i not in self.withdrawn
            ]

    def close(self) -> None:
        """Delete the spool."""
        self._spool.close()

    def removed_keys(self) -> list[Key]:
        """Stored active keys absent from the snapshot (rejected keys excepted), in key order."""
        return sorted(k for k, v in self.state.items() if v is not None and v < PENDING and k not in self.rejected_keys)

    def expected_active(self) -> int:
        """Active lines the store must hold after the run: valid distinct keys plus protected rejected ones."""
        return self.valid_keys + sum(1 for k in self.rejected_keys if k in self.previous)


def _pending_line(record: tuple[Any, ...]) -> tuple[Line, bool]:
    """A spooled line and whether its key was active before the run."""
    key, values, custom, part_id, digest, was_active, _origin = record
    return Line(key=key, values=values, custom=custom, part_id=part_id, digest=digest), was_active
