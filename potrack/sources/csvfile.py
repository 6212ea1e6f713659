"""A source read from one CSV file or a glob of them, streamed in batches."""

from __future__ import annotations

import csv
import glob
from collections.abc import Iterator
from contextlib import contextmanager

from potrack.sources.base import Snapshot, Source
from potrack.sources.errors import SourceError


class CsvSource(Source):
    """Reads every file matching the configured path; all files must share one header."""

    def _files(self) -> list[str]:
        files = sorted(glob.glob(self.cfg.path or ""))
        if not files:
            raise SourceError(f"source {self.name}: no file matches {self.cfg.path}", transient=False)
        return files

    @contextmanager
    def open(self, batch_size: int) -> Iterator[Snapshot]:
        files = self._files()
        with open(files[0], newline="", encoding="utf-8-sig") as fh:
            header = next(csv.reader(fh), None)
        if not header:
            raise SourceError(f"source {self.name}: {files[0]} has no header row", transient=False)
        yield Snapshot(columns=header, batches=self._batches(files, header, batch_size))

    def _batches(self, files: list[str], header: list[str], batch_size: int) -> Iterator[list]:
        width = len(header)
        for path in files:
            with open(path, newline="", encoding="utf-8-sig") as fh:
                reader = csv.reader(fh)
                if next(reader, None) != header:
                    raise SourceError(f"source {self.name}: {path} has a different header than {files[0]}", transient=False)
                batch: list[list[str | None]] = []
                for row in reader:
                    if not row:
                        continue
                    cells: list[str | None] = [c if c != "" else None for c in row]
                    if len(cells) < width:
                        cells.extend([None] * (width - len(cells)))
                    batch.append(cells)
                    if len(batch) >= batch_size:
                        yield batch
                        batch = []
                if batch:
                    yield batch
