"""A sql source (a real ERP SQLite file): a baseline night then an incremental night through the CLI."""

import json

import pytest

from tests.support.cli import run_cli, run_cli_process
from tests.support.erp import sql_source_config
from tests.support.erp_nights import (
    NIGHT_1,
    NIGHT_1_METRICS,
    NIGHT_2,
    NIGHT_2_METRICS,
    XREF,
    check_report,
    check_stored_nights,
)
from tests.support.store import json_value, store_rows
from tests.support.workdir import open_store, write_config

pytestmark = pytest.mark.backends  # the store on SQLite and on PostgreSQL


def test_sql_source_baseline_then_incremental_night_every_metric_and_store_state(workdir, erp):
    write_config(workdir, sql_source_config(erp))
    erp.write_xref(XREF)
    erp.write(NIGHT_1)

    code, reports = run_cli("--source", "erp", "--baseline")
    assert code == 0
    assert len(reports) == 1
    first = reports[0]
    check_report(first, "erp", baseline=True, metrics=NIGHT_1_METRICS)

    # Night 2 in a real process, as a scheduler would run it.
    erp.write(NIGHT_2)
    proc = run_cli_process(workdir, "run", "--source", "erp", "--json")
    assert proc.returncode == 0, proc.stderr
    lines = [line for line in proc.stdout.splitlines() if line.strip()]
    assert len(lines) == 1
    second = json.loads(lines[0])
    check_report(second, "erp", baseline=False, metrics=NIGHT_2_METRICS)
    assert second["run_id"] > first["run_id"]

    engine = open_store().engine
    check_stored_nights(engine, first, second)

    unmapped = store_rows(engine, "SELECT run_id, item_code, line_count FROM unmapped_codes")
    assert {(u["run_id"], u["item_code"], u["line_count"]) for u in unmapped} == {
        (first["run_id"], "ITEM-98", 2),
        (first["run_id"], "ITEM-99", 1),
        (second["run_id"], "ITEM-98", 1),
        (second["run_id"], "ITEM-99", 1),
    }

    stored = {
        (r["po_number"], r["line_number"]): r for r in store_rows(engine, "SELECT * FROM po_lines WHERE source = 'erp'")
    }
    assert {k: bool(r["active"]) for k, r in stored.items()} == {
        ("PO1", 1): True,
        ("PO1", 2): True,
        ("PO2", 1): True,
        ("PO2", 2): False,
        ("PO2", 3): True,
        ("PO3", 1): True,
    }
    assert str(stored[("PO1", 1)]["promised_date"]) == "2026-12-06"
    assert json_value(stored[("PO1", 1)]["custom"]) == {"udf_1": "B", "udf_3": 1.5}
    assert stored[("PO1", 2)]["quantity_received"] == 25
    assert stored[("PO1", 1)]["internal_part_id"] == "PART-1"
    assert stored[("PO2", 1)]["internal_part_id"] is None
    assert (stored[("PO1", 1)]["first_seen_run_id"], stored[("PO1", 1)]["last_changed_run_id"]) == (
        first["run_id"],
        second["run_id"],
    )
    assert stored[("PO2", 1)]["last_changed_run_id"] == first["run_id"]
    assert stored[("PO3", 1)]["first_seen_run_id"] == second["run_id"]
