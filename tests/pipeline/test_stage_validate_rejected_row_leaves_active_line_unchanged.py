"""Stage 2, validate: a rejected row whose key is an active line leaves that stored line exactly as it was."""

import pytest

from tests.support.cli import run_cli
from tests.support.erp import erp_line, sql_source_config
from tests.support.store import batches, events, expect, failed_rows, lines, metrics, run_row
from tests.support.workdir import open_store, write_config

pytestmark = pytest.mark.backends  # the store on SQLite and on PostgreSQL


def test_rejected_row_neither_changes_nor_removes_its_active_line(workdir, erp):
    write_config(workdir, sql_source_config(erp))
    erp.write([erp_line("PO1", 1, quantity_received=10, udf_1="a"), erp_line("PO1", 2), erp_line("PO1", 3)])
    code, [first] = run_cli("--source", "erp")
    assert code == 0
    store = open_store().engine
    before = lines(store)

    # Tonight PO1/1 has a received rise but a bad price, PO1/3 lost its status: both rows are rejected.
    erp.write(
        [
            erp_line("PO1", 1, quantity_received=30, unit_price="abc", udf_1="b"),
            erp_line("PO1", 2, promised_date="2026-12-09"),
            erp_line("PO1", 3, status=None),
        ]
    )
    code, [second] = run_cli("--source", "erp")

    assert code == 3 and second["status"] == "partial"
    assert metrics(second) == expect(lines_processed=3, lines_changed=1, change_events=1, errors=2)
    after = lines(store)
    assert after[("PO1", 1)] == before[("PO1", 1)]  # every column, active flag and run ids included
    assert after[("PO1", 3)] == before[("PO1", 3)]
    assert after[("PO1", 1)]["active"] and after[("PO1", 3)]["active"]
    assert events(store, second["run_id"]) == [("PO1", 2, "changed", "promised_date", "2026-12-01", "2026-12-09")]
    assert batches(store, second["run_id"]) == []
    assert [(r["row_key"], r["error"]) for r in failed_rows(store, second["run_id"])] == [
        ("PO1/1", "unit_price: not a number: 'abc'"),
        ("PO1/3", "status: required value is missing"),
    ]
    assert run_row(store, second["run_id"])["check_problems"] is None

    # The next night the row is valid again: the change is seen against the line as it was stored.
    erp.write([erp_line("PO1", 1, quantity_received=30, udf_1="b"), erp_line("PO1", 2, promised_date="2026-12-09")])
    code, [third] = run_cli("--source", "erp")

    assert code == 0
    assert metrics(third) == expect(
        lines_processed=2, lines_changed=1, lines_removed=1, change_events=3, batches_reconstructed=1, custom_values=1
    )
    assert events(store, third["run_id"]) == [
        ("PO1", 1, "changed", "quantity_received", "10", "30"),
        ("PO1", 1, "changed", "udf_1", "a", "b"),
        ("PO1", 3, "removed", None, None, None),
    ]
    assert batches(store, third["run_id"]) == [("PO1", 1, 20.0, 30.0)]


def test_rejected_row_in_a_baseline_run_keeps_its_active_line(workdir, erp):
    write_config(workdir, sql_source_config(erp))
    erp.write([erp_line("PO1", 1, quantity_received=10), erp_line("PO1", 2)])
    run_cli("--source", "erp")
    store = open_store().engine
    before = lines(store)

    erp.write([erp_line("PO1", 1, quantity_received=10, order_date="yesterday"), erp_line("PO1", 2, uom="KG")])
    code, [report] = run_cli("--source", "erp", "--baseline")

    assert code == 3 and report["baseline"] is True
    assert metrics(report) == expect(lines_processed=2, lines_new=1, errors=1)
    after = lines(store)
    assert after[("PO1", 1)] == before[("PO1", 1)]
    assert after[("PO1", 2)]["uom"] == "KG" and after[("PO1", 2)]["last_changed_run_id"] == report["run_id"]
    assert events(store, report["run_id"]) == []
    assert run_row(store, report["run_id"])["check_problems"] is None
