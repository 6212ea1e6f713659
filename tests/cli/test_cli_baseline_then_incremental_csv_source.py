"""A csv source read from a glob of two files: a baseline night then an incremental night through the CLI."""

import csv
import json
from pathlib import Path

import pytest

from tests.support.cli import run_cli, run_cli_process
from tests.support.erp import ERP_COLUMNS
from tests.support.erp_nights import (
    NIGHT_1,
    NIGHT_1_METRICS,
    NIGHT_2,
    NIGHT_2_METRICS,
    XREF,
    check_report,
    check_stored_nights,
)
from tests.support.store import json_value, store_rows
from tests.support.workdir import open_store, write_config

pytestmark = pytest.mark.backends  # the store on SQLite and on PostgreSQL

CONFIG = """
[[sources]]
name = "files"
kind = "csv"
path = "erp/night-*.csv"
custom_columns = { udf_1 = "text", udf_3 = "number" }
xref = { path = "xref.csv" }
retry = { attempts = 2, backoff_initial_s = 0.01, backoff_max_s = 0.02 }
"""


def write_night(workdir: Path, rows: list[dict]) -> None:
    """Export a night as two CSV files sharing one header: the first two rows, then the rest."""
    folder = workdir / "erp"
    folder.mkdir(exist_ok=True)
    for name, part in (("night-a.csv", rows[:2]), ("night-b.csv", rows[2:])):
        with (folder / name).open("w", newline="", encoding="utf-8") as fh:
            writer = csv.writer(fh)
            writer.writerow(ERP_COLUMNS)
            writer.writerows([["" if r.get(c) is None else r[c] for c in ERP_COLUMNS] for r in part])


def test_csv_glob_of_two_files_baseline_then_incremental_night_every_metric(workdir):
    write_config(workdir, CONFIG)
    with (workdir / "xref.csv").open("w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(["item_code", "internal_part_id"])
        writer.writerows(XREF.items())
    write_night(workdir, NIGHT_1)

    code, [first] = run_cli("--baseline")
    assert code == 0
    check_report(first, "files", baseline=True, metrics=NIGHT_1_METRICS)

    write_night(workdir, NIGHT_2)
    proc = run_cli_process(workdir, "run", "--all", "--json")
    assert proc.returncode == 0, proc.stderr
    [second] = [json.loads(line) for line in proc.stdout.splitlines() if line.strip()]
    check_report(second, "files", baseline=False, metrics=NIGHT_2_METRICS)

    engine = open_store().engine
    check_stored_nights(engine, first, second)
    active = store_rows(
        engine, "SELECT po_number, line_number FROM po_lines WHERE source = 'files' AND active = :yes", yes=True
    )
    assert {(r["po_number"], r["line_number"]) for r in active} == {
        ("PO1", 1),
        ("PO1", 2),
        ("PO2", 1),
        ("PO2", 3),
        ("PO3", 1),
    }
    [po11] = store_rows(
        engine,
        "SELECT custom, internal_part_id, line_number FROM po_lines "
        "WHERE source = 'files' AND po_number = 'PO1' AND line_number = 1",
    )
    assert json_value(po11["custom"]) == {"udf_1": "B", "udf_3": 1.5}
    assert po11["internal_part_id"] == "PART-1"
