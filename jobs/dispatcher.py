"""Takes queued runs and executes each in a worker thread, one at a time per source."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable

from potrack.pipeline.runner import Pipeline
from potrack.redact import safe_reason
from potrack.store import runs

log = logging.getLogger("potrack.jobs.dispatcher")


class Dispatcher:
    """Starts queued runs; the claim in Pipeline.execute makes sure a run executes once, whoever else dispatches."""

    def __init__(self, pipeline: Pipeline, alive: Callable[[], bool] = lambda: True) -> None:
        self.pipeline = pipeline
        self.alive = alive  # an instance unsure its lease is valid claims nothing: its runs could be taken for dead
        self._lock = threading.Lock()
        self._workers: dict[str, threading.Thread] = {}

    def candidates(self) -> list[tuple[int, str]]:
        """The oldest queued run of each configured source with no run in progress, as (run id, source)."""
        with self.pipeline.engine.connect() as conn:
            return runs.queued_runs_to_start(conn, [s.name for s in self.pipeline.settings.sources])

    def start(self, candidates: list[tuple[int, str]]) -> list[threading.Thread]:
        """Start a worker for each candidate whose source has no worker of this process running."""
        started = []
        with self._lock:
            for run_id, source in candidates:
                worker = self._workers.get(source)
                if worker is not None and worker.is_alive():
                    continue
                worker = threading.Thread(target=self._execute, args=(run_id,), name=f"run-{run_id}", daemon=True)
                self._workers[source] = worker
                worker.start()
                started.append(worker)
        return started

    def dispatch(self) -> list[threading.Thread]:
        """The scheduler's job: start what is queued."""
        if not self.alive():
            return []
        return self.start(self.candidates())

    def join(self, timeout: float | None = None) -> None:
        """Wait for this process's workers to finish."""
        for worker in list(self._workers.values()):
            worker.join(timeout)

    def _execute(self, run_id: int) -> None:
        try:
            if self.pipeline.execute(run_id) is None:
                log.info("run #%s was claimed by another worker", run_id)
        except Exception as exc:  # a worker must never die silently; the run is then abandoned by its heartbeat
            log.exception("run #%s could not be executed: %s", run_id, safe_reason(exc))
