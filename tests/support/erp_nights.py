"""Two ERP nights shared by the sql, csv and odbc end-to-end tests, with every metric they must produce.

Night 1 (baseline): five lines; PO2/1 and PO2/2 carry ITEM-98 and PO2/3 carries ITEM-99, neither of
which the xref maps; PO1/2 has received 10 and PO2/3 100 (two batches).
Night 2: PO1/1 slips its promised date and its udf_1 goes A -> B (two field changes), PO1/2 receives
15 more (one field change, one batch), PO2/2 disappears (one removal), PO3/1 is new with 5 received
(one batch), PO2/1 and PO2/3 are unchanged.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from tests.support.cli import run_cli, run_cli_process
from tests.support.erp import day, erp_line
from tests.support.store import METRICS, store_rows

XREF = {f"ITEM-{n}": f"PART-{n}" for n in range(1, 10)}

NIGHT_1 = [
    erp_line("PO1", 1, item_code="ITEM-1", udf_1="A", udf_3=1.5),
    erp_line("PO1", 2, item_code="ITEM-2", quantity_received=10),
    erp_line("PO2", 1, item_code="ITEM-98", udf_3=7),
    erp_line("PO2", 2, item_code="ITEM-98"),
    erp_line("PO2", 3, item_code="ITEM-99", quantity_received=100, status="received"),
]
NIGHT_2 = [
    erp_line("PO1", 1, item_code="ITEM-1", udf_1="B", udf_3=1.5, promised_date=day(5)),
    erp_line("PO1", 2, item_code="ITEM-2", quantity_received=25),
    erp_line("PO2", 1, item_code="ITEM-98", udf_3=7),
    erp_line("PO2", 3, item_code="ITEM-99", quantity_received=100, status="received"),
    erp_line("PO3", 1, item_code="ITEM-3", quantity_received=5, udf_3=2),
]

JSON_KEYS = {"run_id", "source", "status", "baseline", "duration_s", "error", "notes", *METRICS}

NIGHT_1_METRICS = {
    "lines_processed": 5,
    "lines_new": 5,
    "lines_changed": 0,
    "lines_removed": 0,
    "change_events": 0,
    "batches_reconstructed": 2,
    "custom_values": 3,
    "xref_gaps": 2,
    "errors": 0,
    "retry_attempts": 0,
}
NIGHT_2_METRICS = {
    "lines_processed": 5,
    "lines_new": 1,
    "lines_changed": 2,
    "lines_removed": 1,
    "change_events": 4,
    "batches_reconstructed": 2,
    "custom_values": 4,
    "xref_gaps": 2,
    "errors": 0,
    "retry_attempts": 0,
}

# (po, line, kind, field, old, new) of the change events night 2 writes.
NIGHT_2_EVENTS = {
    ("PO1", 1, "changed", "promised_date", "2026-12-01", day(5)),
    ("PO1", 1, "changed", "udf_1", "A", "B"),
    ("PO1", 2, "changed", "quantity_received", "10", "25"),
    ("PO2", 2, "removed", None, None, None),
    ("PO3", 1, "new", None, None, None),
}
# (po, line, quantity, cumulative received) of each night's reconstructed batches.
NIGHT_1_BATCHES = {("PO1", 2, 10.0, 10.0), ("PO2", 3, 100.0, 100.0)}
NIGHT_2_BATCHES = {("PO1", 2, 15.0, 25.0), ("PO3", 1, 5.0, 5.0)}


def metrics_of(report: dict[str, Any]) -> dict[str, Any]:
    """The metric part of a --json report."""
    return {name: report[name] for name in METRICS}


def check_report(report: dict[str, Any], source: str, *, baseline: bool, metrics: dict[str, int]) -> None:
    """A successful run's --json report: exactly the documented keys and these metrics."""
    assert set(report) == JSON_KEYS
    assert report["source"] == source
    assert report["status"] == "success"
    assert report["baseline"] is baseline
    assert report["error"] is None
    assert report["notes"] == []  # the query returns every canonical field under its own name
    assert isinstance(report["run_id"], int)
    assert isinstance(report["duration_s"], float) and 0 <= report["duration_s"] < 60
    assert metrics_of(report) == metrics


def check_stored_nights(engine: sa.Engine, first: dict[str, Any], second: dict[str, Any]) -> None:
    """The store after both nights: run rows match the reports, exactly the expected events and batches."""
    for report in (first, second):
        [run] = store_rows(engine, "SELECT * FROM runs WHERE id = :id", id=report["run_id"])
        assert run["status"] == "success" and run["trigger"] == "cli" and run["error"] is None
        assert {m: run[m] for m in METRICS} == {m: report[m] for m in METRICS}
    # The baseline wrote no change events; night 2 wrote exactly the expected ones.
    events = store_rows(
        engine, "SELECT run_id, po_number, line_number, kind, field, old_value, new_value FROM change_events"
    )
    assert {e["run_id"] for e in events} == {second["run_id"]}
    assert {
        (e["po_number"], e["line_number"], e["kind"], e["field"], e["old_value"], e["new_value"]) for e in events
    } == NIGHT_2_EVENTS
    batches = store_rows(
        engine, "SELECT run_id, po_number, line_number, quantity, cumulative_received FROM receipt_batches"
    )
    by_run = {
        r: {
            (b["po_number"], b["line_number"], b["quantity"], b["cumulative_received"])
            for b in batches
            if b["run_id"] == r
        }
        for r in (first["run_id"], second["run_id"])
    }
    assert by_run == {first["run_id"]: NIGHT_1_BATCHES, second["run_id"]: NIGHT_2_BATCHES}


def run_both_nights(workdir: Path, source: str, write: Callable[[list[dict[str, Any]]], None]) -> tuple[dict, dict]:
    """Night 1 as a baseline through the CLI in this process, then night 2 in a real process as a scheduler runs it;
    returns both --json reports, each checked against its night's metrics."""
    write(NIGHT_1)
    code, [first] = run_cli("--source", source, "--baseline")
    assert code == 0
    check_report(first, source, baseline=True, metrics=NIGHT_1_METRICS)

    write(NIGHT_2)
    proc = run_cli_process(workdir, "run", "--source", source, "--json")
    assert proc.returncode == 0, proc.stderr
    [second] = [json.loads(line) for line in proc.stdout.splitlines() if line.strip()]
    check_report(second, source, baseline=False, metrics=NIGHT_2_METRICS)
    assert second["run_id"] > first["run_id"]
    return first, second
