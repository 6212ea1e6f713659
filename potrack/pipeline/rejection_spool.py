"""The rejected rows of one read, spooled to a temporary file as they are found and read back in order, a batch at
a time: a night whose every row is bad holds no more of them in memory than a clean night does."""

from __future__ import annotations

import pickle
import tempfile
import weakref
from collections.abc import Iterator
from typing import IO, Any

from potrack.pipeline.outcome import Rejection

BATCH = 1000  # rejections read back at a time (the store inserts failed rows a thousand at a time)
PROTOCOL = pickle.HIGHEST_PROTOCOL  # the file is this process's own, written and read by the same Python


class RejectionSpool:
    """Rejections in the order they were added: counted in memory, kept in a temporary file (made at the first)."""

    def __init__(self) -> None:
        self._file: IO[bytes] | None = None
        self._count = 0
        self._end = 0  # where the next record goes
        self._at_end = True  # whether the file's position is _end (a read moves it)

    def add(self, rejection: Rejection) -> None:
        """Append a rejection (its raw cells as they are; one no pickle can take is kept as its text)."""
        record = _encode(rejection)
        if self._file is None:
            self._file = tempfile.TemporaryFile(prefix="potrack-rejected-")
            # Deleted when the spool is (the file has no name); close() does it at once.
            weakref.finalize(self, self._file.close)
        if not self._at_end:
            self._file.seek(self._end)
            self._at_end = True
        self._file.write(record)
        self._end += len(record)
        self._count += 1

    def __len__(self) -> int:
        return self._count

    def batches(self, size: int = BATCH) -> Iterator[list[Rejection]]:
        """The rejections added so far, in order, `size` at a time."""
        position, left = 0, self._count
        while left and self._file is not None:
            self._at_end = False
            self._file.seek(position)
            batch = [Rejection(*pickle.load(self._file)) for _ in range(min(size, left))]
            position = self._file.tell()
            left -= len(batch)
            yield batch

    def __iter__(self) -> Iterator[Rejection]:
        for batch in self.batches():
            yield from batch

    def close(self) -> None:
        """Delete the file; the spool is empty afterwards."""
        if self._file is not None:
            self._file.close()
        self._file, self._count, self._end, self._at_end = None, 0, 0, True


def _encode(r: Rejection) -> bytes:
    """One rejection as a pickle of its fields."""
    try:
        return pickle.dumps((r.stage, r.row_key, r.raw, r.error, r.location), PROTOCOL)
    except Exception:  # a driver's value pickle cannot take (a memoryview): kept as the text the store would keep
        raw = {name: _picklable(value) for name, value in r.raw.items()}
        return pickle.dumps((r.stage, r.row_key, raw, r.error, r.location), PROTOCOL)


def _picklable(value: Any) -> Any:
    """The value, or its text when pickle cannot take it (what the failed row's JSON holds for it: default=str)."""
    try:
        pickle.dumps(value, PROTOCOL)
    except Exception:
        return str(value)
    return value
