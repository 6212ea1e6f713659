"""Fault: `kill -9` of a `potrack run` process mid-extract and mid-commit. What must hold: the source is free at
once, an immediate rerun (a new process, no waiting) exits 0 and leaves exactly the store of an uninterrupted
night (lines with their custom values, change events, receipt batches, unmapped codes, open rejected rows; compared
with a second store and with the ERP rows themselves), and the killed run is `abandoned` in the stage it died in,
with the rows it had read and an `ingestion.abandoned` audit event.

Mid-extract: the night is a named pipe holding half its rows, so the process is stopped reading. Mid-commit: on
PostgreSQL a session holds po_lines (SHARE mode) so the commit waits in its first write of the lines; on SQLite the
night is large enough (20,000 lines, every other one changed) that its data transaction is caught holding the
write lock.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from potrack.store import runs
from tests.support.faults import (
    PG_SIZE,
    SQLITE_SIZE,
    CliProcess,
    HeldNight,
    assert_lines_are_the_erps,
    assert_same_state,
    clean_url,
    commit_held,
    in_commit,
    mid_extract,
    newest_run,
    night,
    plain_engine,
    rerun,
    run_here,
    setup_workdir,
    store_url,
    wait_for_run,
    write_night,
)
from tests.support.store import audit_events, run_row

pytestmark = pytest.mark.backends  # the store on SQLite and on PostgreSQL


def two_stores_after_night_1(workdir: Path, clean: dict[str, str], size: int) -> tuple[list, list]:
    """Night 1 in both stores, night 2 in the clean one only; the night 2 file is in place. Returns both nights."""
    setup_workdir(workdir)
    first, second = night(1, size), night(2, size)
    write_night(workdir, first)
    assert run_here()[0] == 0 and run_here(clean)[0] == 0
    write_night(workdir, second)
    assert run_here(clean)[0] == 0
    return first, second


def check_abandoned(engine: Any, seen: dict[str, Any], stage: str) -> dict[str, Any]:
    """The killed run as the rerun left it: abandoned in `stage`, its rows kept, audited."""
    run = run_row(engine, seen["id"])
    assert run["status"] == "abandoned" and run["error_stage"] == stage, run
    assert run["error"] == runs.PROCESS_DIED  # found dead by its free lock, not by a timeout
    assert run["rows_done"] >= seen["rows_done"] > 0 and run["lines_processed"] == run["rows_done"]
    assert run["duration_s"] is not None and run["finished_at"] is not None
    assert [e["event_type"] for e in audit_events(engine, seen["id"])] == ["ingestion.abandoned"]
    return run


def test_a_cli_killed_mid_extract_frees_its_source_for_an_immediate_rerun_that_leaves_the_clean_state(
    workdir, clean_store, store_backend
):
    size = 3000
    first, second = two_stores_after_night_1(workdir, clean_store, size)
    engine = plain_engine(store_url(workdir, store_backend))
    held = HeldNight(workdir, second, given=size // 3)
    killed = CliProcess(workdir, "killed")
    try:
        held.give(killed.proc)
        seen = held.until(newest_run(engine, lambda: killed.proc.poll() is None, mid_extract))
        killed.kill()
    finally:
        held.close()
        if killed.proc.poll() is None:
            killed.kill()

    write_night(workdir, second)
    code, report, err = rerun(workdir)

    assert (code, report["status"], report["lines_processed"]) == (0, "success", len(second)), err
    run = check_abandoned(engine, seen, "extract")
    assert run["rows_done"] <= held.sent < len(second)  # it read no more than the pipe gave it
    assert_same_state(engine, plain_engine(clean_url(workdir, clean_store)))
    assert_lines_are_the_erps(engine, first, second)


def test_a_cli_killed_mid_commit_frees_its_source_for_an_immediate_rerun_that_leaves_the_clean_state(
    workdir, clean_store, store_backend
):
    size = PG_SIZE if store_backend == "postgresql" else SQLITE_SIZE
    first, second = two_stores_after_night_1(workdir, clean_store, size)
    url = store_url(workdir, store_backend)
    engine = plain_engine(url)
    with commit_held(url):
        killed = CliProcess(workdir, "killed")
        try:
            seen = wait_for_run(
                engine, lambda: killed.proc.poll() is None, in_commit(url), "the run's data transaction to be under way"
            )
        finally:
            killed.kill()

    code, report, err = rerun(workdir)

    assert (code, report["status"], report["lines_processed"]) == (0, "success", len(second)), err
    run = check_abandoned(engine, seen, "commit")
    assert run["rows_done"] == len(second)  # it had read the whole night
    assert_same_state(engine, plain_engine(clean_url(workdir, clean_store)))
    assert_lines_are_the_erps(engine, first, second)
