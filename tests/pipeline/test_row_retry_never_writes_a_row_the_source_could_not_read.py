"""A CSV row the source could not read as a row (bytes not valid in the file's encoding, more cells than the header)
is rejected at stage `read`: its record shows what could be read, not what the ERP holds, so a row retry never
writes it — it fails again, saying to correct the file; the file's next run reads the row again. Rows rejected by
validation in the same retry are re-validated as usual."""

from pathlib import Path

import pytest

from potrack.pipeline.runner import Pipeline
from potrack.store.retries import queue_row_retry
from tests.support.cli import run_cli
from tests.support.erp import ERP_COLUMNS, erp_line
from tests.support.store import store_rows
from tests.support.workdir import open_store, write_config

pytestmark = pytest.mark.backends  # the store on SQLite and on PostgreSQL

CONFIG = """
[[sources]]
name = "files"
kind = "csv"
path = "po.csv"
encoding = "cp1252"
custom_columns = {{ udf_1 = "text", udf_3 = "{udf_3}" }}
"""


def cells(row: dict) -> list[str]:
    return ["" if row.get(c) is None else str(row[c]) for c in ERP_COLUMNS]


def write_file(path: Path, good: list[dict], undecodable: dict, surplus: dict, fixable: dict) -> None:
    """The export: good rows, one whose description holds the byte 0x81 (not cp1252), one with a cell more than
    the header, and one whose udf_3 is text where a number is configured."""
    buffer = [",".join(ERP_COLUMNS).encode("cp1252")]
    for row in good + [fixable]:
        buffer.append(",".join(cells(row)).encode("cp1252"))
    bad = cells(undecodable)
    bad[ERP_COLUMNS.index("description")] = "Crank \x00MARK Arm"
    buffer.append(",".join(bad).encode("cp1252").replace(b"\x00MARK", b"\x81"))
    buffer.append(",".join([*cells(surplus), "surplus"]).encode("cp1252"))
    path.write_bytes(b"\r\n".join(buffer) + b"\r\n")


def test_rows_the_source_could_not_read_fail_again_on_retry_and_are_not_written(workdir):
    write_config(workdir, CONFIG.format(udf_3="number"))
    good = [erp_line("PO1", 1), erp_line("PO1", 2)]
    write_file(workdir / "po.csv", good, erp_line("PO2", 1), erp_line("PO2", 2), erp_line("PO2", 3, udf_3="n/a"))
    code, [report] = run_cli("--source", "files")
    assert (code, report["errors"]) == (3, 3)
    runtime = open_store()
    rows = {r["row_key"]: r for r in store_rows(runtime.engine, "SELECT * FROM failed_rows ORDER BY id")}
    assert {k: (r["stage"], r["location"]) for k, r in rows.items()} == {
        "PO2/1": ("read", "po.csv:5"),
        "PO2/2": ("read", "po.csv:6"),
        "PO2/3": ("validate", "po.csv:4"),
    }
    assert "0x81" in rows["PO2/1"]["error"] and "\\\\x81" in rows["PO2/1"]["raw_data"]

    write_config(workdir, CONFIG.format(udf_3="text"))  # the admin fixes what a retry can fix
    runtime = open_store()
    [queued] = queue_row_retry(runtime.engine, [r["id"] for r in rows.values()], "otto")
    retry = Pipeline(runtime.settings, runtime.engine).execute(queued.run_id)

    assert retry is not None and retry.status == "success"  # the validated row passed; the others were not read
    after = {r["row_key"]: r for r in store_rows(runtime.engine, "SELECT * FROM failed_rows ORDER BY id")}
    assert after["PO2/3"]["resolved_by_run_id"] == queued.run_id
    for key in ("PO2/1", "PO2/2"):
        assert after[key]["resolved_at"] is None and after[key]["retry_count"] == 1
        assert after[key]["error"].startswith(rows[key]["error"])
        assert "not retried: the source could not read this row; correct the file" in after[key]["error"]
    stored = store_rows(runtime.engine, "SELECT po_number, line_number FROM po_lines ORDER BY po_number, line_number")
    assert [(r["po_number"], r["line_number"]) for r in stored] == [("PO1", 1), ("PO1", 2), ("PO2", 3)]

    # A second retry does not stack the explanation.
    [again] = queue_row_retry(runtime.engine, [after["PO2/1"]["id"]], "otto")
    Pipeline(runtime.settings, runtime.engine).execute(again.run_id)
    [row] = store_rows(
        runtime.engine, "SELECT error, retry_count FROM failed_rows WHERE id = :i", i=after["PO2/1"]["id"]
    )
    assert row["retry_count"] == 2 and row["error"] == after["PO2/1"]["error"]
