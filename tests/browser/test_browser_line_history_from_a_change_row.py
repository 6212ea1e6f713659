"""In real Chromium over the demo history: a change row's PO line link on /changes opens that line's history in
place (no reload) at /lines/<source>/<po>/<line>: its heading names the PO and line, its night-by-night timeline
lists the change the row showed under the row's run, and that run is among the runs that touched it. The navbar's
search box (a GET form to /find) finds a PO: Enter on its number lands on the list of its lines, or straight on
the line's history when the PO has only one line."""

import urllib.parse

import pytest

from tests.support.browser import expect, sign_in
from tests.support.browser import store_query as store

pytestmark = pytest.mark.browser


def line_url(app, source, po, line):
    """The absolute URL of a line's history (the PO number quoted)."""
    return f"{app.url}/lines/{source}/{urllib.parse.quote(po, safe='')}/{line}"


def test_a_change_rows_line_link_opens_the_lines_history_with_that_change_and_run(history_app, page):
    newest = store(
        history_app, "SELECT source, po_number, line_number, run_id FROM change_events ORDER BY id DESC LIMIT 1"
    )[0]
    sign_in(page, history_app, "vera", "/changes")
    row = page.locator(".change-rows tbody tr").first
    expect(row).to_be_visible()
    cells = row.locator("td").all_inner_texts()
    run, source, line_text, change = cells[1], cells[2], cells[3], cells[8]
    po, _, line = line_text.rpartition("/")
    assert (source, po, int(line), run) == (newest.source, newest.po_number, newest.line_number, f"#{newest.run_id}")
    page.evaluate("window.notReloaded = true")

    row.locator("a.line-link").click()
    page.wait_for_url(line_url(history_app, source, po, line))
    history = page.locator("#line-history")
    expect(history.locator("h2")).to_contain_text(f"{po} / line {line}")
    assert page.evaluate("window.notReloaded") is True  # a dcc.Link: drawn in place

    runs = store(
        history_app,
        "SELECT DISTINCT run_id FROM change_events WHERE source = :s AND po_number = :p AND line_number = :l",
        s=source,
        p=po,
        l=int(line),
    )
    nights = history.locator(".line-changes .line-timeline tbody tr")
    expect(nights).to_have_count(len(runs))
    night = nights.filter(has=page.get_by_role("link", name=run, exact=True))
    expect(night).to_have_count(1)
    assert change in night.locator("li").all_inner_texts()

    touched = history.locator(".line-touched .line-runs tbody tr").filter(
        has=page.get_by_role("link", name=run, exact=True)
    )
    expect(touched).to_have_count(1)
    assert "changed" in touched.locator("td").last.inner_text()


def search_lands_where_the_store_says(page, app, po):
    """Type a PO number in the navbar's search box and press Enter: the line's history when the store has one line
    of that PO, else the list of its lines (source, PO, line, each linked to its history); returns the lines."""
    lines = store(
        app, "SELECT source, line_number FROM po_lines WHERE po_number = :p ORDER BY source, line_number", p=po
    )
    assert lines
    page.fill("#nav-search", po)
    page.keyboard.press("Enter")
    if len(lines) == 1:
        ((source, line),) = lines
        page.wait_for_url(line_url(app, source, po, line))
        expect(page.locator("#line-history h2")).to_contain_text(f"{po} / line {line}")
        return lines
    page.wait_for_url(f"{app.url}/lines?{urllib.parse.urlencode({'q': po})}")
    found = page.locator("#lines-found")
    expect(found.locator("h2")).to_have_text(f"Lines of {po}")
    expect(found.locator(".lines-found tbody tr")).to_have_count(len(lines))
    assert found.locator(".lines-found tbody tr").evaluate_all(
        "rows => rows.map(r => [r.cells[0].innerText, r.cells[1].innerText, r.cells[2].innerText])"
    ) == [[source, po, str(line)] for source, line in lines]
    assert [
        app.url + href
        for href in found.locator("a.line-link").evaluate_all("links => links.map(a => a.getAttribute('href'))")
    ] == [line_url(app, s, po, n) for s, n in lines]
    return lines


def test_the_navbar_search_finds_a_po_by_its_number(history_app, page):
    sign_in(page, history_app, "vera", "/changes")
    row_po = page.locator(".change-rows tbody tr a.line-link").first.inner_text().rpartition("/")[0]
    one_line_po = store(
        history_app, "SELECT po_number FROM po_lines GROUP BY po_number HAVING count(*) = 1 ORDER BY po_number LIMIT 1"
    )[0][0]
    found = [search_lands_where_the_store_says(page, history_app, po) for po in (row_po, one_line_po)]
    assert len(found[0]) > 1 and len(found[1]) == 1  # both ways of landing were taken
