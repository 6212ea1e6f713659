"""A source read from one CSV file or a glob of them, streamed in batches.

Every row carries its origin ("po.csv:17", the line its record starts on), so a failed row can be found in the
file. A row the file cannot give as a row of its header is rejected alone, never the night: bytes that are not
valid in the source's `encoding`, or more non-empty cells than the header has columns.
"""

from __future__ import annotations

import codecs
import csv
import glob
import os
import re
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO, TextIO

from potrack.sources.base import Snapshot, Source, UnreadableRow
from potrack.sources.errors import SourceError

# The csv module refuses cells over 128 KiB by default and would fail the whole file; potrack's own limits
# (fields of at most 1,000 characters) reject an over-long cell's row instead. A cell beyond this still stops
# the run, naming the file and line: one cell of that size is a broken file, not a broken row.
CELL_LIMIT = 64 * 1024 * 1024
csv.field_size_limit(CELL_LIMIT)
# Bytes that are not valid in the file's encoding are decoded as lone surrogates (errors="surrogateescape").
_UNDECODED = re.compile("[\udc80-\udcff]")


class CsvSource(Source):
    """Reads every file matching the configured path; all files must share one header."""

    def _files(self) -> list[str]:
        files = sorted(glob.glob(self.cfg.path or ""))
        if not files:
            raise SourceError(f"source {self.name}: no file matches {self.cfg.path}", transient=False)
        return files

    def _open(self, path: str) -> TextIO:
        # utf-8-sig reads UTF-8 and drops a byte-order mark, which spreadsheet programs write.
        utf8 = codecs.lookup(self.cfg.encoding).name == "utf-8"
        return open(path, newline="", encoding="utf-8-sig" if utf8 else self.cfg.encoding, errors="surrogateescape")

    @contextmanager
    def open(self, batch_size: int) -> Iterator[Snapshot]:
        files = self._files()
        with self._open(files[0]) as fh:
            header = next(csv.reader(fh), None)
        if not header:
            raise SourceError(f"source {self.name}: {files[0]} has no header row", transient=False)
        if any(_UNDECODED.search(name) for name in header):
            raise SourceError(
                f"source {self.name}: the header of {Path(files[0]).name} is not valid "
                f"{self.cfg.encoding} (set the source's encoding)",
                transient=False,
            )
        share = BytesRead(files)
        # A named pipe has no size and no position: with one among the files, no share read is known.
        regular = all(Path(f).is_file() for f in files)
        snapshot = Snapshot(
            columns=header, batches=iter(()), origins=True, read_fraction=share.fraction if regular else None
        )
        snapshot.batches = self._batches(files, header, batch_size, snapshot.unreadable, share)
        yield snapshot

    def _batches(
        self,
        files: list[str],
        header: list[str],
        batch_size: int,
        unreadable: list[UnreadableRow],
        share: BytesRead,
    ) -> Iterator[list]:
        width = len(header)
        for path in files:
            name = Path(path).name
            with self._open(path) as fh:
                share.reading(fh)
                undecodable: set[int] = set()
                reader = csv.reader(_lines(fh, undecodable))
                try:
                    if next(reader, None) != header:
                        raise SourceError(
                            f"source {self.name}: {path} has a different header than {files[0]}", transient=False
                        )
                    batch: list[list[str | None]] = []
                    end = reader.line_num
                    for row in reader:
                        start, end = end + 1, reader.line_num
                        if not row:
                            continue
                        origin = f"{name}:{start}"
                        problem = None
                        if undecodable and not undecodable.isdisjoint(range(start, end + 1)):
                            problem = self._undecodable(row, header)
                        elif len(row) > width and any(row[width:]):
                            problem = f"the row has {len(row)} cells, the header {width} columns"
                        if problem is not None:
                            unreadable.append(
                                UnreadableRow(self._readable(row, width), origin, f"{problem} ({origin})")
                            )
                            continue
                        cells: list[str | None] = [c if c != "" else None for c in row[:width]]
                        if len(cells) < width:  # trailing empty cells left out by the exporter
                            cells.extend([None] * (width - len(cells)))
                        cells.append(origin)
                        batch.append(cells)
                        if len(batch) >= batch_size:
                            yield batch
                            batch = []
                    if batch:
                        yield batch
                    share.finished(path)
                except csv.Error as exc:
                    raise SourceError(
                        f"source {self.name}: {name} line {reader.line_num} cannot be read as CSV ({exc})",
                        transient=False,
                    ) from None

    def _undecodable(self, row: list[str], header: list[str]) -> str:
        """The error of a row holding bytes that are not valid in the encoding: which column, which bytes."""
        for i, cell in enumerate(row):
            found = _UNDECODED.findall(cell)
            if found:
                column = header[i] if i < len(header) else f"cell {i + 1}"
                shown = " ".join(f"0x{ord(c) - 0xDC00:02X}" for c in found[:5])
                return f"{column}: bytes that are not valid {self.cfg.encoding} ({shown})"
        return f"bytes that are not valid {self.cfg.encoding}"  # (in a line break inside a quoted cell)

    def _readable(self, row: list[str], width: int) -> list[str | None]:
        """A rejected row's cells for its record (at least one per column): undecodable bytes as \\xNN escapes."""
        encoding = self.cfg.encoding
        cells: list[str | None] = [
            None
            if c == ""
            else c.encode(encoding, "surrogateescape").decode(encoding, "backslashreplace")
            if _UNDECODED.search(c)
            else c
            for c in row
        ]
        return cells + [None] * (width - len(cells))


class BytesRead:
    """How far a read has got through its files, by their sizes: the share the progress bar estimates from."""

    def __init__(self, files: list[str]) -> None:
        self.total = sum(os.path.getsize(f) for f in files)
        self.done = 0  # the bytes of the files read to the end
        self.current: TextIO | None = None

    def reading(self, fh: TextIO) -> None:
        self.current = fh

    def finished(self, path: str) -> None:
        self.done += os.path.getsize(path)
        self.current = None

    def fraction(self) -> float:
        """0 to 1; the position of the file's byte buffer, ahead of the rows given by at most a chunk."""
        at = self.done + (self.current.buffer.tell() if self.current is not None else 0)
        return min(1.0, at / self.total) if self.total else 1.0


def _lines(fh: IO[str], undecodable: set[int]) -> Iterator[str]:
    """The file's lines, noting the numbers of those with undecodable bytes (an ASCII line is checked in O(1))."""
    for number, line in enumerate(fh, 1):
        if not line.isascii() and _UNDECODED.search(line):
            undecodable.add(number)
        yield line
