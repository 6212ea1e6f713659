"""What an expanded run shows, read in one call: failure, rejected rows, unmapped codes, attempts, changes (capped)."""

import pytest

from potrack.store.run_history import run_detail
from tests.support.web import demo_run

pytestmark = pytest.mark.backends  # the store on SQLite and on PostgreSQL


def detail_of(runtime, run_id, limit=200):
    with runtime.engine.connect() as conn:
        return run_detail(conn, run_id, limit)


def test_partial_run_has_rejected_rows_with_stage_key_source_data_and_error(web):
    demo_run(web, 0)
    report = demo_run(web, 4)
    detail = detail_of(web, report.run_id)
    assert detail.run.status == "partial" and detail.rejected_total == len(detail.rejected) == 5
    bad = next(r for r in detail.rejected if "quantity_ordered" in r.error)
    assert (bad.stage, bad.source) == ("validate", "demo")
    assert bad.row_key and bad.raw["quantity_ordered"] == "n/a"


def test_unmapped_codes_come_with_line_counts_most_lines_first(web):
    report = demo_run(web, 0)
    detail = detail_of(web, report.run_id)
    assert len(detail.unmapped) == report.metrics.xref_gaps > 0
    counts = [count for _, count in detail.unmapped]
    assert counts == sorted(counts, reverse=True) and all(code.startswith("ITM-") for code, _ in detail.unmapped)


def test_changes_are_capped_with_the_total_counted(web):
    demo_run(web, 0)
    report = demo_run(web, 3)
    detail = detail_of(web, report.run_id, limit=10)
    assert len(detail.changes) == 10
    assert detail.changes_total == report.metrics.change_events + report.metrics.lines_new
    assert {c.kind for c in detail_of(web, report.run_id, limit=10_000).changes} >= {"new", "changed"}


def test_failed_run_has_its_reason_stage_and_every_attempt(web):
    report = demo_run(web, 0, fail="unreachable")
    detail = detail_of(web, report.run_id)
    assert detail.run.status == "failed" and detail.run.error_stage == "extract"
    assert "unreachable" in detail.run.error
    assert [a.attempt for a in detail.attempts] == [1, 2, 3]
    assert [a.wait_s is None for a in detail.attempts] == [False, False, True]
    assert detail.changes_total == 0 and detail.rejected == []


def test_unknown_run_has_no_detail(web):
    assert detail_of(web, 12345) is None
