"""A row retry re-validates rejected rows with the current configuration in a small row_retry run: rows that now
pass are written (xref, diff, custom columns) and resolved, the others keep failing with the new error and a
raised retry count; a row an older run rejected is superseded, not written; the request is audited."""

import pytest
import sqlalchemy as sa

from potrack.pipeline.runner import Pipeline
from potrack.store.retries import queue_row_retry
from tests.support.cli import run_cli
from tests.support.erp import erp_line, sql_source_config
from tests.support.store import json_value, store_rows
from tests.support.workdir import open_store, write_config

pytestmark = pytest.mark.backends  # the store on SQLite and on PostgreSQL

GOOD = [erp_line("PO1", 1, item_code="ITEM-1"), erp_line("PO1", 2, item_code="ITEM-2")]
# udf_3 is configured as a number: "n/a" is rejected until the column is reconfigured as text.
FIXABLE = erp_line("PO2", 1, item_code="ITEM-3", udf_3="n/a")
BROKEN = erp_line("PO2", 2, promised_date=None)


def failed_rows(engine):
    return {r["row_key"]: r for r in store_rows(engine, "SELECT * FROM failed_rows ORDER BY id")}


def night_with_rejections(workdir, erp, udf_3="number"):
    config = sql_source_config(erp).replace('udf_3 = "number"', f'udf_3 = "{udf_3}"')
    write_config(workdir, config)
    return config


def test_rows_that_now_pass_are_written_and_resolved_the_others_fail_again(workdir, erp):
    erp.write(GOOD + [FIXABLE, BROKEN])
    night_with_rejections(workdir, erp)
    code, [report] = run_cli()
    assert (code, report["status"], report["errors"]) == (3, "partial", 2)
    night_with_rejections(workdir, erp, udf_3="text")  # the admin fixes the configuration
    runtime = open_store()
    rows = failed_rows(runtime.engine)
    [queued] = queue_row_retry(runtime.engine, [rows["PO2/1"]["id"], rows["PO2/2"]["id"]], "otto")

    report = Pipeline(runtime.settings, runtime.engine).execute(queued.run_id)

    assert (report.status, report.metrics.lines_processed, report.metrics.lines_new, report.metrics.errors) == (
        "partial",
        2,
        1,
        1,
    )
    run = store_rows(runtime.engine, "SELECT trigger, requested_by, status FROM runs WHERE id = :i", i=queued.run_id)
    assert run == [{"trigger": "row_retry", "requested_by": "otto", "status": "partial"}]
    after = failed_rows(runtime.engine)
    fixed, broken = after["PO2/1"], after["PO2/2"]
    assert fixed["resolved_at"] is not None and fixed["resolved_by_run_id"] == queued.run_id
    assert fixed["resolution"] == f"passed on retry in run #{queued.run_id}"
    assert fixed["retry_count"] == 1  # every retry counts, the one it passed on too
    assert broken["resolved_at"] is None and broken["retry_count"] == 1 and "promised_date" in broken["error"]
    [line] = store_rows(
        runtime.engine,
        "SELECT active, internal_part_id, custom, first_seen_run_id FROM po_lines "
        "WHERE po_number = 'PO2' AND line_number = 1",
    )
    assert line["active"] and line["internal_part_id"] == "PART-3" and json_value(line["custom"])["udf_3"] == "n/a"
    assert line["first_seen_run_id"] == queued.run_id
    events = store_rows(
        runtime.engine, "SELECT po_number, line_number, kind FROM change_events WHERE run_id = :i", i=queued.run_id
    )
    assert events == [{"po_number": "PO2", "line_number": 1, "kind": "new"}]
    # A row retry never removes lines it did not see: the night's good lines are untouched.
    assert store_rows(runtime.engine, "SELECT COUNT(*) AS n FROM po_lines WHERE active")[0]["n"] == 3
    [audit] = store_rows(
        runtime.engine, "SELECT actor, run_id, details FROM audit_events WHERE event_type = 'failed_rows.retry'"
    )
    assert (audit["actor"], audit["run_id"]) == ("otto", queued.run_id)


def test_a_row_retry_that_still_fails_changes_no_line(workdir, erp):
    erp.write(GOOD + [BROKEN])
    night_with_rejections(workdir, erp)
    run_cli()
    runtime = open_store()
    before = store_rows(runtime.engine, "SELECT * FROM po_lines ORDER BY id")
    [queued] = queue_row_retry(runtime.engine, [failed_rows(runtime.engine)["PO2/2"]["id"]], "otto")
    report = Pipeline(runtime.settings, runtime.engine).execute(queued.run_id)
    assert (report.status, report.metrics.errors) == ("partial", 1)
    assert store_rows(runtime.engine, "SELECT * FROM po_lines ORDER BY id") == before
    assert failed_rows(runtime.engine)["PO2/2"]["retry_count"] == 1


def test_a_row_rejected_by_an_older_run_is_superseded_and_not_written(workdir, erp):
    erp.write(GOOD + [FIXABLE])
    night_with_rejections(workdir, erp)
    run_cli()
    erp.write(GOOD + [erp_line("PO2", 1, item_code="ITEM-3", udf_3=4)])  # the ERP corrected the row
    run_cli()
    night_with_rejections(workdir, erp, udf_3="text")
    runtime = open_store()
    line_before = store_rows(runtime.engine, "SELECT * FROM po_lines WHERE po_number = 'PO2'")
    row = failed_rows(runtime.engine)["PO2/1"]
    [queued] = queue_row_retry(runtime.engine, [row["id"]], "otto")
    report = Pipeline(runtime.settings, runtime.engine).execute(queued.run_id)
    assert (report.status, report.metrics.lines_processed, report.metrics.lines_new) == ("success", 0, 0)
    after = failed_rows(runtime.engine)["PO2/1"]
    assert after["resolved_at"] is not None and after["resolution"].startswith("superseded by run #")
    assert store_rows(runtime.engine, "SELECT * FROM po_lines WHERE po_number = 'PO2'") == line_before


def test_resolved_rows_and_rows_already_being_retried_are_refused(workdir, erp):
    import pytest

    from potrack.store.retries import NotFound, RetryRefused

    erp.write(GOOD + [BROKEN])
    night_with_rejections(workdir, erp)
    run_cli()
    runtime = open_store()
    row_id = failed_rows(runtime.engine)["PO2/2"]["id"]
    queue_row_retry(runtime.engine, [row_id], "otto")
    with pytest.raises(RetryRefused, match="already being retried"):
        queue_row_retry(runtime.engine, [row_id], "otto")
    with pytest.raises(NotFound, match="#999"):
        queue_row_retry(runtime.engine, [999], "otto")
    with runtime.engine.begin() as conn:
        conn.execute(sa.text("UPDATE runs SET status = 'success' WHERE trigger = 'row_retry'"))
        conn.execute(sa.text("UPDATE failed_rows SET resolved_at = '2026-11-01 00:00:00'"))
    with pytest.raises(RetryRefused, match="already resolved"):
        queue_row_retry(runtime.engine, [row_id], "otto")
