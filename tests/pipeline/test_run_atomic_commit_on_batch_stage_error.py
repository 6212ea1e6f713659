"""Stage 7: lines, events, batches and unmapped codes of a run commit together; an error in the batch stage
leaves none of them, while the run record, its failed rows and its audit event are saved."""

import pytest

import potrack.pipeline.batches
from potrack import events as bus
from tests.support.cli import run_cli
from tests.support.erp import erp_line, sql_source_config
from tests.support.store import (
    all_batches,
    all_events,
    audit_events,
    batches,
    events,
    expect,
    failed_rows,
    lines,
    metrics,
    run_row,
    unmapped,
)
from tests.support.workdir import open_store, write_config

pytestmark = pytest.mark.backends  # the store on SQLite and on PostgreSQL

NIGHT_1 = [erp_line("PO1", 1), erp_line("PO1", 2), erp_line("PO1", 3, quantity_received=2)]
NIGHT_2 = [
    erp_line("PO1", 1, quantity_received=10, udf_1="x"),  # changed: 2 fields, a receipt batch
    erp_line("PO1", 3, quantity_received=2),  # unchanged; PO1/2 is removed
    erp_line("PO3", 1, item_code="NO-XREF"),  # new, unmapped code
    erp_line("PO1", 4, quantity_ordered="x"),  # rejected
]


def explode(*args, **kwargs):
    raise RuntimeError("batch stage exploded")


@pytest.fixture
def finished_runs():
    seen = []

    def collect(topic, payload):
        seen.append(payload)

    bus.subscribe(bus.RUN_FINISHED, collect)
    yield seen
    bus.unsubscribe(bus.RUN_FINISHED, collect)


def test_batch_stage_error_commits_nothing_of_the_run(workdir, erp, finished_runs):
    write_config(workdir, sql_source_config(erp))
    erp.write(NIGHT_1)
    run_cli("--source", "erp")
    store = open_store().engine
    before = (lines(store), all_events(store), all_batches(store))

    erp.write(NIGHT_2)
    with pytest.MonkeyPatch.context() as fault:
        fault.setattr(potrack.pipeline.batches, "reconstruct_batches", explode)
        code, [report] = run_cli("--source", "erp")

    assert code == 1
    assert report["status"] == "failed"
    assert report["error"] == "batches: RuntimeError: batch stage exploded"
    # The counts of what would have been written are not reported as if it had been: nothing was.
    assert metrics(report) == expect(lines_processed=4, custom_values=1, xref_gaps=1, errors=2)
    assert (lines(store), all_events(store), all_batches(store)) == before
    run_id = report["run_id"]
    assert unmapped(store, run_id) == {}
    run = run_row(store, run_id)
    assert (run["status"], run["error_stage"], run["error"]) == ("failed", "batches", report["error"])
    assert run["finished_at"] is not None and run["stage"] is None
    assert metrics(run) == metrics(report)
    [audit] = audit_events(store, run_id)
    assert (audit["event_type"], audit["severity"], audit["source"]) == ("ingestion.failed", "error", "erp")
    assert "stage batches" in audit["message"] and "batch stage exploded" in audit["message"]
    assert audit["details"] == {"stage": "batches", **metrics(report)}
    [failed] = failed_rows(store, run_id)
    assert (failed["row_key"], failed["error"], failed["raw"]) == (
        "PO1/4",
        "quantity_ordered: not a number: 'x'",
        NIGHT_2[3],
    )
    assert [p["status"] for p in finished_runs] == ["success", "failed"]

    # With the fault gone, the next run sees exactly the changes the failed run did not commit.
    code, [retry] = run_cli("--source", "erp")

    assert code == 3
    assert metrics(retry) == expect(
        lines_processed=4,
        lines_new=1,
        lines_changed=1,
        lines_removed=1,
        change_events=3,
        batches_reconstructed=1,
        custom_values=1,
        xref_gaps=1,
        errors=1,
    )
    assert events(store, retry["run_id"]) == [
        ("PO1", 1, "changed", "quantity_received", "0", "10"),
        ("PO1", 1, "changed", "udf_1", None, "x"),
        ("PO1", 2, "removed", None, None, None),
        ("PO3", 1, "new", None, None, None),
    ]
    assert batches(store, retry["run_id"]) == [("PO1", 1, 10.0, 10.0)]
    assert unmapped(store, retry["run_id"]) == {"NO-XREF": 1}
