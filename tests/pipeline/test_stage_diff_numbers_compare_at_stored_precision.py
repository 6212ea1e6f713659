"""Stage 4, diff: numbers (quantities, unit_price, custom `number` columns) are stored and compared at 6 decimal places
(docs/pipeline.md, "Normalisation"): a difference the store cannot hold is no change — no change event, no receipt
batch, no received quantity that "fell" — while a difference in the 6th decimal place is one. -0, whether the ERP
sends the float -0.0 or the text "-0" / "-0.0", is stored as 0, so a value going 0 → -0 → 0 changes nothing.
"""

import math
import sqlite3

import pytest

from tests.support.cli import run_cli
from tests.support.erp import erp_line, sql_source_config
from tests.support.store import batches, events, expect, json_value, lines, metrics
from tests.support.workdir import open_store, write_config

pytestmark = pytest.mark.backends  # the store on SQLite and on PostgreSQL

NIGHT_1 = [
    erp_line("PO1", 1, quantity_received=3),
    erp_line("PO1", 2, unit_price=2.5),
    erp_line("PO1", 3, unit_price=2.5),
    erp_line("PO1", 4, quantity_received=3),
    erp_line("PO1", 5, quantity_received=3),
    erp_line("PO1", 6, udf_3=1.25),
]
NIGHT_2 = [
    erp_line("PO1", 1, quantity_received=3.0000001),  # under the 6th place: no receipt
    erp_line("PO1", 2, unit_price=2.5000004),  # rounds to 2.5: no change
    erp_line("PO1", 3, unit_price=2.500001),  # the 6th place: a change
    erp_line("PO1", 4, quantity_received="2.9999996"),  # rounds to 3: not a fall (a correction)
    erp_line("PO1", 5, quantity_received=3.000001),  # a receipt of 0.000001
    erp_line("PO1", 6, udf_3="1.2500003"),  # a custom number: rounds to 1.25
]


def test_differences_below_the_sixth_decimal_place_are_no_change(workdir, erp):
    write_config(workdir, sql_source_config(erp))
    erp.write(NIGHT_1)
    run_cli("--source", "erp")
    erp.write(NIGHT_2)

    code, [report] = run_cli("--source", "erp")

    assert code == 0 and report["status"] == "success"
    assert metrics(report) == expect(
        lines_processed=6, lines_changed=2, change_events=2, batches_reconstructed=1, custom_values=1
    )
    store = open_store().engine
    assert events(store, report["run_id"]) == [
        ("PO1", 3, "changed", "unit_price", "2.5", "2.500001"),
        ("PO1", 5, "changed", "quantity_received", "3", "3.000001"),
    ]
    assert batches(store, report["run_id"]) == [("PO1", 5, 0.000001, 3.000001)]
    stored = lines(store)
    assert stored[("PO1", 1)]["quantity_received"] == 3.0
    assert stored[("PO1", 2)]["unit_price"] == 2.5
    assert stored[("PO1", 3)]["unit_price"] == 2.500001
    assert stored[("PO1", 4)]["quantity_received"] == 3.0 and stored[("PO1", 4)]["received_decreased"] is False
    assert json_value(stored[("PO1", 6)]["custom"]) == {"udf_3": 1.25}


def test_a_first_value_with_more_decimals_is_stored_rounded_and_compares_equal_to_its_rounding(workdir, erp):
    write_config(workdir, sql_source_config(erp))
    erp.write([erp_line("PO1", 1, quantity_received=3.0000001, unit_price="2.5000004")])
    run_cli("--source", "erp")
    store = open_store().engine
    stored = lines(store)[("PO1", 1)]
    assert (stored["quantity_received"], stored["unit_price"]) == (3.0, 2.5)

    erp.write([erp_line("PO1", 1, quantity_received=3, unit_price=2.5)])
    code, [report] = run_cli("--source", "erp")

    assert code == 0
    assert metrics(report) == expect(lines_processed=1)
    assert events(store, report["run_id"]) == []


def _positive_zero(value) -> bool:
    return value == 0 and math.copysign(1.0, value) == 1.0


def _erp_sends_negative_zero(erp) -> bool:
    """The premise: the ERP file hands out the float -0.0 itself (SQLite keeps it in an untyped column)."""
    con = sqlite3.connect(erp.path)
    try:
        [(value,)] = con.execute("SELECT quantity_received FROM po_lines WHERE line_number = 1").fetchall()
    finally:
        con.close()
    return isinstance(value, float) and value == 0 and math.copysign(1.0, value) == -1.0


ZERO = [
    erp_line("PO1", 1, quantity_received=0, unit_price=0, udf_3=0),
    erp_line("PO1", 2, quantity_received=0, unit_price=0, udf_3=0),
    erp_line("PO1", 3, quantity_received=0, unit_price=0, udf_3=0),
]
NEGATIVE_ZERO = [
    erp_line("PO1", 1, quantity_received=-0.0, unit_price=-0.0, udf_3=-0.0),
    erp_line("PO1", 2, quantity_received="-0", unit_price="-0", udf_3="-0"),
    erp_line("PO1", 3, quantity_received="-0.0", unit_price=" -0.0 ", udf_3="-0.0"),
]


def _stored_zeros(store) -> dict[tuple[str, int], tuple[bool, bool, bool]]:
    """Per line: whether quantity_received, unit_price and the custom udf_3 are stored as +0."""
    return {
        k: (
            _positive_zero(r["quantity_received"]),
            _positive_zero(r["unit_price"]),
            _positive_zero(json_value(r["custom"])["udf_3"]),
        )
        for k, r in lines(store).items()
    }


def test_negative_zero_is_stored_as_zero(workdir, erp):
    write_config(workdir, sql_source_config(erp))
    erp.write(NEGATIVE_ZERO)
    assert _erp_sends_negative_zero(erp)

    code, [report] = run_cli("--source", "erp")

    assert code == 0 and report["status"] == "success", report
    assert report["errors"] == 0 and report["batches_reconstructed"] == 0  # -0 is not negative, nor a receipt
    assert _stored_zeros(open_store().engine) == {k: (True, True, True) for k in (("PO1", 1), ("PO1", 2), ("PO1", 3))}


def test_zero_to_negative_zero_and_back_writes_no_events(workdir, erp):
    write_config(workdir, sql_source_config(erp))
    erp.write(ZERO)
    run_cli("--source", "erp")
    store = open_store().engine

    reports = []
    for night in (NEGATIVE_ZERO, ZERO, NEGATIVE_ZERO):
        erp.write(night)
        code, [report] = run_cli("--source", "erp")
        assert code == 0, report
        reports.append(report)

    assert _erp_sends_negative_zero(erp)
    for report in reports:
        assert metrics(report) == expect(lines_processed=3, custom_values=3)
        assert events(store, report["run_id"]) == []
    assert _stored_zeros(store) == {k: (True, True, True) for k in (("PO1", 1), ("PO1", 2), ("PO1", 3))}
