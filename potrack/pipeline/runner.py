"""Runs one pipeline run: extract → validate → xref → diff → batches → custom columns → commit → report."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from potrack import events
from potrack.clock import utcnow
from potrack.config import Settings, SourceConfig
from potrack.pipeline import row_retry
from potrack.pipeline.commit import RunContext, StageFailed, Written, commit_run
from potrack.pipeline.consistency import check_run
from potrack.pipeline.extract import ExtractFailed, extract_with_retries
from potrack.pipeline.gc_pause import gc_paused
from potrack.pipeline.outcome import RunMetrics
from potrack.pipeline.progress import Heartbeat, Progress
from potrack.pipeline.removal_guard import removal_refusal
from potrack.pipeline.stream import SnapshotRead, duplicate_keys, read_snapshot, withdraw_duplicates
from potrack.pipeline.validate import Key
from potrack.redact import safe_reason
from potrack.rejection_words import PASSED, SUPERSEDED
from potrack.sources import Source, make_source
from potrack.sources.upload import UploadedFile, stored_path
from potrack.store import audit, failed_rows, liveness, runs, subscriber_outbox, uploads
from potrack.store import lines as store_lines
from potrack.store import xref as store_xref
from potrack.store.bulk import dates_as_text
from potrack.store.models import Run

log = logging.getLogger("potrack.pipeline")
SourceFactory = Callable[[SourceConfig], Source]


class RunRefused(Exception):
    """A run was not started because its source already has one queued or running."""


@dataclass(frozen=True)
class RunReport:
    """The outcome of one run, as printed by `potrack run --json`."""

    run_id: int
    source: str
    status: str
    baseline: bool
    duration_s: float
    metrics: RunMetrics
    error: str | None
    notes: tuple[str, ...] = ()

    def as_json(self) -> dict[str, Any]:
        return {
            "run_id": self.run_id,
            "source": self.source,
            "status": self.status,
            "baseline": self.baseline,
            "duration_s": self.duration_s,
            **self.metrics.as_dict(),
            "error": self.error,
            "notes": list(self.notes),
        }


class Pipeline:
    """Executes runs for the configured sources against one store."""

    def __init__(
        self,
        settings: Settings,
        engine: sa.Engine,
        *,
        sleep: Callable[[float], None] = time.sleep,
        source_factory: SourceFactory | None = None,
        instance_id: str | None = None,
    ) -> None:
        self.settings = settings
        self.engine = engine
        self.instance_id = instance_id  # the app instance whose claims these are (None: the command line)
        self.sleep = sleep
        self.source_factory = source_factory or (lambda cfg: make_source(cfg, settings.instance_dir))

    def run(
        self,
        source: str,
        *,
        trigger: str = "cli",
        baseline: bool = False,
        accept_removals: bool = False,
        requested_by: str | None = None,
    ) -> RunReport:
        """Queue a run for a source and execute it at once; refused while the source has one queued or running, and
        for a source fed by uploaded files only."""
        if self.settings.source(source).upload_only:
            raise RunRefused(f"{source} is fed by uploaded files only (it has no path to read): upload a file instead")
        run_id, queued = runs.queue_run_unless_active(
            self.engine, source, trigger, requested_by=requested_by, baseline=baseline, accept_removals=accept_removals
        )
        if not queued:
            raise RunRefused(
                f"{source} already has {runs.describe_active(self.engine, run_id)}; try again when it has finished"
            )
        report = self.execute(run_id)
        assert report is not None, "a run queued by this call cannot be claimed by another"
        return report

    def execute(self, run_id: int) -> RunReport | None:
        """Claim a queued run and execute it; None when another worker claimed it first.

        The run's liveness lock is taken before the claim and held until its outcome is written: whoever finds it
        running with the lock free knows its process died.
        """
        with liveness.held(self.engine, run_id) as alive:
            if not alive or not runs.claim_run(self.engine, run_id, self.instance_id or runs.process_claim()):
                return None
            with self.engine.connect() as conn:
                run = conn.execute(sa.select(Run).where(Run.id == run_id)).mappings().one()
                upload = uploads.upload_of_run(conn, run_id) if run["upload_id"] is not None else None
            cfg = self.settings.source(run["source"])
            with Heartbeat(self.engine, run_id), gc_paused():
                if run["trigger"] == "row_retry":
                    return self._retry_rows(run_id, cfg, run["started_at"])
                source = None
                if upload is not None:  # an upload run (or a retry of one) reads its file, not the source's path
                    upload_id, _, file_name, rows_total = upload
                    path = stored_path(self.settings.instance_dir, cfg.name, upload_id, file_name)
                    source = UploadedFile(cfg, path, rows_total)
                return self._execute(
                    run_id, cfg, bool(run["baseline"]), bool(run["accept_removals"]), run["started_at"], source
                )

    def _retry_rows(self, run_id: int, cfg: SourceConfig, started: Any) -> RunReport:
        """A row_retry run: its selected rows through validate, xref and diff, then the commit with their outcomes."""
        metrics = RunMetrics()
        progress = Progress(self.engine, run_id, first_stage="state")
        with self.engine.connect() as conn:
            selected = failed_rows.selected_rows(conn, run_id)
            latest = row_retry.latest_snapshot_run(conn, cfg.name)
            overrides = store_xref.local_mappings(conn, cfg.name)
        retried, superseded = row_retry.split_superseded(selected, latest)
        retried, unreadable = row_retry.split_unreadable(retried)
        keys: list[Key | None] = []
        has_inactive = False
        try:
            if retried:
                source = row_retry.RetriedRows(cfg, retried, self.source_factory(cfg))
                keys = row_retry.row_keys(source, cfg)
                with self.engine.connect() as conn:
                    previous, has_inactive = row_retry.stored_digests(conn, cfg.name, {k for k in keys if k})
                progress.stage("extract")
                read = read_snapshot(source, cfg, previous, False, progress, overrides)
            else:
                read = row_retry.nothing_read()
        except Exception as exc:
            metrics.errors = 1
            return self._fail(run_id, cfg.name, False, started, metrics, safe_reason(exc), "validate")

        def settle(conn: sa.Connection) -> None:
            failing = row_retry.outcomes(retried, keys, read) | unreadable
            failed_rows.count_retry(conn, [r.id for r in selected])
            failed_rows.resolve(
                conn, [r.id for r in retried if r.id not in failing], run_id, f"{PASSED} in run #{run_id}"
            )
            failed_rows.resolve(
                conn,
                superseded,
                run_id,
                f"{SUPERSEDED} #{latest}: a later snapshot already holds this line; not written",
            )
            failed_rows.still_failing(conn, failing)

        try:
            return self._commit(run_id, cfg, read, False, has_inactive, started, metrics, progress, settle)
        finally:
            read.diff.close()

    def _execute(
        self,
        run_id: int,
        cfg: SourceConfig,
        baseline: bool,
        accept_removals: bool,
        started: Any,
        source: Source | None = None,
    ) -> RunReport:
        """Stages 1–3 with retries (the first run of a source is its baseline), then the commit; `source` is the
        one to read when not the configured source (an uploaded file)."""
        metrics = RunMetrics()
        progress = Progress(self.engine, run_id, first_stage="state")
        source = source or self.source_factory(cfg)
        with self.engine.connect() as conn:
            progress.previous = runs.rows_last_read(conn, cfg.name)
            stored = store_lines.stored_state(conn, cfg.name)
            overrides = store_xref.local_mappings(conn, cfg.name)
        previous, has_inactive = stored.digests, stored.has_inactive
        if not baseline and not previous and not has_inactive:
            baseline = True  # a source's first run is its baseline: no diff against an empty store
            runs.mark_baseline(self.engine, run_id)

        def record_attempt(number: int, error: str, transient: bool, wait: float | None) -> None:
            runs.record_attempt(self.engine, run_id, number, error, transient, wait)
            log.warning(
                "run #%s %s: extract attempt %s failed (%s)%s",
                run_id,
                cfg.name,
                number,
                error,
                f", retrying in {wait:.1f} s" if wait is not None else "",
            )

        progress.stage("extract")
        try:
            read, metrics.retry_attempts = extract_with_retries(
                lambda: read_snapshot(source, cfg, previous, baseline, progress, overrides),
                cfg.retry,
                record_attempt,
                self.sleep,
            )
        except ExtractFailed as exc:
            metrics.retry_attempts, metrics.errors = exc.attempts, 1
            return self._fail(run_id, cfg.name, baseline, started, metrics, exc.reason, "extract")

        try:
            return self._commit(
                run_id, cfg, read, baseline, has_inactive, started, metrics, progress, accept_removals=accept_removals
            )
        finally:
            read.diff.close()

    def _commit(
        self,
        run_id: int,
        cfg: SourceConfig,
        read: SnapshotRead,
        baseline: bool,
        has_inactive: bool,
        started: Any,
        metrics: RunMetrics,
        progress: Progress,
        settle_rows: Callable[[sa.Connection], None] | None = None,
        accept_removals: bool = False,
    ) -> RunReport:
        """Stages 4–7 after a successful extract: duplicates, the removal guard, failed rows, the one data
        transaction, report.

        A row retry passes `settle_rows`, which records its rows' outcomes in the data transaction
        instead of storing the rejections as new failed rows.
        """
        diff = read.diff
        metrics.lines_processed = read.rows
        stage = "diff"
        try:  # from here on an unexpected error still fails the run properly (record, audit event, report)
            progress.stage("diff")
            needed = duplicate_keys(diff)
            if needed:
                with self.engine.connect() as conn:
                    stored = store_lines.fetch_lines(conn, cfg.name, needed)
                withdraw_duplicates(read, stored)
            removed = diff.removed_keys()
            refusal = (
                None if accept_removals else removal_refusal(len(removed), len(diff.previous), cfg.max_removed_fraction)
            )
            if refusal is not None:  # nothing is written, not even the snapshot's rejected rows
                metrics.errors = 1
                return self._fail(run_id, cfg.name, baseline, started, metrics, refusal, "diff", read.notes)
            if settle_rows is None:
                with self.engine.begin() as conn:
                    runs.save_failed_rows(conn, run_id, cfg.name, read.rejections)
            metrics.errors = len(read.rejections)
            metrics.custom_values = read.custom_values
            metrics.xref_gaps = len(read.xref.unmapped)
            status = "partial" if read.rejections else "success"

            progress.stage("commit")
            ctx = RunContext(
                cfg.name,
                run_id,
                read.custom_names,
                baseline,
                has_inactive,
                utcnow(),
                dates_as_text(self.engine.dialect),
            )
            with self.engine.begin() as conn:
                # A baseline's keys are millions of tuples: keep them only for someone who listens.
                written = commit_run(
                    conn,
                    diff,
                    ctx,
                    read.xref.unmapped,
                    removed,
                    keep_keys=self._keep_keys(),
                )
                metrics.lines_new = written.lines_new
                metrics.lines_changed = written.lines_changed
                metrics.lines_removed = len(written.removed_keys)
                metrics.change_events = written.change_events
                metrics.batches_reconstructed = written.batches
                stage = "commit"
                store_xref.note_erp_view(conn, cfg.name, run_id, read.xref.source_view)
                if settle_rows is not None:
                    settle_rows(conn)
                duration = runs.finish_run(conn, run_id, status, metrics, started, notes=read.notes)
                report = RunReport(run_id, cfg.name, status, baseline, duration, metrics, None, read.notes)
                self._queue_events(conn, report, written)
                audit.record(
                    conn,
                    "ingestion.completed",
                    self._summary(run_id, cfg.name, status, metrics, duration),
                    severity="warning" if status == "partial" else "info",
                    source=cfg.name,
                    run_id=run_id,
                    details={**metrics.as_dict(), "notes": list(read.notes)},
                )
        except runs.RunNoLongerRunning as exc:
            return self._taken_away(run_id, cfg.name, baseline, started, exc)
        except Exception as exc:
            cause = exc.__cause__ if isinstance(exc, StageFailed) and exc.__cause__ else exc
            stage = exc.stage if isinstance(exc, StageFailed) else stage
            log.error(
                "run #%s %s: stage %s failed; nothing of the run was committed", run_id, cfg.name, stage, exc_info=cause
            )
            metrics.errors = len(read.rejections) + 1
            # Rolled back: the run wrote no lines, events or batches, so it must not report any.
            metrics.lines_new = metrics.lines_changed = metrics.lines_removed = 0
            metrics.change_events = metrics.batches_reconstructed = 0
            return self._fail(run_id, cfg.name, baseline, started, metrics, safe_reason(cause), stage, read.notes)

        log.info(
            "%s (%s)%s",
            self._summary(run_id, cfg.name, status, metrics, duration),
            progress.timing_text(),
            "".join(f"; {note}" for note in read.notes),
        )
        # A row retry holds a few keys, not the source's whole snapshot: its active-line count says nothing.
        self._check(run_id, cfg.name, diff.expected_active() if settle_rows is None else None)
        self._publish(report, written)
        return report

    def _check(self, run_id: int, source: str, expected_active: int | None) -> None:
        try:
            with self.engine.connect() as conn:
                problems = check_run(conn, source, run_id, expected_active)
        except sa.exc.SQLAlchemyError as exc:  # the run is committed; a check that cannot run must not undo that
            log.error("run #%s %s: consistency checks could not run (%s)", run_id, source, safe_reason(exc))
            return
        if problems:
            for problem in problems:
                log.error("run #%s %s: consistency check: %s", run_id, source, problem)
            runs.record_check_problems(self.engine, run_id, problems)

    @staticmethod
    def _summary(run_id: int, source: str, status: str, m: RunMetrics, duration: float) -> str:
        return (
            f"run #{run_id} {source} {status} in {duration:.2f} s: {m.lines_processed} lines, {m.lines_new} new, "
            f"{m.lines_changed} changed, {m.lines_removed} removed, {m.change_events} change events, "
            f"{m.batches_reconstructed} batches, {m.xref_gaps} xref gaps, {m.errors} errors"
        )

    def _fail(
        self,
        run_id: int,
        source: str,
        baseline: bool,
        started: Any,
        metrics: RunMetrics,
        reason: str,
        stage: str,
        notes: tuple[str, ...] = (),
    ) -> RunReport:
        error = f"{stage}: {reason}"[:1000]
        try:
            with self.engine.begin() as conn:
                duration = runs.finish_run(
                    conn, run_id, "failed", metrics, started, error=error, error_stage=stage, notes=notes
                )
                self._queue_events(conn, RunReport(run_id, source, "failed", baseline, duration, metrics, error, notes))
                audit.record(
                    conn,
                    "ingestion.failed",
                    f"run #{run_id} {source} failed in stage {stage}: {reason}",
                    severity="error",
                    source=source,
                    run_id=run_id,
                    details={"stage": stage, **metrics.as_dict()},
                )
        except runs.RunNoLongerRunning as exc:
            return self._taken_away(run_id, source, baseline, started, exc)
        except sa.exc.SQLAlchemyError as exc:  # the store cannot take the record either (its disk is full)
            duration = round((utcnow() - started).total_seconds(), 3)
            log.error(
                "run #%s %s: its failure could not be recorded in the store (%s); the run stays running there "
                "until the next run of the source marks it abandoned",
                run_id,
                source,
                safe_reason(exc),
            )
        report = RunReport(run_id, source, "failed", baseline, duration, metrics, error, notes)
        events.publish(events.RUN_FINISHED, report.as_json())  # (logged) before the run's last word, its failure
        log.error("run #%s %s failed in %.2f s at stage %s: %s", run_id, source, duration, stage, reason)
        return report

    @staticmethod
    def _taken_away(run_id: int, source: str, baseline: bool, started: Any, exc: runs.RunNoLongerRunning) -> RunReport:
        """The run was abandoned by another instance while it executed: its outcome stays `abandoned`."""
        log.error("run #%s %s: %s", run_id, source, exc)
        duration = round((utcnow() - started).total_seconds(), 3)
        return RunReport(run_id, source, "abandoned", baseline, duration, RunMetrics(), str(exc))

    def _keep_keys(self) -> bool:
        """Whether the commit keeps the keys it touches: someone hears po_lines.changed, in this process or
        configured. A baseline's keys are millions of tuples: kept only for someone who listens."""
        heard = any(s.hears(events.PO_LINES_CHANGED) for s in self.settings.subscribers)
        return heard or events.has_subscribers(events.PO_LINES_CHANGED)

    def _queue_events(self, conn: sa.Connection, report: RunReport, written: Written | None = None) -> None:
        """Queue the run's events for the configured subscribers in its data transaction: they commit with the run
        (none is lost, none queued twice); delivered afterwards, off this thread (potrack.subscribers)."""
        keys = None
        if written is not None and written.keep_keys:
            keys = {"new": written.new_keys, "changed": written.changed_keys, "removed": written.removed_keys}
        subscriber_outbox.queue_run(conn, self.settings.subscribers, report.as_json(), keys, utcnow())

    @staticmethod
    def _publish(report: RunReport, written: Written) -> None:
        events.publish(events.RUN_FINISHED, report.as_json())
        if not written.keep_keys:
            return
        events.publish(
            events.PO_LINES_CHANGED,
            {
                "source": report.source,
                "run_id": report.run_id,
                "new": written.new_keys,
                "changed": written.changed_keys,
                "removed": written.removed_keys,
            },
        )
