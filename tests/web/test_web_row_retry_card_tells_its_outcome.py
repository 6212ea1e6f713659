"""A row retry's outcome is told: its card (collapsed and opened) and the /failed-rows toast, once the run has
finished, say how many of its rows were written, are still failing, or were superseded (a row an older run rejected,
whose line a later snapshot already holds: resolved without being written), rather than "success, 0 lines"."""

import app
from pages.failed_rows import watch_retries
from pages.runs import refresh_runs, toggle_card
from potrack.pipeline.runner import Pipeline
from potrack.store.retries import queue_row_retry
from tests.support.cli import run_cli
from tests.support.erp import erp_line, sql_source_config
from tests.support.personas import acting_as, add_personas
from tests.support.store import store_rows
from tests.support.web import find_all, text
from tests.support.workdir import open_store, write_config

GOOD = [erp_line("PO1", 1, item_code="ITEM-1"), erp_line("PO1", 2, item_code="ITEM-2")]
# udf_3 is configured as a number: "n/a" is rejected until the column is reconfigured as text.
OLD = erp_line("PO3", 1, item_code="ITEM-3", udf_3="n/a")
FIXABLE = erp_line("PO2", 1, item_code="ITEM-3", udf_3="n/a")
BROKEN = erp_line("PO2", 2, promised_date=None)


def three_kinds_of_row(workdir, erp):
    """Night 1 rejects PO3/1; night 2 (the latest snapshot) holds PO3/1 and rejects PO2/1 and PO2/2; once udf_3 is
    text, a row retry of all three writes PO2/1, fails PO2/2 again and supersedes PO3/1. Returns (runtime, retry)."""
    write_config(workdir, sql_source_config(erp))
    erp.write(GOOD + [OLD])
    assert run_cli()[0] == 3
    erp.write(GOOD + [erp_line("PO3", 1, item_code="ITEM-3", udf_3=4), FIXABLE, BROKEN])
    assert run_cli()[0] == 3
    write_config(workdir, sql_source_config(erp).replace('udf_3 = "number"', 'udf_3 = "text"'))
    runtime = open_store()
    app.install(runtime)
    add_personas(runtime.engine)
    ids = [r["id"] for r in store_rows(runtime.engine, "SELECT id FROM failed_rows ORDER BY id")]
    [queued] = queue_row_retry(runtime.engine, ids, "otto")
    Pipeline(runtime.settings, runtime.engine).execute(queued.run_id)
    return runtime, queued.run_id


def test_the_card_says_how_many_rows_were_written_still_fail_or_were_superseded(workdir, erp):
    runtime, retry = three_kinds_of_row(workdir, erp)
    resolved = store_rows(runtime.engine, "SELECT row_key, resolution FROM failed_rows ORDER BY id")
    assert [r["row_key"] for r in resolved] == ["PO3/1", "PO2/1", "PO2/2"]  # the expectation, from the store
    assert resolved[0]["resolution"].startswith("superseded") and resolved[1]["resolution"].startswith("passed")
    assert resolved[2]["resolution"] is None

    with acting_as(runtime.engine, "otto"):
        cards = refresh_runs("", [], None, None, [])[0]
        details = toggle_card(1, False, {"type": "run-summary", "index": retry})[1]
    [card] = [c for c in cards if c.id == {"type": "run-card", "index": retry}]
    told = "1 row written, 1 still failing, 1 superseded"
    assert f"row retry: {told}" in text(card)
    assert f"Row retry outcome {told}" in text(details)


def test_the_failed_rows_toast_tells_the_outcome_once_the_retry_has_finished(workdir, erp):
    runtime, retry = three_kinds_of_row(workdir, erp)
    status = store_rows(runtime.engine, "SELECT status FROM runs WHERE id = :r", r=retry)[0]["status"]
    is_open, message, icon, watched, stopped = watch_retries(1, [retry])
    assert (is_open, icon, watched, stopped) == (True, "warning", [], True)  # a row still fails: amber
    assert text(message) == (f"Run #{retry} ({status}) retried 3 rows: 1 row written, 1 still failing, 1 superseded.")
    assert [link.href for link in find_all(message, lambda c: hasattr(c, "href"))] == [f"/runs/{retry}"]
