"""Bad rows: the run completes as `partial`, exits 3, and keeps each rejected row's raw data and a clear error."""

import json

import pytest

from tests.support.cli import run_cli, run_cli_process
from tests.support.erp import erp_line, sql_source_config
from tests.support.store import store_rows
from tests.support.workdir import open_store, write_config

pytestmark = pytest.mark.backends  # the store on SQLite and on PostgreSQL

GOOD = [erp_line("PO1", 1), erp_line("PO1", 2), erp_line("PO2", 1), erp_line("PO2", 2)]


def test_bad_rows_make_a_partial_run_exit_3_with_failed_rows_kept(workdir, erp):
    write_config(workdir, sql_source_config(erp))
    erp.write(GOOD)
    code, [baseline] = run_cli("--baseline")
    assert (code, baseline["status"]) == (0, "success")
    engine = open_store().engine
    lines_before = store_rows(engine, "SELECT * FROM po_lines ORDER BY po_number, line_number")

    erp.write(
        [
            erp_line("PO1", 1, quantity_ordered="lots"),  # non-numeric quantity, active line
            erp_line("PO1", 2, supplier_code=None),  # missing required value, active line
            erp_line(None, 3),  # no key at all
            erp_line("PO2", 1, promised_date="2026-02-30"),  # impossible date, active line
            erp_line("PO3", 1, unit_price=-4),  # negative price, new key
            erp_line("PO4", 1),
            erp_line("PO4", 1, quantity_ordered=7),  # one key twice: both rejected
            erp_line("PO2", 2),  # valid and unchanged
        ]
    )
    proc = run_cli_process(workdir, "run", "--source", "erp", "--json")
    assert proc.returncode == 3, proc.stderr
    [report] = [json.loads(line) for line in proc.stdout.splitlines() if line.strip()]
    assert report["status"] == "partial"
    assert report["error"] is None
    assert (report["lines_processed"], report["errors"]) == (8, 7)
    assert (report["lines_new"], report["lines_changed"], report["lines_removed"], report["change_events"]) == (
        0,
        0,
        0,
        0,
    )

    failed = store_rows(engine, "SELECT * FROM failed_rows WHERE run_id = :r ORDER BY id", r=report["run_id"])
    assert len(failed) == 7
    assert all(f["stage"] == "validate" and f["source"] == "erp" and f["resolved_at"] is None for f in failed)
    by_key: dict = {}
    for f in failed:
        by_key.setdefault(f["row_key"], []).append(f)

    def one(key):
        [row] = by_key[key]
        return json.loads(row["raw_data"]), row["error"]

    raw, error = one("PO1/1")
    assert raw["quantity_ordered"] == "lots" and raw["po_number"] == "PO1" and raw["line_number"] == 1
    assert "quantity_ordered" in error and "not a number" in error and "lots" in error
    raw, error = one("PO1/2")
    assert raw["supplier_code"] is None and raw["item_code"] == "ITEM-2"
    assert "supplier_code" in error and "required" in error
    raw, error = one(None)
    assert raw["po_number"] is None and raw["line_number"] == 3
    assert error == "po_number: required value is missing"
    raw, error = one("PO2/1")
    assert raw["promised_date"] == "2026-02-30"
    assert "promised_date" in error and "not a date" in error
    raw, error = one("PO3/1")
    assert raw["unit_price"] == -4
    assert "unit_price" in error and "negative" in error
    dupes = by_key["PO4/1"]
    assert len(dupes) == 2
    assert sorted(json.loads(d["raw_data"])["quantity_ordered"] for d in dupes) == [7, 100]
    assert all("duplicate" in d["error"] and "PO4/1" in d["error"] for d in dupes)

    # Rejected rows of active lines leave those lines exactly as they were; no new line was stored.
    assert store_rows(engine, "SELECT * FROM po_lines ORDER BY po_number, line_number") == lines_before
    [run] = store_rows(engine, "SELECT status, errors FROM runs WHERE id = :r", r=report["run_id"])
    assert (run["status"], run["errors"]) == ("partial", 7)
    [audit] = store_rows(
        engine,
        "SELECT severity FROM audit_events WHERE run_id = :r AND event_type = 'ingestion.completed'",
        r=report["run_id"],
    )
    assert audit["severity"] == "warning"
