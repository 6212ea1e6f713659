"""Stage 4, diff: a value the ERP merely spells differently (text vs number, YYYYMMDD, padding) is no change."""

import pytest

from tests.support.cli import run_cli
from tests.support.erp import erp_line, sql_source_config
from tests.support.store import events, expect, lines, metrics
from tests.support.workdir import open_store, write_config

pytestmark = pytest.mark.backends  # the store on SQLite and on PostgreSQL


def test_same_values_in_another_representation_make_no_change_events(workdir, erp):
    write_config(workdir, sql_source_config(erp))
    erp.write([erp_line("PO1", 1, quantity_received=12.5, udf_1="tag", udf_3=5), erp_line("PO1", 2, unit_price=2.5)])
    run_cli("--source", "erp")
    store = open_store().engine
    before = lines(store)

    erp.write(
        [
            erp_line(
                " PO1 ",
                "1",
                description="PO1 line 1",
                quantity_ordered="100.0",
                quantity_received="12.50",
                unit_price=" 2.5",
                order_date="20261001",
                promised_date="2026-12-01 00:00:00",
                status=" open ",
                udf_1=" tag ",
                udf_3="5.0",
            ),
            erp_line(
                "PO1", 2.0, item_code="ITEM-2", unit_price="2.50", need_by_date=20261205, description=" PO1 line 2 "
            ),
        ]
    )
    code, [report] = run_cli("--source", "erp")

    assert code == 0
    assert metrics(report) == expect(lines_processed=2, custom_values=2)
    assert events(store, report["run_id"]) == []
    assert lines(store) == before


def test_a_real_change_hidden_among_representation_differences_is_the_only_event(workdir, erp):
    write_config(workdir, sql_source_config(erp))
    erp.write([erp_line("PO1", 1, quantity_received=12.5)])
    run_cli("--source", "erp")

    erp.write([erp_line("PO1", "1", quantity_ordered="100.0", quantity_received="12.75", unit_price="2.50")])
    code, [report] = run_cli("--source", "erp")

    assert code == 0
    assert metrics(report) == expect(lines_processed=1, lines_changed=1, change_events=1, batches_reconstructed=1)
    assert events(open_store().engine, report["run_id"]) == [
        ("PO1", 1, "changed", "quantity_received", "12.5", "12.75")
    ]
