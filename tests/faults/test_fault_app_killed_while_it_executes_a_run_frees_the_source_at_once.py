"""Fault: `kill -9` of a real app process (`python app.py`) while it executes a run queued through its API, in the
run's extract and in its commit. What must hold: the source is free at once, not after the 5-minute heartbeat
timeout or the instance lease: a restarted app abandons the run at its start-up (before it serves), or a CLI run
started right away does; the killed run is `abandoned` in the stage it died in, with an `ingestion.abandoned`
audit event; the night then runs to success and the store holds exactly what the ERP rows make it.

Extract: the night is held in a named pipe, so the app's worker is stopped reading it. Commit: on PostgreSQL a
session holds po_lines (SHARE mode) so the commit waits in its first write of the lines; on SQLite the night is
large enough that its data transaction is caught holding the write lock.
"""

from __future__ import annotations

import contextlib
from pathlib import Path
from typing import Any

import pytest

from potrack.auth.tokens import create_token
from potrack.store import runs
from tests.support.faults import (
    PG_SIZE,
    SQLITE_SIZE,
    HeldNight,
    assert_lines_are_the_erps,
    commit_held,
    in_commit,
    mid_extract,
    newest_run,
    night,
    plain_engine,
    rerun,
    run_here,
    runs_of,
    setup_workdir,
    store_url,
    wait_for_run,
    write_night,
)
from tests.support.processes import AppProcess, AppProcesses
from tests.support.store import audit_events, run_row
from tests.support.timing import wait_for
from tests.support.workdir import open_store

pytestmark = pytest.mark.backends  # the store on SQLite and on PostgreSQL
ACTIVE = ("queued", "running")


def start_app(processes: AppProcesses, name: str, workdir: Path, url: str) -> AppProcess:
    """An app process on the test's store, with its scheduler (and so its worker), ready to serve."""
    env = {
        "POTRACK_INSTANCE": str(workdir / "instance"),
        "POTRACK_SECRET_KEY": "the-same-key-on-every-instance",
        "POTRACK_ADMIN_PASSWORD": "not-printed-1",
    }
    if url.startswith("postgresql"):
        env["POTRACK_DATABASE_URL"] = url
    process = processes.app(name, **env)
    process.wait_ready()
    return process


def queue_through(process: AppProcess, token: str) -> int:
    status, body = process.request("POST", "/api/runs", {"source": "erp"}, token)
    assert status == 202, body
    return int(body["run_id"])


def store_after_night_1(workdir: Path, size: int) -> tuple[list, list, str]:
    """Night 1 stored by the CLI, the night 2 file in place; returns both nights and an operator's API token."""
    setup_workdir(workdir)
    first, second = night(1, size), night(2, size)
    write_night(workdir, first)
    assert run_here()[0] == 0
    write_night(workdir, second)
    return first, second, create_token(open_store().engine, "faults", "operator", actor="test")


def check_abandoned(engine: Any, run_id: int, stage: str) -> None:
    run = run_row(engine, run_id)
    assert (run["status"], run["error_stage"], run["error"]) == ("abandoned", stage, runs.PROCESS_DIED), run
    assert run["rows_done"] > 0 and run["lines_processed"] == run["rows_done"]
    assert [e["event_type"] for e in audit_events(engine, run_id)] == ["ingestion.requested", "ingestion.abandoned"]


def test_an_app_killed_mid_extract_is_found_dead_at_the_restarted_apps_start_and_the_night_runs(
    workdir, app_processes, store_backend
):
    size = 3000
    first, second, token = store_after_night_1(workdir, size)
    url = store_url(workdir, store_backend)
    engine = plain_engine(url)
    killed = start_app(app_processes, "killed", workdir, url)
    held = HeldNight(workdir, second, given=size // 3)
    try:
        run_id = queue_through(killed, token)
        held.give(killed.proc)
        held.until(
            newest_run(engine, lambda: killed.proc.poll() is None, lambda run: run["id"] == run_id and mid_extract(run))
        )
    finally:
        killed.kill()
        held.close()
    write_night(workdir, second)

    restarted = start_app(app_processes, "restarted", workdir, url)

    check_abandoned(engine, run_id, "extract")  # already: at the start-up, before the app served
    again = queue_through(restarted, token)
    done = wait_for(
        lambda: [r for r in runs_of(engine) if r["id"] == again and r["status"] not in ACTIVE],
        90,
        "the new run to finish",
    )
    assert done[0]["status"] == "success" and done[0]["lines_processed"] == len(second), done[0]
    assert_lines_are_the_erps(engine, first, second)


def test_an_app_killed_mid_commit_leaves_its_source_to_an_immediate_cli_run(workdir, app_processes, store_backend):
    size = PG_SIZE if store_backend == "postgresql" else SQLITE_SIZE
    first, second, token = store_after_night_1(workdir, size)
    url = store_url(workdir, store_backend)
    engine = plain_engine(url)
    with commit_held(url):
        killed = start_app(app_processes, "killed", workdir, url)
        with contextlib.ExitStack() as stack:
            stack.callback(killed.kill)
            run_id = queue_through(killed, token)
            wait_for_run(
                engine,
                lambda: killed.proc.poll() is None,
                lambda run: run["id"] == run_id and in_commit(url)(run),
                "the app's commit to be under way",
            )

    code, report, err = rerun(workdir)

    assert (code, report["status"], report["lines_processed"]) == (0, "success", len(second)), err
    check_abandoned(engine, run_id, "commit")
    assert run_row(engine, run_id)["rows_done"] == len(second)
    assert_lines_are_the_erps(engine, first, second)
