"""Progress of a running run: throttled row counts, stage changes and a heartbeat thread."""

from __future__ import annotations

import logging
import threading
import time
from types import TracebackType

import sqlalchemy as sa

from potrack.redact import safe_reason
from potrack.store import runs

log = logging.getLogger("potrack.pipeline.progress")
EVERY_ROWS = 5000
EVERY_S = 1.0
HEARTBEAT_S = 30.0


class Progress:
    """Writes stage and rows_done/rows_total every 5,000 rows or every second, whichever comes first."""

    def __init__(self, engine: sa.Engine, run_id: int) -> None:
        self.engine = engine
        self.run_id = run_id
        self.stage_name = "extract"
        self.rows_total: int | None = None
        self.rows_done = 0
        self._written_rows = 0
        self._written_at = 0.0

    def stage(self, name: str) -> None:
        """Enter a stage (always written)."""
        self.stage_name = name
        self._write()

    def rows(self, done: int, total: int | None) -> None:
        """Report rows read so far; written only when due."""
        self.rows_done, self.rows_total = done, total
        if done - self._written_rows >= EVERY_ROWS or time.monotonic() - self._written_at >= EVERY_S:
            self._write()

    def _write(self) -> None:
        self._written_rows, self._written_at = self.rows_done, time.monotonic()
        try:
            runs.update_progress(self.engine, self.run_id, self.stage_name, self.rows_done, self.rows_total)
        except sa.exc.OperationalError as exc:
            log.warning("run #%s: progress not saved (%s)", self.run_id, safe_reason(exc))


class Heartbeat:
    """Beats a run's heart from a background thread, so a slow query does not look like a dead run."""

    def __init__(self, engine: sa.Engine, run_id: int, every_s: float = HEARTBEAT_S) -> None:
        self.engine = engine
        self.run_id = run_id
        self.every_s = every_s
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._beat, name=f"heartbeat-run-{run_id}", daemon=True)

    def _beat(self) -> None:
        while not self._stop.wait(self.every_s):
            try:
                runs.heartbeat(self.engine, self.run_id)
            except sa.exc.OperationalError as exc:
                log.warning("run #%s: heartbeat not saved (%s)", self.run_id, safe_reason(exc))

    def __enter__(self) -> Heartbeat:
        self._thread.start()
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None) -> None:
        self._stop.set()
        self._thread.join()
