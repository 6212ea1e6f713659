"""Stage 2, validate, through a run: bad rows become failed rows with their raw data and take no further part."""

import pytest

from potrack.pipeline.validate import DATE_FORMS
from tests.support.cli import run_cli
from tests.support.erp import erp_line, sql_source_config
from tests.support.store import audit_events, events, expect, failed_rows, lines, metrics, run_row, unmapped
from tests.support.workdir import open_store, write_config

pytestmark = pytest.mark.backends  # the store on SQLite and on PostgreSQL

GOOD = erp_line("PO1", 1, quantity_received=4, udf_1="ok")
BAD = [
    (erp_line("PO1", 2, quantity_ordered="ten", udf_1="lost"), "quantity_ordered: not a number: 'ten'"),
    (
        erp_line("PO1", 3, promised_date="2026-02-30", quantity_received=5),
        f"promised_date: not a date (expected {DATE_FORMS}): '2026-02-30'",
    ),
    (erp_line(None, 4), "po_number: required value is missing"),
    (erp_line("PO1", 5, supplier_code=None, udf_3=9), "supplier_code: required value is missing"),
    (erp_line("PO1", 6, unit_price=-1, item_code="NO-XREF"), "unit_price: negative: -1"),
    (erp_line("PO1", 7, description="d" * 401), "description: longer than 400 characters (401)"),
    (erp_line("PO1", 8, quantity_received="-3"), "quantity_received: negative: '-3'"),
]


def test_bad_rows_are_rejected_with_raw_data_and_the_run_is_partial(workdir, erp):
    write_config(workdir, sql_source_config(erp))
    erp.write([GOOD] + [r for r, _ in BAD])

    code, [report] = run_cli("--source", "erp")

    assert code == 3
    assert report["status"] == "partial" and report["error"] is None
    # Rejected rows count as errors and nothing else: their received quantity makes no batch, their
    # custom values are not counted, their unmapped item code is no xref gap.
    assert metrics(report) == expect(lines_processed=8, lines_new=1, batches_reconstructed=1, custom_values=1, errors=7)
    store = open_store().engine
    assert set(lines(store)) == {("PO1", 1)}
    assert unmapped(store, report["run_id"]) == {}
    rejected = failed_rows(store, report["run_id"])
    by_error = {r["error"]: r for r in rejected}
    assert set(by_error) == {error for _, error in BAD}
    for raw, error in BAD:
        failed = by_error[error]
        assert failed["stage"] == "validate"
        assert failed["source"] == "erp"
        assert failed["raw"] == raw  # every column of the source row, as the ERP held it
        assert failed["row_key"] == (None if raw["po_number"] is None else f"PO1/{raw['line_number']}")
        assert failed["retry_count"] == 0 and failed["resolved_at"] is None
    [event] = audit_events(store, report["run_id"])
    assert (event["event_type"], event["severity"]) == ("ingestion.completed", "warning")
    assert run_row(store, report["run_id"])["status"] == "partial"


def test_rows_fixed_in_the_erp_are_ingested_as_new_the_next_night(workdir, erp):
    write_config(workdir, sql_source_config(erp))
    erp.write([GOOD] + [r for r, _ in BAD])
    run_cli("--source", "erp")

    erp.write([GOOD] + [erp_line("PO1", n) for n in range(2, 9)])
    code, [report] = run_cli("--source", "erp")

    assert code == 0 and report["status"] == "success"
    assert metrics(report) == expect(lines_processed=8, lines_new=7, custom_values=1)
    store = open_store().engine
    assert events(store, report["run_id"]) == [("PO1", n, "new", None, None, None) for n in range(2, 9)]
    assert failed_rows(store, report["run_id"]) == []
    [event] = audit_events(store, report["run_id"])
    assert (event["event_type"], event["severity"]) == ("ingestion.completed", "info")
