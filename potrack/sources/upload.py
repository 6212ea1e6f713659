"""An uploaded snapshot file as a source: where uploads are kept, and reading one as the csv source reads its files,
with the rows total counted when the file was received (so its progress is exact, not an estimate)."""

from __future__ import annotations

import dataclasses
import glob
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from potrack.config import SourceConfig
from potrack.sources.base import Snapshot
from potrack.sources.csvfile import CsvSource


def uploads_dir(instance_dir: Path, source: str) -> Path:
    """Where a source's uploaded files are kept."""
    return instance_dir / "uploads" / source


def stored_path(instance_dir: Path, source: str, upload_id: int, file_name: str) -> Path:
    """Where an upload's file is kept."""
    return uploads_dir(instance_dir, source) / str(upload_id) / file_name


class UploadedFile(CsvSource):
    """One uploaded file of a source, read with the source's columns and encoding."""

    def __init__(self, cfg: SourceConfig, path: Path, rows_total: int) -> None:
        super().__init__(dataclasses.replace(cfg, path=glob.escape(str(path))))  # a name with [ ] is no pattern
        self.rows_total = rows_total

    @contextmanager
    def open(self, batch_size: int) -> Iterator[Snapshot]:
        with super().open(batch_size) as snapshot:
            snapshot.rows_total, snapshot.read_fraction = self.rows_total, None
            yield snapshot
