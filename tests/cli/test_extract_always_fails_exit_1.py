"""A source that always fails: exit 1, an `ingestion.failed` audit event, the stored lines untouched."""

import json

import pytest

from tests.support.cli import run_cli, run_cli_process
from tests.support.store import store_rows
from tests.support.workdir import open_store, write_config

pytestmark = pytest.mark.backends  # the store on SQLite and on PostgreSQL

DEMO = """
[[sources]]
name = "erp"
kind = "demo"
custom_columns = {{ udf_project = "text", udf_weight_kg = "number" }}
demo = {{ night = {night}, lines = 60{fail} }}
retry = {{ attempts = 3, backoff_initial_s = 0.01, backoff_max_s = 0.02 }}
"""


def test_source_that_always_fails_exits_1_audits_and_leaves_store_lines_unchanged(workdir):
    write_config(workdir, DEMO.format(night=0, fail=""))
    code, [good] = run_cli("--source", "erp")
    assert (code, good["status"]) == (0, "success")
    engine = open_store().engine
    lines_before = store_rows(engine, "SELECT * FROM po_lines ORDER BY po_number, line_number")
    events_before = store_rows(engine, "SELECT * FROM change_events")
    batches_before = store_rows(engine, "SELECT * FROM receipt_batches")
    assert len(lines_before) == good["lines_new"] > 0

    # The next night the ERP is unreachable on every attempt.
    write_config(workdir, DEMO.format(night=1, fail=', fail = "unreachable"'))
    proc = run_cli_process(workdir, "run", "--source", "erp", "--json")
    assert proc.returncode == 1, proc.stderr
    [report] = [json.loads(line) for line in proc.stdout.splitlines() if line.strip()]
    assert report["status"] == "failed"
    assert report["error"].startswith("extract: ") and "unreachable" in report["error"]
    assert (report["errors"], report["retry_attempts"]) == (1, 3)
    assert (
        report["lines_processed"],
        report["lines_new"],
        report["lines_changed"],
        report["lines_removed"],
        report["change_events"],
        report["batches_reconstructed"],
    ) == (0, 0, 0, 0, 0, 0)
    assert "failed" in proc.stderr and "[ERROR]" in proc.stderr

    [run] = store_rows(engine, "SELECT * FROM runs WHERE id = :r", r=report["run_id"])
    assert run["status"] == "failed" and run["error_stage"] == "extract" and run["finished_at"] is not None
    assert run["error"] == report["error"]
    assert len(store_rows(engine, "SELECT * FROM retry_attempts WHERE run_id = :r", r=report["run_id"])) == 3

    audits = store_rows(engine, "SELECT * FROM audit_events WHERE run_id = :r", r=report["run_id"])
    assert [(a["event_type"], a["severity"], a["source"]) for a in audits] == [("ingestion.failed", "error", "erp")]
    assert "unreachable" in audits[0]["message"]

    assert store_rows(engine, "SELECT * FROM po_lines ORDER BY po_number, line_number") == lines_before
    assert store_rows(engine, "SELECT * FROM change_events") == events_before
    assert store_rows(engine, "SELECT * FROM receipt_batches") == batches_before
    assert store_rows(engine, "SELECT * FROM unmapped_codes WHERE run_id = :r", r=report["run_id"]) == []
