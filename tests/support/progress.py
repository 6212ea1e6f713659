"""A real sql source that notes what its run's row shows each time it hands out a batch: progress as shown."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import sqlalchemy as sa

from potrack.config import SourceConfig
from potrack.sources.base import Snapshot
from potrack.sources.sql import SqlSource
from tests.support.store import run_row

SHOWN = ("stage", "rows_done", "rows_total", "rows_total_estimated")


def progress_of(engine: sa.Engine, run_id: int) -> dict[str, Any]:
    """What the run's row says of its progress now."""
    run = run_row(engine, run_id)
    return {k: run[k] for k in SHOWN}


class ObservedSqlSource(SqlSource):
    """The real sql source; before handing out each batch it appends (rows read so far, progress_of) to `seen`."""

    def __init__(self, cfg: SourceConfig, engine: sa.Engine, run_id: int, seen: list[tuple[int, dict[str, Any]]]):
        super().__init__(cfg)
        self.store, self.run_id, self.seen = engine, run_id, seen

    @contextmanager
    def open(self, batch_size: int) -> Iterator[Snapshot]:
        with super().open(batch_size) as snap:

            def observed() -> Iterator[list]:
                read = 0
                for batch in snap.batches:
                    self.seen.append((read, progress_of(self.store, self.run_id)))
                    read += len(batch)
                    yield batch

            yield Snapshot(snap.columns, observed(), snap.rows_total, snap.read_fraction)
