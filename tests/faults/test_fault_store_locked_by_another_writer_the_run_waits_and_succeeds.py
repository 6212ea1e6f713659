"""Fault: another writer holds the store while a `potrack run` process needs to write its results. What must hold:
the run waits for it, finishes only after the lock is let go, succeeds, and stores the night exactly as the ERP
rows make it (nothing half-done); the next run succeeds too.

SQLite: another connection holds the write lock (BEGIN IMMEDIATE) from mid-extract until a few seconds after the
run has read its whole night, so its next write (its stage, its rejected rows, its commit) waits. PostgreSQL: a
session holds po_lines in SHARE mode, and the run is seen waiting for it in its commit.

Only a hold shorter than SQLite's busy timeout (30 s, SQLITE_BUSY_S; potrack has no setting to shorten it) is
tested: one longer makes the run fail, a minute of waiting per test.
"""

from __future__ import annotations

import datetime as dt
import sqlite3
import time
from pathlib import Path

import pytest

from potrack.clock import utcnow
from potrack.store.engine import SQLITE_BUSY_S
from tests.support.faults import (
    CliProcess,
    HeldNight,
    assert_lines_are_the_erps,
    in_commit,
    mid_extract,
    newest_run,
    night,
    plain_engine,
    po_lines_held,
    run_here,
    runs_of,
    setup_workdir,
    sqlite_file,
    store_url,
    wait_for_run,
    write_night,
)
from tests.support.store import run_row

pytestmark = pytest.mark.backends  # the store on SQLite and on PostgreSQL
HOLD_S = 3.0
SIZE = 3000
assert HOLD_S < SQLITE_BUSY_S


def held_by_sqlite_writer(workdir: Path, url: str, rows: list[dict]) -> tuple[CliProcess, dict, dt.datetime]:
    """Run the night with the write lock taken mid-extract and kept HOLD_S after the whole night was read."""
    engine = plain_engine(url)
    night_held = HeldNight(workdir, rows, given=SIZE // 3)
    run = CliProcess(workdir, "locked-out")
    try:
        night_held.give(run.proc)
        night_held.until(newest_run(engine, lambda: run.proc.poll() is None, mid_extract))
        other = sqlite3.connect(sqlite_file(url), isolation_level=None)
        try:
            other.execute("BEGIN IMMEDIATE")
            night_held.finish()
            time.sleep(HOLD_S)  # the run has gone on from its read to its first write, which waits
            during = runs_of(engine)[-1]
            released = utcnow()
        finally:
            other.execute("ROLLBACK")
            other.close()
    finally:
        night_held.close()
    return run, during, released


def held_by_pg_session(workdir: Path, url: str) -> tuple[CliProcess, dict, dt.datetime]:
    """Run the night with po_lines held until the run has waited HOLD_S in its commit."""
    with po_lines_held(url):
        run = CliProcess(workdir, "locked-out")
        wait_for_run(plain_engine(url), lambda: run.proc.poll() is None, in_commit(url), "the commit to wait")
        time.sleep(HOLD_S)
        during = runs_of(plain_engine(url))[-1]
        released = utcnow()
    return run, during, released


def test_a_run_waits_for_another_writer_of_the_store_then_succeeds_with_nothing_half_done(workdir, store_backend):
    setup_workdir(workdir)
    first, second = night(1, SIZE), night(2, SIZE)
    write_night(workdir, first)
    assert run_here()[0] == 0
    url = store_url(workdir, store_backend)
    if store_backend == "postgresql":
        write_night(workdir, second)
        run, during, released = held_by_pg_session(workdir, url)
    else:
        run, during, released = held_by_sqlite_writer(workdir, url, second)

    code, [report], err = run.wait()

    assert during["status"] == "running"  # still waiting when the lock was let go
    assert (code, report["status"], report["lines_processed"]) == (0, "success", len(second)), err
    engine = plain_engine(url)
    assert run_row(engine, report["run_id"])["finished_at"] > released
    assert_lines_are_the_erps(engine, first, second)

    write_night(workdir, second)
    code, again = run_here()
    assert (code, again["status"], again["lines_new"], again["lines_changed"]) == (0, "success", 0, 0)
