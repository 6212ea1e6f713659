"""Fault: a second `potrack run` of a source while another process is alive and mid-extract (stopped reading a
night held in a named pipe). What must hold: the second exits 1 without a traceback, naming the run in the way,
"in process <host>:<pid of that process>" and its last sign of life; it queues nothing; the first run, given
the rest of its night, then succeeds as the source's only run."""

from __future__ import annotations

import re
import socket

import pytest

from tests.support.faults import (
    CliProcess,
    HeldNight,
    mid_extract,
    newest_run,
    night,
    plain_engine,
    runs_of,
    setup_workdir,
    store_url,
)

pytestmark = pytest.mark.backends  # the store on SQLite and on PostgreSQL


def test_a_second_cli_run_is_refused_naming_the_live_process_and_queues_nothing(workdir, store_backend):
    setup_workdir(workdir)
    rows = night(1, 2000)
    engine = plain_engine(store_url(workdir, store_backend))
    held = HeldNight(workdir, rows, given=200)
    first = CliProcess(workdir, "first")
    try:
        held.give(first.proc)
        seen = held.until(newest_run(engine, lambda: first.proc.poll() is None, mid_extract))

        code, reports, err = CliProcess(workdir, "second").wait()
        runs_meanwhile = runs_of(engine)

        held.finish()
        first_code, [first_report], _ = first.wait()
    finally:
        held.close()
        if first.proc.poll() is None:
            first.kill()

    assert (code, reports) == (1, [])
    assert "Traceback" not in err
    assert (
        f"potrack: erp already has run #{seen['id']} running in process {socket.gethostname()}:{first.pid}, "
        "last sign of life "
    ) in err
    assert re.search(r"last sign of life \d+ s ago; try again when it has finished\n", err), err
    assert [(r["id"], r["status"]) for r in runs_meanwhile] == [(seen["id"], "running")]  # nothing queued

    assert (first_code, first_report["status"], first_report["lines_processed"]) == (0, "success", len(rows))
    assert [(r["id"], r["status"]) for r in runs_of(engine)] == [(seen["id"], "success")]
