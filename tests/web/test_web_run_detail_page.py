"""Run detail /runs/<id>: the run's details, the full change list paged in SQL, and a CSV of the changed lines."""

import csv
import io

from pages.run_detail import CHANGES_PER_PAGE, download_changes, layout, show_changes
from tests.support.web import body_rows, demo_run, find_by_id, text


def test_the_page_shows_the_run_and_the_first_page_of_its_changes(web):
    demo_run(web, 0)
    report = demo_run(web, 8)
    page = layout(run_id=str(report.run_id))
    total = report.metrics.change_events + report.metrics.lines_new
    assert f"Run #{report.run_id} · demo" in text(page) and f"Changes ({total:,})" in text(page)
    assert find_by_id(page, "detail-changes-pager").max_value == -(-total // CHANGES_PER_PAGE)
    assert len(body_rows(find_by_id(page, "detail-changes"))) == CHANGES_PER_PAGE


def test_later_pages_hold_the_rest_of_the_changes(web):
    demo_run(web, 0)
    report = demo_run(web, 8)
    total = report.metrics.change_events + report.metrics.lines_new
    last = -(-total // CHANGES_PER_PAGE)
    rows = body_rows(show_changes(last, report.run_id, "demo"))
    assert len(rows) == total - (last - 1) * CHANGES_PER_PAGE
    assert {row.children[0].children.href.rsplit("/", 3)[1] for row in rows} == {"demo"}  # each links its line


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
