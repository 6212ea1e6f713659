"""The demo ERP: the same seed and night give the same snapshot; nights evolve; bad-row nights make partial runs."""

import datetime as dt
import json
import sqlite3
from pathlib import Path

from potrack.config import DemoOptions, SourceConfig
from potrack.sources.demo import COLUMNS, DemoSource
from tests.support.cli import run_cli
from tests.support.store import store_rows
from tests.support.workdir import open_store, write_config

START = dt.date(2026, 3, 1)
CUSTOM = ("udf_project", "udf_weight_kg")


def snapshot(instance: Path, seed: int, night: int, lines: int = 120) -> tuple[list[str], list[tuple]]:
    cfg = SourceConfig(name="demo", kind="demo", demo=DemoOptions(lines=lines, seed=seed))
    source = DemoSource(cfg, instance, night=night, start=START)
    with source.open(50) as snap:
        rows = [tuple(r) for batch in snap.batches for r in batch]
    return snap.columns, rows


def test_same_seed_and_night_give_an_identical_snapshot(tmp_path):
    columns_a, rows_a = snapshot(tmp_path / "a", seed=5, night=3)
    columns_b, rows_b = snapshot(tmp_path / "b", seed=5, night=3)
    assert columns_a == columns_b == list(COLUMNS)
    assert len(rows_a) >= 120
    assert rows_a == rows_b
    # Built afresh from the same file location, still the same.
    (tmp_path / "a" / "demo-erp-demo.sqlite").unlink()
    assert snapshot(tmp_path / "a", seed=5, night=3)[1] == rows_a
    # Another seed is another ERP.
    assert snapshot(tmp_path / "c", seed=6, night=3)[1] != rows_a


def erp_state(workdir: Path) -> tuple[dict, set]:
    """The demo ERP file's snapshot (key -> row) and its mapped item codes, read directly."""
    con = sqlite3.connect(workdir / "instance" / "demo-erp-erp.sqlite")
    try:
        con.row_factory = sqlite3.Row
        rows = {(r["po_number"], r["line_number"]): dict(r) for r in con.execute("SELECT * FROM po_lines")}
        mapped = {r[0] for r in con.execute("SELECT item_code FROM xref")}
    finally:
        con.close()
    return rows, mapped


def config(night: int) -> str:
    return f"""
[[sources]]
name = "erp"
kind = "demo"
custom_columns = {{ udf_project = "text", udf_weight_kg = "number" }}
demo = {{ seed = 12, lines = 300, night = {night} }}
"""


def test_successive_nights_evolve_and_the_run_metrics_match_the_snapshots(workdir):
    write_config(workdir, config(0))
    code, [first] = run_cli()
    assert code == 0 and first["baseline"] is True
    before, _ = erp_state(workdir)
    assert first["lines_new"] == first["lines_processed"] == len(before)

    write_config(workdir, config(1))
    code, [second] = run_cli()
    assert code == 0 and second["status"] == "success"
    after, mapped = erp_state(workdir)

    new = set(after) - set(before)
    removed = set(before) - set(after)
    changed_fields = {k: [c for c in COLUMNS if before[k][c] != after[k][c]] for k in set(before) & set(after)}
    changed = {k: f for k, f in changed_fields.items() if f}
    # The night really moved: lines opened, closed and changed.
    assert new and removed and changed
    received = [k for k in changed if after[k]["quantity_received"] > before[k]["quantity_received"]]
    received += [k for k in new if after[k]["quantity_received"] > 0]
    expected = {
        "lines_processed": len(after),
        "lines_new": len(new),
        "lines_changed": len(changed),
        "lines_removed": len(removed),
        "change_events": sum(len(f) for f in changed.values()) + len(removed),
        "batches_reconstructed": len(received),
        "custom_values": sum(1 for r in after.values() for c in CUSTOM if r[c] is not None),
        "xref_gaps": len({r["item_code"] for r in after.values()} - mapped),
        "errors": 0,
        "retry_attempts": 0,
    }
    assert {k: second[k] for k in expected} == expected

    engine = open_store().engine
    events = store_rows(
        engine,
        "SELECT po_number, line_number, field FROM change_events WHERE run_id = :r AND kind = 'changed'",
        r=second["run_id"],
    )
    assert sorted((e["po_number"], e["line_number"], e["field"]) for e in events) == sorted(
        (*k, f) for k, fields in changed.items() for f in fields
    )


def test_night_with_bad_rows_yields_a_partial_run(workdir):
    night = 4  # night % 9 == 4: a text quantity, an impossible date, a missing supplier, a duplicate
    write_config(workdir, config(night).replace("lines = 300", "lines = 60"))
    code, [report] = run_cli()
    assert code == 3
    assert report["status"] == "partial"
    rows, _ = erp_state(workdir)
    assert report["lines_processed"] == len(rows) + 1  # the duplicate shares a key
    assert report["errors"] == 5  # three bad rows + both rows of the duplicated key
    engine = open_store().engine
    failed = store_rows(engine, "SELECT raw_data, error FROM failed_rows WHERE run_id = :r", r=report["run_id"])
    assert len(failed) == 5
    assert sum("quantity_ordered: not a number: 'n/a'" in f["error"] for f in failed) == 1
    assert sum("promised_date: not a date" in f["error"] for f in failed) == 1
    assert sum("supplier_code: required value is missing" in f["error"] for f in failed) == 1
    assert sum(f["error"].startswith("duplicate key") for f in failed) == 2
    assert all(isinstance(json.loads(f["raw_data"]), dict) for f in failed)
    # Nights that are not bad-row nights are clean.
    write_config(workdir, config(night + 1).replace("lines = 300", "lines = 60"))
    code, [clean] = run_cli()
    assert (code, clean["status"], clean["errors"]) == (0, "success", 0)


def test_slow_failure_mode_pauses_between_batches(workdir):
    write_config(
        workdir,
        '[[sources]]\nname = "erp"\nkind = "demo"\nbatch_size = 10\n'
        'demo = { fail = "slow", slow_s = 0.05, lines = 40, night = 0 }\n',
    )
    code, [report] = run_cli()
    assert (code, report["status"]) == (0, "success")
    batches = -(-report["lines_processed"] // 10)
    assert batches >= 4
    assert report["duration_s"] >= batches * 0.05
