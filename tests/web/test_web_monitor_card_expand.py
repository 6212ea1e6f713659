"""Clicking a run card expands it in place and loads its details then: failure reason, errors with stage, row key
and source, unmapped codes with counts, the first 200 changes with the rest counted and linked, retry attempts."""

from dash import dcc, no_update

from pages.runs import toggle_card
from tests.support.web import body_rows, demo_run, find_all, text


def expand(run_id, clicks=1, is_open=False):
    return toggle_card(clicks, is_open, {"type": "run-summary", "index": run_id})


def test_partial_run_shows_rejected_rows_with_data_error_stage_key_and_source(web):
    demo_run(web, 0)
    run_id = demo_run(web, 4).run_id
    is_open, details = expand(run_id)
    shown = text(details)
    assert is_open is True
    assert "Errors: rejected rows (5)" in shown and "validate" in shown and "demo" in shown
    assert "quantity_ordered: not a number: 'n/a'" in shown and '"quantity_ordered": "n/a"' in shown
    assert "duplicate key" in shown


def test_unmapped_codes_come_with_their_line_counts(web):
    report = demo_run(web, 0)
    shown = text(expand(report.run_id)[1])
    assert f"Unmapped item codes ({report.metrics.xref_gaps})" in shown and "ITM-" in shown


def test_the_first_200_changes_are_listed_with_the_rest_counted_and_a_link_to_all(web):
    demo_run(web, 0)
    report = demo_run(web, 8)  # eight nights of changes at once
    details = expand(report.run_id)[1]
    total = report.metrics.change_events + report.metrics.lines_new
    assert total > 200
    shown = text(details)
    assert f"Changes ({total:,})" in shown and f"… and {total - 200:,} more." in shown and " → " in shown
    rows = body_rows(find_all(details, lambda c: getattr(c, "className", "") == "changes mb-2")[0])
    assert len(rows) == 200
    links = [link.href for link in find_all(details, lambda c: isinstance(c, dcc.Link))]
    assert [href for href in links if href.startswith("/runs/")] == [f"/runs/{report.run_id}"]
    line_links = [href for href in links if href.startswith("/lines/")]
    assert len(line_links) >= 200 and all(href.startswith("/lines/demo/PO") for href in line_links)


def test_failed_run_shows_its_reason_and_every_attempt_with_its_wait(web):
    run_id = demo_run(web, 0, fail="unreachable").run_id
    shown = text(expand(run_id)[1])
    assert "Failure reason" in shown and "source demo · stage extract:" in shown and "unreachable" in shown
    assert "Extract attempts that failed (3)" in shown and "transient" in shown and "gave up" in shown


def test_clicking_an_open_card_closes_it_without_reloading(web):
    run_id = demo_run(web, 0).run_id
    assert expand(run_id, clicks=2, is_open=True) == (False, no_update)
