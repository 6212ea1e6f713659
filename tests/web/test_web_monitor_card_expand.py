"""Clicking a run card expands it in place and loads its details then: failure reason, the first rejected rows
(stage, row key, error, where) with their raw data folded, unmapped codes with counts, the first 20 change events
with the new lines summed up and a link to the run's page for the rest, retry attempts."""

import json

from dash import dcc, html, no_update

from pages.runs import CARD_ROWS, toggle_card
from tests.support.html_tables import table_links, table_rows, tables
from tests.support.store import store_rows
from tests.support.web import demo_run, find_all, text


def expand(run_id, clicks=1, is_open=False):
    return toggle_card(clicks, is_open, {"type": "run-summary", "index": run_id})


def test_partial_run_shows_rejected_rows_with_error_stage_and_key_and_their_data_folded(web):
    demo_run(web, 0)
    run_id = demo_run(web, 4).run_id
    is_open, details = expand(run_id)
    stored = store_rows(
        web.engine,
        "SELECT stage, row_key, error, location, raw_data FROM failed_rows WHERE run_id = :r ORDER BY id",
        r=run_id,
    )
    assert is_open is True and len(stored) == 5
    assert "Errors: rejected rows (5)" in text(details)
    [rejected] = tables(details, "rejected")
    assert table_rows(rejected) == [
        [r["stage"], r["row_key"] or "(no key)", r["error"], r["location"] or ""] for r in stored
    ]
    [folded] = find_all(details, lambda c: isinstance(c, html.Details))
    assert not getattr(folded, "open", False)  # the raw data waits until asked for
    raw = folded.children[1].children
    assert [json.loads(line.split("  ", 1)[1]) for line in raw.splitlines()] == [
        json.loads(r["raw_data"]) for r in stored
    ]
    assert '"quantity_ordered": "n/a"' in raw


def test_unmapped_codes_come_with_their_line_counts(web):
    report = demo_run(web, 0)
    details = expand(report.run_id)[1]
    codes = store_rows(
        web.engine,
        "SELECT item_code, line_count FROM unmapped_codes WHERE run_id = :r ORDER BY line_count DESC, item_code",
        r=report.run_id,
    )
    assert f"Unmapped item codes ({report.metrics.xref_gaps})" in text(details)
    assert (
        table_rows(tables(details, "unmapped")[0])
        == [[c["item_code"], f"{c['line_count']:,}"] for c in codes][:CARD_ROWS]
    )


def test_the_first_change_events_are_listed_new_lines_summed_up_and_the_rest_on_the_runs_page(web):
    demo_run(web, 0)
    report = demo_run(web, 8)  # eight nights of changes at once
    details = expand(report.run_id)[1]
    events, new = report.metrics.change_events, report.metrics.lines_new
    assert events > CARD_ROWS and new > 0
    said = text(details)
    assert f"Changes: {events:,} change events · {new:,} new lines" in said
    assert f"{new:,} new lines." in said and f"… and {events - CARD_ROWS:,} more change events." in said
    first = store_rows(
        web.engine,
        "SELECT po_number, line_number, kind, field, old_value, new_value FROM change_events "
        "WHERE run_id = :r AND kind <> 'new' ORDER BY id LIMIT :n",
        r=report.run_id,
        n=CARD_ROWS,
    )
    [changes] = tables(details, "changes")
    rows = table_rows(changes)
    assert [r[0] for r in rows] == [f"{c['po_number']}/{c['line_number']}" for c in first]
    assert "new line" not in [r[1] for r in rows]  # what changed comes first; new lines are only counted
    assert all(href.startswith("/lines/demo/PO") for _, href in table_links(changes))
    links = [link.href for link in find_all(details, lambda c: isinstance(c, dcc.Link))]
    assert [href for href in links if href.startswith("/runs/")] == [f"/runs/{report.run_id}"]


def test_failed_run_shows_its_reason_and_every_attempt_with_its_wait(web):
    run_id = demo_run(web, 0, fail="unreachable").run_id
    details = expand(run_id)[1]
    said = text(details)
    assert "Failure reason" in said and "source demo · stage extract:" in said and "unreachable" in said
    attempts = table_rows(tables(details, "attempts")[0])
    assert "Extract attempts that failed (3)" in said and [a[0] for a in attempts] == ["1", "2", "3"]
    assert all(a[2] == "transient" for a in attempts) and attempts[-1][3] == "gave up"
    assert "This run changed no PO line." in said


def test_clicking_an_open_card_closes_it_without_reloading(web):
    run_id = demo_run(web, 0).run_id
    assert expand(run_id, clicks=2, is_open=True) == (False, no_update)
