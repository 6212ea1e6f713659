"""Progress: a running run shows its stage and rows_done/rows_total (updated at least every 5,000 rows or every
second) and a heartbeat; at start-up, running runs whose heartbeat is over 5 minutes old become abandoned."""

import datetime as dt
import time

import pytest
import sqlalchemy as sa

from potrack.clock import utcnow
from potrack.pipeline.outcome import RunMetrics
from potrack.pipeline.progress import EVERY_ROWS, Heartbeat, Progress
from potrack.pipeline.runner import Pipeline
from potrack.store import runs
from potrack.store.models import Run
from tests.support.erp import erp_line, sql_source_config
from tests.support.progress import ObservedSqlSource
from tests.support.runs import queue_run
from tests.support.store import audit_events, run_row
from tests.support.web import claim_alive
from tests.support.workdir import open_store, write_config

pytestmark = pytest.mark.backends  # the store on SQLite and on PostgreSQL


def running_run(engine, source="erp"):
    with engine.begin() as conn:
        run_id = queue_run(conn, source, "manual")
    assert claim_alive(engine, run_id)  # its process lives: only its heartbeat can tell it stopped
    return run_id


def set_heartbeat(engine, run_id, at):
    with engine.begin() as conn:
        conn.execute(sa.update(Run).where(Run.id == run_id).values(heartbeat_at=at))


def progress_of(engine, run_id):
    run = run_row(engine, run_id)
    return run["stage"], run["rows_done"], run["rows_total"]


def test_finished_run_records_rows_done_and_rows_total(workdir, erp):
    write_config(workdir, sql_source_config(erp))
    erp.write([erp_line("PO1", n) for n in range(1, 8)])
    runtime = open_store()

    report = Pipeline(runtime.settings, runtime.engine).run("erp")

    run = run_row(runtime.engine, report.run_id)
    assert (run["rows_done"], run["rows_total"], run["lines_processed"]) == (7, 7, 7)
    assert run["stage"] is None and run["status"] == "success"
    assert run["started_at"] <= run["heartbeat_at"] <= run["finished_at"]


def test_progress_is_visible_while_the_snapshot_is_read(workdir, erp):
    total = 2 * EVERY_ROWS + 1000
    write_config(workdir, sql_source_config(erp, extra='batch_size = 500\nprogress = "count"'))
    erp.write([erp_line(f"PO{n // 10}", n % 10, item_code="ITEM-1") for n in range(total)])
    runtime = open_store()
    with runtime.engine.begin() as conn:
        run_id = queue_run(conn, "erp", "manual")
    seen = []
    pipeline = Pipeline(
        runtime.settings,
        runtime.engine,
        source_factory=lambda cfg: ObservedSqlSource(cfg, runtime.engine, run_id, seen),
    )

    report = pipeline.execute(run_id)

    assert report.status == "success" and report.metrics.lines_processed == total
    assert len(seen) == total // 500
    for read, shown in seen:
        assert (shown["stage"], shown["rows_total"], shown["rows_total_estimated"]) == ("extract", total, False)
        assert read - EVERY_ROWS <= shown["rows_done"] <= read  # never more than 5,000 rows behind
    assert max(shown["rows_done"] for _, shown in seen) >= 2 * EVERY_ROWS - 500


def test_progress_is_written_every_5000_rows_and_every_second(workdir, erp):
    write_config(workdir, sql_source_config(erp))
    engine = open_store().engine
    run_id = running_run(engine)
    progress = Progress(engine, run_id)

    progress.rows(0, 12000)
    assert progress_of(engine, run_id) == ("extract", 0, 12000)
    progress.rows(EVERY_ROWS, 12000)  # within the second, but 5,000 rows on
    assert progress_of(engine, run_id) == ("extract", EVERY_ROWS, 12000)
    time.sleep(1.05)
    beat_before = run_row(engine, run_id)["heartbeat_at"]
    progress.rows(EVERY_ROWS + 10, 12000)  # few rows, but a second on
    assert progress_of(engine, run_id) == ("extract", EVERY_ROWS + 10, 12000)
    assert run_row(engine, run_id)["heartbeat_at"] > beat_before
    progress.stage("diff")
    assert progress_of(engine, run_id) == ("diff", EVERY_ROWS + 10, 12000)


def test_heartbeat_thread_keeps_a_slow_run_alive(workdir, erp):
    write_config(workdir, sql_source_config(erp))
    engine = open_store().engine
    run_id = running_run(engine)
    stale = utcnow() - dt.timedelta(minutes=10)
    set_heartbeat(engine, run_id, stale)

    with Heartbeat(engine, run_id, every_s=0.05):
        deadline = time.monotonic() + 5
        while run_row(engine, run_id)["heartbeat_at"] == stale and time.monotonic() < deadline:
            time.sleep(0.02)
        assert runs.abandon_stale_runs(engine) == []

    assert run_row(engine, run_id)["heartbeat_at"] > utcnow() - dt.timedelta(seconds=5)
    assert run_row(engine, run_id)["status"] == "running"


def test_running_runs_with_an_old_heartbeat_are_abandoned_with_an_audit_event(workdir, erp):
    write_config(workdir, sql_source_config(erp))
    engine = open_store().engine
    now = utcnow()
    stale = running_run(engine)
    set_heartbeat(engine, stale, now - dt.timedelta(minutes=5, seconds=10))
    alive = running_run(engine, "erp2")  # one running run per source: the store refuses a second
    set_heartbeat(engine, alive, now - dt.timedelta(minutes=4))
    with engine.begin() as conn:
        queued = queue_run(conn, "erp", "manual")
    finished = running_run(engine, "erp3")
    with engine.begin() as conn:
        runs.finish_run(conn, finished, "success", RunMetrics(), now - dt.timedelta(hours=1))
    set_heartbeat(engine, finished, now - dt.timedelta(hours=1))

    runtime = open_store()  # start-up abandons stale runs

    run = run_row(runtime.engine, stale)
    assert run["status"] == "abandoned" and run["stage"] is None and run["finished_at"] is not None
    assert "heartbeat" in run["error"]
    assert [run_row(runtime.engine, r)["status"] for r in (alive, queued, finished)] == ["running", "queued", "success"]
    [event] = audit_events(runtime.engine)
    assert (event["event_type"], event["severity"], event["source"], event["run_id"]) == (
        "ingestion.abandoned",
        "error",
        "erp",
        stale,
    )
    assert runs.abandon_stale_runs(runtime.engine) == []  # once only
    assert len(audit_events(runtime.engine)) == 1
