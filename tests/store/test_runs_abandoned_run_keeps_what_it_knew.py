"""A run whose process died is abandoned as soon as anyone looks (a new run of its source, the stale check,
start-up) and keeps what it knew: its last stage, rows read, duration up to its last heartbeat and the rows it had
rejected, which stay stored but are no longer open work."""

import datetime as dt
import json

import pytest
import sqlalchemy as sa

from pages._components import run_summary
from potrack.clock import utcnow
from potrack.store import runs
from potrack.store.failed_rows import FailedRowFilter, list_failed_rows
from potrack.store.models import FailedRow
from potrack.store.run_history import run_detail
from tests.support.store import audit_events, run_row
from tests.support.web import add_run, text

pytestmark = pytest.mark.backends  # the store on SQLite and on PostgreSQL


def add_rejected_rows(engine: sa.Engine, run_id: int, count: int) -> None:
    with engine.begin() as conn:
        conn.execute(
            sa.insert(FailedRow),
            [
                {
                    "run_id": run_id,
                    "source": "demo",
                    "stage": "validate",
                    "row_key": f"PO{n}/1",
                    "raw_data": json.dumps({"po_number": f"PO{n}", "quantity_ordered": "-1"}),
                    "error": "negative",
                    "retry_count": 0,
                }
                for n in range(count)
            ],
        )


def test_a_dead_runs_stage_rows_duration_and_rejections_are_kept(web):
    started = utcnow() - dt.timedelta(seconds=40)
    dead = add_run(
        web.engine,
        status="running",
        alive=False,
        queued_at=started,
        stage="commit",
        rows_done=7000,
        rows_total=10000,
        heartbeat_at=started + dt.timedelta(seconds=25),
    )
    add_rejected_rows(web.engine, dead, 3)

    assert runs.abandon_stale_runs(web.engine) == [dead]  # at once: its heartbeat is only 15 s old

    run = run_row(web.engine, dead)
    assert run["status"] == "abandoned" and run["error_stage"] == "commit" and run["stage"] is None
    assert (run["rows_done"], run["rows_total"], run["lines_processed"], run["errors"]) == (7000, 10000, 7000, 3)
    assert run["duration_s"] == pytest.approx(25.0)
    assert run["error"] == runs.PROCESS_DIED
    [event] = [e for e in audit_events(web.engine, dead) if e["event_type"] == "ingestion.abandoned"]
    assert "abandoned in stage commit: the process running it ended without recording its outcome" in event["message"]

    with web.engine.connect() as conn:
        kept = list_failed_rows(conn, FailedRowFilter(run_id=dead))
        still_open = list_failed_rows(conn, FailedRowFilter(resolved=False))
    assert len(kept.rows) == 3 and all(r.raw["quantity_ordered"] == "-1" for r in kept.rows)
    assert {r.resolution for r in kept.rows} == {
        f"run #{dead} was abandoned: nothing of it was committed; retry the run"
    }
    assert still_open.rows == []


def test_a_live_runs_lock_keeps_it_running_and_a_new_run_is_refused_naming_it(web):
    alive = add_run(
        web.engine, status="running", claimed_by=runs.process_claim(), heartbeat_at=utcnow() - dt.timedelta(seconds=30)
    )
    assert runs.abandon_stale_runs(web.engine) == []
    run_id, queued = runs.queue_run_unless_active(web.engine, "demo", "manual")
    assert (run_id, queued) == (alive, False)
    text = runs.describe_active(web.engine, alive)
    pid = runs.process_claim().removeprefix(runs.PROCESS_PREFIX)
    assert text.startswith(f"run #{alive} running in process {pid}, last sign of life 3")  # 30 s, or 31 s
    assert text.endswith(" s ago")


def test_a_new_run_of_the_source_takes_over_from_a_dead_one_at_once(web):
    dead = add_run(web.engine, status="running", alive=False, stage="extract", rows_done=12)
    run_id, queued = runs.queue_run_unless_active(web.engine, "demo", "manual")
    assert queued and run_id != dead
    assert run_row(web.engine, dead)["status"] == "abandoned"
    assert run_row(web.engine, run_id)["status"] == "queued"


def test_the_run_card_says_where_an_abandoned_run_stopped(web):
    dead = add_run(web.engine, status="running", alive=False, stage="validate", rows_done=2500, rows_total=10000)
    runs.abandon_stale_runs(web.engine)
    with web.engine.connect() as conn:
        run = run_detail(conn, dead, 10).run
    shown = text(run_summary(run, utcnow()))
    assert "stopped in stage validate · 2,500 / 10,000 rows" in shown
    assert "2,500 lines processed" in shown and "Abandoned: the process running it ended without recording" in shown
