"""The CLI does not start a second run of a source that already has one queued or running."""

import pytest

from tests.support.cli import run_cli
from tests.support.erp import erp_line, sql_source_config
from tests.support.runs import queue_run
from tests.support.store import store_rows
from tests.support.workdir import open_store, write_config

pytestmark = pytest.mark.backends  # the store on SQLite and on PostgreSQL


def test_cli_run_is_refused_while_the_source_has_a_queued_run(workdir, erp, capsys):
    write_config(workdir, sql_source_config(erp))
    erp.write([erp_line("PO1", 1)])
    engine = open_store().engine
    with engine.begin() as conn:
        queued = queue_run(conn, "erp", "manual")

    code, reports = run_cli("--source", "erp")

    assert code == 1 and reports == []
    assert f"erp already has run #{queued} queued 0 s ago, waiting for a worker; try again" in capsys.readouterr().err
    assert [r["id"] for r in store_rows(engine, "SELECT id FROM runs")] == [queued]


def test_cli_runs_again_once_the_previous_run_has_finished(workdir, erp):
    write_config(workdir, sql_source_config(erp))
    erp.write([erp_line("PO1", 1)])
    assert run_cli("--source", "erp")[0] == 0
    assert run_cli("--source", "erp")[0] == 0
