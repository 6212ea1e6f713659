"""Run detail /runs/<id>: the run's details, the full change list paged in SQL (what changed first, in the order
written, then the new lines), and a CSV of the changed lines."""

import csv
import io

from pages.run_detail import CHANGES_PER_PAGE, download_changes, layout, show_changes
from tests.support.html_tables import table_links, table_rows, tables
from tests.support.store import store_rows
from tests.support.web import demo_run, find_by_id, text


def change_list(web, run_id):
    """The run's change list as the page orders it, from the store: change events by id, then new lines by id."""
    rows = store_rows(
        web.engine,
        "SELECT po_number, line_number, kind, field FROM change_events WHERE run_id = :r ORDER BY id",
        r=run_id,
    )
    ordered = [r for r in rows if r["kind"] != "new"] + [r for r in rows if r["kind"] == "new"]
    return [(f"{r['po_number']}/{r['line_number']}", r["kind"], r["field"]) for r in ordered]


def listed(table):
    """(PO/line, kind, field) of each row of a change table, read from its words."""
    rows = []
    for po_line, change in table_rows(table):
        if change == "new line":
            rows.append((po_line, "new", None))
        elif change.startswith("removed"):
            rows.append((po_line, "removed", None))
        else:
            rows.append((po_line, "changed", change.split(":")[0]))
    return rows


def test_the_page_shows_the_run_and_the_first_page_of_its_changes(web):
    demo_run(web, 0)
    report = demo_run(web, 8)
    page = layout(run_id=str(report.run_id))
    events, new = report.metrics.change_events, report.metrics.lines_new
    assert f"Run #{report.run_id} · demo" in text(page)
    assert f"Changes: {events:,} change events · {new:,} new lines" in text(page)
    assert find_by_id(page, "detail-changes-pager").max_value == -(-(events + new) // CHANGES_PER_PAGE)
    table = tables(find_by_id(page, "detail-changes"), "changes")[0]
    assert listed(table) == change_list(web, report.run_id)[:CHANGES_PER_PAGE]


def test_later_pages_hold_the_rest_of_the_changes_new_lines_last(web):
    demo_run(web, 0)
    report = demo_run(web, 8)
    total = report.metrics.change_events + report.metrics.lines_new
    last = -(-total // CHANGES_PER_PAGE)
    table = show_changes(last, report.run_id, "demo")
    rows = listed(table)
    assert len(rows) == total - (last - 1) * CHANGES_PER_PAGE
    assert rows == change_list(web, report.run_id)[(last - 1) * CHANGES_PER_PAGE :]
    assert rows[-1][1] == "new"  # the new lines close the list
    assert {href.split("/")[2] for _, href in table_links(table)} == {"demo"}  # each links its line


def test_the_csv_download_holds_every_changed_line(web):
    demo_run(web, 0)
    report = demo_run(web, 3)
    download = download_changes(1, report.run_id)
    rows = list(csv.DictReader(io.StringIO(download["content"])))
    assert download["filename"] == f"potrack-run-{report.run_id}-changes.csv"
    assert len(rows) == report.metrics.change_events + report.metrics.lines_new
    assert {r["change"] for r in rows} == {"new", "changed", "removed"}


def test_an_unknown_run_says_so(web):
    assert "There is no run '42' in the store." in text(layout(run_id="42"))
    assert "There is no run 'abc' in the store." in text(layout(run_id="abc"))
