"""A sql source: a baseline night then an incremental night through the CLI."""

import pytest

from tests.support.cli import run_cli
from tests.support.erp import erp_line, sql_source_config
from tests.support.workdir import write_config

pytestmark = pytest.mark.backends  # the store on SQLite and on PostgreSQL


def test_baseline_then_incremental_counts_new_changed_removed(workdir, erp):
    write_config(workdir, sql_source_config(erp))
    erp.write([erp_line("PO1", 1), erp_line("PO1", 2, quantity_received=10), erp_line("PO2", 1)])
    code, [first] = run_cli("--source", "erp", "--baseline")
    assert code == 0
    assert first["status"] == "success" and first["baseline"] is True
    assert (first["lines_new"], first["batches_reconstructed"], first["change_events"]) == (3, 1, 0)

    erp.write(
        [erp_line("PO1", 1, promised_date="2026-12-09"), erp_line("PO1", 2, quantity_received=25), erp_line("PO3", 1)]
    )
    code, [second] = run_cli("--source", "erp")
    assert code == 0
    assert second["lines_new"] == 1
    assert second["lines_changed"] == 2
    assert second["lines_removed"] == 1
    assert second["batches_reconstructed"] == 1
