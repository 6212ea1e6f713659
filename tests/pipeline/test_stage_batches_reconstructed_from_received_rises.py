"""Stage 5: a receipt batch whenever quantity_received rises over what the store last held for the key (quantity =
the rise); a key never stored with quantity_received > 0 gets one batch for that amount. A baseline on a store that
holds the lines records only their rises, never a receipt twice."""

import pytest
import sqlalchemy as sa

from potrack.store.models import ReceiptBatch
from tests.support.cli import run_cli
from tests.support.erp import erp_line, sql_source_config
from tests.support.store import batches, events, expect, metrics, run_row
from tests.support.workdir import open_store, write_config

pytestmark = pytest.mark.backends  # the store on SQLite and on PostgreSQL

NIGHT_1 = [
    erp_line("PO1", 1, quantity_received=0),
    erp_line("PO1", 2, quantity_received=10),
    erp_line("PO1", 3, quantity_received=10),
    erp_line("PO1", 4, quantity_received=0.1),
    erp_line("PO1", 5, quantity_received=5),
]
NIGHT_2 = [
    erp_line("PO1", 1, quantity_received=5),  # 0 -> 5
    erp_line("PO1", 2, quantity_received=25),  # 10 -> 25
    erp_line("PO1", 3, quantity_received=4),  # 10 -> 4: a correction, no receipt
    erp_line("PO1", 4, quantity_received=0.3),  # 0.1 -> 0.3: a rise of 0.2, not 0.19999999999999998
    erp_line("PO1", 5, quantity_received=5, promised_date="2026-12-20"),  # changed, no rise
    erp_line("PO2", 1, quantity_received=3),  # new with receipts
    erp_line("PO2", 2, quantity_received=0),  # new without
]


def test_baseline_gives_a_batch_to_every_line_with_receipts(workdir, erp):
    write_config(workdir, sql_source_config(erp))
    erp.write(NIGHT_1)

    code, [report] = run_cli("--source", "erp")

    assert code == 0
    assert report["batches_reconstructed"] == 4
    assert batches(open_store().engine, report["run_id"]) == [
        ("PO1", 2, 10.0, 10.0),
        ("PO1", 3, 10.0, 10.0),
        ("PO1", 4, 0.1, 0.1),
        ("PO1", 5, 5.0, 5.0),
    ]


def test_rises_between_snapshots_become_one_batch_per_line(workdir, erp):
    write_config(workdir, sql_source_config(erp))
    erp.write(NIGHT_1)
    run_cli("--source", "erp")
    erp.write(NIGHT_2)

    code, [report] = run_cli("--source", "erp")

    assert code == 0
    assert metrics(report) == expect(
        lines_processed=7, lines_new=2, lines_changed=5, change_events=5, batches_reconstructed=4
    )
    store = open_store().engine
    assert batches(store, report["run_id"]) == [
        ("PO1", 1, 5.0, 5.0),
        ("PO1", 2, 15.0, 25.0),
        ("PO1", 4, 0.2, 0.3),
        ("PO2", 1, 3.0, 3.0),
    ]
    assert ("PO1", 3, "changed", "quantity_received", "10", "4") in events(store, report["run_id"])
    run = run_row(store, report["run_id"])
    with store.connect() as conn:
        stamps = (
            conn.execute(sa.select(ReceiptBatch.received_at).distinct().where(ReceiptBatch.run_id == report["run_id"]))
            .scalars()
            .all()
        )
    assert len(stamps) == 1 and run["started_at"] <= stamps[0] <= run["finished_at"]


def test_unchanged_snapshot_makes_no_batches(workdir, erp):
    write_config(workdir, sql_source_config(erp))
    erp.write(NIGHT_1)
    run_cli("--source", "erp")
    erp.write(NIGHT_2)
    run_cli("--source", "erp")

    code, [report] = run_cli("--source", "erp")

    assert code == 0
    assert report["batches_reconstructed"] == 0
    assert batches(open_store().engine, report["run_id"]) == []


def test_deliberate_baseline_records_only_rises_over_the_stored_lines_active_or_not(workdir, erp):
    write_config(workdir, sql_source_config(erp))
    erp.write(NIGHT_1)
    run_cli("--source", "erp")
    erp.write(NIGHT_2)
    run_cli("--source", "erp")
    erp.write([line for line in NIGHT_2 if line["line_number"] != 5 or line["po_number"] != "PO1"])
    run_cli("--source", "erp")  # PO1/5 (5 received) is removed
    tonight = [dict(line) for line in NIGHT_2]
    tonight[1]["quantity_received"] = 30  # PO1/2: 25 -> 30
    tonight[4]["quantity_received"] = 8  # PO1/5 is back: 5 -> 8
    tonight.append(erp_line("PO3", 1, quantity_received=2))  # never stored
    erp.write(tonight)

    code, [report] = run_cli("--source", "erp", "--baseline")

    assert code == 0 and report["baseline"] is True
    assert report["batches_reconstructed"] == 3
    store = open_store().engine
    assert batches(store, report["run_id"]) == [("PO1", 2, 5.0, 30.0), ("PO1", 5, 3.0, 8.0), ("PO3", 1, 2.0, 2.0)]
    assert run_row(store, report["run_id"])["check_problems"] is None
