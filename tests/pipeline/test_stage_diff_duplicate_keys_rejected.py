"""Stage 2/4: a key in more than one row of a snapshot rejects every one of those rows; the stored line stays."""

import pytest

from potrack.pipeline.validate import DATE_FORMS
from tests.support.cli import run_cli
from tests.support.erp import erp_line, sql_source_config
from tests.support.store import batches, events, expect, failed_rows, lines, metrics, run_row, unmapped
from tests.support.workdir import open_store, write_config

pytestmark = pytest.mark.backends  # the store on SQLite and on PostgreSQL


def dup(key: str) -> str:
    return f"duplicate key {key}: the snapshot holds more than one row for this line; all are rejected"


NIGHT_1 = [
    erp_line("PO1", 1, quantity_received=5, udf_1="a"),
    erp_line("PO1", 2),
    erp_line("PO1", 3, item_code="UNMAPPED-3"),
    erp_line("PO1", 4, udf_3=1),
]


def test_every_row_of_a_duplicated_key_is_rejected_and_the_stored_line_kept(workdir, erp):
    write_config(workdir, sql_source_config(erp))
    erp.write(NIGHT_1)
    run_cli("--source", "erp")
    store = open_store().engine
    before = lines(store)

    erp.write(
        [
            NIGHT_1[0],
            NIGHT_1[0],  # unchanged, twice
            erp_line("PO1", 2, quantity_received=10),
            erp_line("PO1", 2, quantity_received=20),  # changed, twice
            NIGHT_1[2],
            erp_line("PO1", 3, item_code="UNMAPPED-3", unit_price="x"),  # valid once, invalid once
            erp_line("PO9", 1, item_code="UNMAPPED-9", udf_3=4),
            erp_line("PO9", 1, item_code="UNMAPPED-9", udf_3=4),
            erp_line("PO9", 2),
            erp_line("PO9", 2),
            erp_line("PO9", 2, status="closed"),  # new key, three times
            NIGHT_1[3],
        ]
    )
    code, [report] = run_cli("--source", "erp")

    assert code == 3 and report["status"] == "partial"
    # Only PO1/4 is a valid line tonight: its custom value counts; the unmapped codes of rejected rows do not.
    assert metrics(report) == expect(lines_processed=12, custom_values=1, errors=11)
    assert lines(store) == before  # nothing changed, nothing removed, PO9 not stored
    run_id = report["run_id"]
    assert events(store, run_id) == []
    assert batches(store, run_id) == []
    assert unmapped(store, run_id) == {}
    assert run_row(store, run_id)["check_problems"] is None

    rejected = failed_rows(store, run_id)
    assert sorted((r["row_key"], r["error"]) for r in rejected) == sorted(
        [("PO1/1", dup("PO1/1"))] * 2
        + [("PO1/2", dup("PO1/2"))] * 2
        + [("PO1/3", dup("PO1/3")), ("PO1/3", "unit_price: not a number: 'x'")]
        + [("PO9/1", dup("PO9/1"))] * 2
        + [("PO9/2", dup("PO9/2"))] * 3
    )
    # Every rejected row keeps its data: the later occurrences exactly as read, the first one as validated.
    raws = {}
    for r in rejected:
        raws.setdefault(r["row_key"], []).append(r["raw"])
    assert erp_line("PO1", 2, quantity_received=20) in raws["PO1/2"]
    assert any(raw["quantity_received"] == 10 for raw in raws["PO1/2"])
    assert erp_line("PO9", 2, status="closed") in raws["PO9/2"]
    assert all(
        raw["po_number"] == "PO1" and raw["line_number"] == 1 and raw["quantity_received"] == 5 and raw["udf_1"] == "a"
        for raw in raws["PO1/1"]
    )


def test_once_the_duplicate_is_gone_the_line_is_diffed_against_its_kept_state(workdir, erp):
    write_config(workdir, sql_source_config(erp))
    erp.write(NIGHT_1)
    run_cli("--source", "erp")
    erp.write(NIGHT_1 + [erp_line("PO1", 2, quantity_received=10), erp_line("PO9", 1), erp_line("PO9", 1)])
    run_cli("--source", "erp")

    erp.write(NIGHT_1[:1] + [erp_line("PO1", 2, quantity_received=10)] + NIGHT_1[2:] + [erp_line("PO9", 1)])
    code, [report] = run_cli("--source", "erp")

    assert code == 0
    assert metrics(report) == expect(
        lines_processed=5,
        lines_new=1,
        lines_changed=1,
        change_events=1,
        batches_reconstructed=1,
        custom_values=2,
        xref_gaps=1,
    )
    store = open_store().engine
    assert events(store, report["run_id"]) == [
        ("PO1", 2, "changed", "quantity_received", "0", "10"),
        ("PO9", 1, "new", None, None, None),
    ]
    assert batches(store, report["run_id"]) == [("PO1", 2, 10.0, 10.0)]


def test_invalid_row_before_a_valid_row_of_the_same_active_key_rejects_both(workdir, erp):
    write_config(workdir, sql_source_config(erp))
    erp.write(NIGHT_1)
    run_cli("--source", "erp")
    store = open_store().engine
    before = lines(store)

    erp.write(
        [
            erp_line("PO1", 1, quantity_received=5, udf_1="a", promised_date="never"),
            NIGHT_1[0],
            erp_line("PO1", 2, status=None),
            erp_line("PO1", 2, quantity_received=8),
        ]
        + NIGHT_1[2:]
    )
    code, [report] = run_cli("--source", "erp")

    assert code == 3
    assert metrics(report) == expect(lines_processed=6, custom_values=1, xref_gaps=1, errors=4)
    assert lines(store) == before
    assert events(store, report["run_id"]) == []
    assert sorted((r["row_key"], r["error"]) for r in failed_rows(store, report["run_id"])) == [
        ("PO1/1", dup("PO1/1")),
        ("PO1/1", f"promised_date: not a date (expected {DATE_FORMS}): 'never'"),
        ("PO1/2", dup("PO1/2")),
        ("PO1/2", "status: required value is missing"),
    ]
