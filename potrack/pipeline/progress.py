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


def expected_total(done: int, exact: int | None, fraction: float | None, previous: int | None) -> int | None:
    """The total rows to show beside `done`: the source's exact count; else an estimate from the share of the
    source read so far, or from the rows the source's previous run read; never fewer than `done`."""
    if exact is not None:
        return exact
    if fraction and done:
        return max(done, round(done / fraction))
    if previous is not None:
        return max(done, previous)
    return None


class Progress:
    """Writes stage and rows_done/rows_total every 5,000 rows or every second, whichever comes first.

    `previous` (the rows the source's last completed run read) stands in for the total while a source gives none;
    such a total is written as an estimate until the read ends, when the rows read are the total.
    """

    def __init__(self, engine: sa.Engine, run_id: int, first_stage: str = "extract") -> None:
        self.engine = engine
        self.run_id = run_id
        self.stage_name = first_stage
        self.previous: int | None = None
        self.rows_total: int | None = None
        self.estimated = False
        self.rows_done = 0
        self._written_rows = 0
        self._written_at = 0.0
        self._stage_started = time.monotonic()
        self.timings: dict[str, float] = {}

    def stage(self, name: str) -> None:
        """Enter a stage (always written); the time spent in the previous one is kept in `timings`."""
        self._close_stage()
        self.stage_name = name
        self._write()

    def _close_stage(self) -> None:
        now = time.monotonic()
        self.timings[self.stage_name] = self.timings.get(self.stage_name, 0.0) + now - self._stage_started
        self._stage_started = now

    def timing_text(self) -> str:
        """Seconds per stage so far, for the run's log line (where does a slow night spend its time)."""
        self._close_stage()
        return ", ".join(f"{name} {seconds:.2f} s" for name, seconds in self.timings.items())

    def rows(self, done: int, exact: int | None, fraction: float | None = None) -> None:
        """Report rows read so far, with the source's exact total or the share of it read; written when due."""
        total = expected_total(done, exact, fraction, self.previous)
        estimated = exact is None and total is not None
        # An estimate moves with every batch: only a new kind of total, or one first known, is written at once.
        total_changed = estimated != self.estimated or (total is None) != (self.rows_total is None)
        total_changed = total_changed or (not estimated and total != self.rows_total)
        self.rows_done, self.rows_total, self.estimated = done, total, estimated
        if total_changed or done - self._written_rows >= EVERY_ROWS or time.monotonic() - self._written_at >= EVERY_S:
            self._write()

    def read_all(self, done: int) -> None:
        """The read is over: the rows read are the exact total."""
        self.rows(done, done)

    def _write(self) -> None:
        self._written_rows, self._written_at = self.rows_done, time.monotonic()
        try:
            runs.update_progress(
                self.engine, self.run_id, self.stage_name, self.rows_done, self.rows_total, self.estimated
            )
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

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self._stop.set()
        self._thread.join()
