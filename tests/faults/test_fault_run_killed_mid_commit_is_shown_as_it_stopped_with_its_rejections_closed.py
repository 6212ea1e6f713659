"""Fault: `kill -9` of a `potrack run` in its commit, on a night with two bad rows (a negative quantity), found at
the app's start-up. What must hold: the abandoned run keeps what it knew. GET /api/runs/<id> shows it abandoned in
stage commit with the rows it had read and its two rejected rows with their data; the run page says where it
stopped; GET /api/failed-rows lists those rows as resolved (the run was abandoned), never as unresolved work; the
next run of the night records its own two rejections, the only open ones."""

from __future__ import annotations

import pytest

import app
from pages.run_detail import layout
from potrack.store import runs
from tests.support.faults import (
    BAD_KEYS,
    PG_SIZE,
    SQLITE_SIZE,
    CliProcess,
    commit_held,
    in_commit,
    night,
    plain_engine,
    rerun,
    run_here,
    setup_workdir,
    store_url,
    wait_for_run,
    write_night,
)
from tests.support.personas import add_personas, client_as
from tests.support.web import text
from tests.support.workdir import open_store

pytestmark = pytest.mark.backends  # the store on SQLite and on PostgreSQL
BAD = {f"{po}/{line}" for po, line in BAD_KEYS}


def test_an_abandoned_run_shows_its_stage_and_rows_and_its_rejected_rows_are_not_open_work(workdir, store_backend):
    size = PG_SIZE if store_backend == "postgresql" else SQLITE_SIZE
    setup_workdir(workdir)
    second = night(2, size, bad_rows=True)
    write_night(workdir, night(1, size))
    assert run_here()[0] == 0
    write_night(workdir, second)
    url = store_url(workdir, store_backend)
    with commit_held(url):
        killed = CliProcess(workdir, "killed")
        try:
            seen = wait_for_run(
                plain_engine(url),
                lambda: killed.proc.poll() is None,
                in_commit(url),
                "the run's data transaction to be under way",
            )
        finally:
            killed.kill()

    runtime = open_store()  # the app's start-up: the run's lock is free, so it is abandoned now
    app.install(runtime)
    add_personas(runtime.engine)
    vera = client_as("vera")

    run = vera.get(f"/api/runs/{seen['id']}").get_json()
    assert (run["status"], run["error_stage"], run["error"]) == ("abandoned", "commit", runs.PROCESS_DIED)
    assert (run["lines_processed"], run["errors"], run["rejected_total"]) == (len(second), 2, 2)
    assert {r["row_key"]: r["raw"]["quantity_ordered"] for r in run["rejected"]} == {key: "-1" for key in BAD}
    # (its read had ended: the rows read are its total)
    assert f"stopped in stage commit · {len(second):,} / {len(second):,} rows" in text(layout(run_id=str(seen["id"])))

    unresolved = vera.get("/api/failed-rows?resolved=false").get_json()
    assert (unresolved["count"], unresolved["results"]) == (0, [])
    resolved = vera.get(f"/api/failed-rows?run_id={seen['id']}&resolved=true").get_json()["results"]
    assert {r["row_key"] for r in resolved} == BAD
    assert all(r["resolution"].startswith(f"run #{seen['id']} was abandoned") for r in resolved)

    code, report, err = rerun(workdir)
    assert (code, report["status"], report["errors"]) == (3, "partial", 2), err  # partial: its own two bad rows
    open_now = vera.get("/api/failed-rows?resolved=false").get_json()["results"]
    assert sorted((r["run_id"], r["row_key"]) for r in open_now) == sorted((report["run_id"], key) for key in BAD)
