"""After a run commits, potrack checks that every line the run wrote whose quantity_received never fell has receipt
batches that add up to it (docs/pipeline.md, "Exact semantics", 7): a reappearing line or a re-baseline must not
record a receipt twice. A mismatch does not undo the run — it still succeeds — but is logged and stored on the run
(runs.check_problems). A line whose received quantity fell (a correction) is marked `received_decreased` and exempt:
its batches add up to more than it holds.
"""

import json
from collections import defaultdict

import pytest
import sqlalchemy as sa

from potrack.store.models import ReceiptBatch
from tests.support.cli import run_cli, run_cli_process
from tests.support.erp import erp_line, sql_source_config
from tests.support.store import batches, lines, run_row
from tests.support.workdir import open_store, write_config

pytestmark = pytest.mark.backends  # the store on SQLite and on PostgreSQL


def batch_sums(store) -> dict[tuple[str, int], float]:
    """The receipt batches of every line, added up here (not by potrack)."""
    sums: dict[tuple[str, int], float] = defaultdict(float)
    with store.connect() as conn:
        for po, line, quantity in conn.execute(
            sa.select(ReceiptBatch.po_number, ReceiptBatch.line_number, ReceiptBatch.quantity)
        ):
            sums[(po, line)] += quantity
    return dict(sums)


def test_receipts_corrections_reappearing_lines_and_a_rebaseline_leave_no_check_problem(workdir, erp):
    write_config(workdir, sql_source_config(erp))
    nights = [
        (
            [
                erp_line("PO1", 1),
                erp_line("PO1", 2, quantity_received=10),
                erp_line("PO1", 3, quantity_received=5),
                erp_line("PO2", 1, quantity_received=2),
            ],
            (),
        ),
        # a receipt, a correction down; PO2/1 is removed
        (
            [
                erp_line("PO1", 1, quantity_received=4),
                erp_line("PO1", 2, quantity_received=4),
                erp_line("PO1", 3, quantity_received=5),
            ],
            (),
        ),
        # PO2/1 reappears having received more; the corrected line rises again
        (
            [
                erp_line("PO1", 1, quantity_received=4),
                erp_line("PO1", 2, quantity_received=6),
                erp_line("PO1", 3, quantity_received=5),
                erp_line("PO2", 1, quantity_received=6),
            ],
            (),
        ),
        # a re-baseline with rises on two lines and a line never stored
        (
            [
                erp_line("PO1", 1, quantity_received=9),
                erp_line("PO1", 2, quantity_received=6),
                erp_line("PO1", 3, quantity_received=7),
                erp_line("PO2", 1, quantity_received=6),
                erp_line("PO3", 1, quantity_received=1.5),
            ],
            ("--baseline",),
        ),
    ]
    run_ids = []
    for rows, flags in nights:
        erp.write(rows)
        code, [report] = run_cli("--source", "erp", *flags)
        assert code == 0 and report["status"] == "success", report
        run_ids.append(report["run_id"])

    store = open_store().engine
    assert [run_row(store, r)["check_problems"] for r in run_ids] == [None, None, None, None]
    # The invariant does hold: each line that never fell has batches adding up to what it holds.
    stored = lines(store)
    assert {k: r["received_decreased"] for k, r in stored.items()} == {
        ("PO1", 1): False,
        ("PO1", 2): True,
        ("PO1", 3): False,
        ("PO2", 1): False,
        ("PO3", 1): False,
    }
    sums = batch_sums(store)
    assert {
        k: (sums.get(k, 0.0), r["quantity_received"]) for k, r in stored.items() if not r["received_decreased"]
    } == {("PO1", 1): (9.0, 9.0), ("PO1", 3): (7.0, 7.0), ("PO2", 1): (6.0, 6.0), ("PO3", 1): (1.5, 1.5)}


def test_a_lost_receipt_batch_is_reported_on_the_next_run_that_writes_the_line(workdir, erp):
    write_config(workdir, sql_source_config(erp))
    erp.write([erp_line("PO1", 1, quantity_received=3), erp_line("PO1", 2, quantity_received=10)])
    run_cli("--source", "erp")
    erp.write([erp_line("PO1", 1, quantity_received=3), erp_line("PO1", 2, quantity_received=15)])
    _, [second] = run_cli("--source", "erp")
    store = open_store().engine
    assert batches(store, second["run_id"]) == [("PO1", 2, 5.0, 15.0)]
    with store.begin() as conn:  # someone deletes a receipt behind potrack's back
        conn.execute(sa.delete(ReceiptBatch).where(ReceiptBatch.run_id == second["run_id"]))
    erp.write([erp_line("PO1", 1, quantity_received=3), erp_line("PO1", 2, quantity_received=15, unit_price=3)])

    done = run_cli_process(workdir, "run", "--json", "--source", "erp")

    assert done.returncode == 0, done.stderr  # the run itself stands
    [report] = [json.loads(line) for line in done.stdout.splitlines() if line.strip()]
    third = report["run_id"]
    assert report["status"] == "success" and report["lines_changed"] == 1
    run = run_row(store, third)
    problem = (
        "1 line(s) whose received quantity never fell have receipt batches that do not add up to it "
        "(PO1/2: batches 10, received 15)"
    )
    assert run["status"] == "success"
    assert run["check_problems"] == problem
    assert f"[ERROR] [potrack.pipeline] run #{third} erp: consistency check: {problem}" in done.stderr


def test_a_line_whose_received_quantity_fell_is_exempt(workdir, erp):
    write_config(workdir, sql_source_config(erp))
    run_ids = []
    for received in (10, 4, 6):
        erp.write([erp_line("PO1", 1, quantity_received=received), erp_line("PO1", 2)])
        code, [report] = run_cli("--source", "erp")
        assert code == 0, report
        run_ids.append(report["run_id"])

    store = open_store().engine
    assert [batches(store, r) for r in run_ids] == [[("PO1", 1, 10.0, 10.0)], [], [("PO1", 1, 2.0, 6.0)]]
    line = lines(store)[("PO1", 1)]
    assert (line["quantity_received"], line["received_decreased"]) == (6.0, True)
    assert batch_sums(store) == {("PO1", 1): 12.0}  # more than it holds: the correction took 6 back
    assert [run_row(store, r)["check_problems"] for r in run_ids] == [None, None, None]
