"""The sample snapshots in docs/sample-data load as their README says: po_lines.csv is a clean night of 30 lines with
every canonical column and two custom columns; po_lines_with_errors.csv writes its good lines and rejects each bad
row with the error and file line the README's table gives."""

import csv
import shutil

from tests.support import ROOT
from tests.support.cli import run_cli
from tests.support.store import store_rows
from tests.support.workdir import open_store, write_config

SAMPLES = ROOT / "docs" / "sample-data"
CANONICAL_COLUMNS = (
    "po_number line_number item_code supplier_code description uom quantity_ordered quantity_received unit_price "
    "currency order_date promised_date need_by_date status buyer plant"
).split()
CUSTOM = {"udf_project": "text", "udf_weight_kg": "number"}
DUPLICATE = "4500013005/1"
CONFIG = "".join(
    f'[[sources]]\nname = "{name}"\nkind = "csv"\npath = "{name}.csv"\n'
    f'custom_columns = {{ udf_project = "text", udf_weight_kg = "number" }}\n\n'
    for name in ("po_lines", "po_lines_with_errors")
)


def rows_of(name):
    with (SAMPLES / f"{name}.csv").open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def documented_errors():
    """The README's table: (file line, row key or None, potrack's error up to an ellipsis)."""
    table = (SAMPLES / "README.md").read_text(encoding="utf-8").split("| line |", 1)[1].split("\n\n", 1)[0]
    found = []
    for row in table.splitlines()[2:]:
        lines, key, _, error, _ = [c.strip() for c in row.strip("|").split(" | ")]
        for line in lines.split(", "):
            found.append((int(line), None if key == "(no key)" else key, error.strip("`").split("…")[0]))
    return found


def setup(workdir):
    for name in ("po_lines", "po_lines_with_errors"):
        shutil.copy(SAMPLES / f"{name}.csv", workdir)
    write_config(workdir, CONFIG)
    return open_store()


def test_the_clean_sample_is_thirty_lines_with_every_column(workdir):
    rows = rows_of("po_lines")
    assert set(rows[0]) == set(CANONICAL_COLUMNS) | set(CUSTOM)
    runtime = setup(workdir)
    code, [report] = run_cli("--source", "po_lines")
    assert code == 0 and report["status"] == "success" and len(rows) == 30
    assert (report["lines_processed"], report["lines_new"], report["errors"]) == (30, 30, 0)
    stored = store_rows(runtime.engine, "SELECT po_number, line_number FROM po_lines WHERE source = 'po_lines'")
    assert sorted((r["po_number"], r["line_number"]) for r in stored) == sorted(
        (r["po_number"], int(r["line_number"])) for r in rows
    )
    custom = sum(1 for r in rows for name in CUSTOM if r[name])
    assert report["custom_values"] == custom


def test_each_bad_row_is_rejected_with_its_documented_error_and_line(workdir):
    runtime = setup(workdir)
    code, [report] = run_cli("--source", "po_lines_with_errors")
    assert report["status"] == "partial"
    failed = store_rows(runtime.engine, "SELECT row_key, error, location FROM failed_rows ORDER BY id")
    expected = documented_errors()
    assert len(failed) == len(expected) == report["errors"]
    for line, key, error in expected:
        matches = [f for f in failed if f["row_key"] == key and f["error"].startswith(error)]
        assert matches, (line, key, error)
        # Each row records its line in the file, both rows of the duplicate key too (lines 10 and 11).
        assert f"po_lines_with_errors.csv:{line}" in [f["location"] for f in matches]
        assert len(matches) == (2 if key == DUPLICATE else 1)
    bad = {key for _, key, _ in expected}
    good = [r for r in rows_of("po_lines_with_errors") if f"{r['po_number']}/{r['line_number']}" not in bad]
    good = [r for r in good if r["line_number"].isdigit()]  # line 7's line_number 1.5 makes no key
    assert report["lines_new"] == len(good) == 2 and code == 3
