"""In real Chromium, the Overview board with one failing, one abandoned, one stale and one healthy source: the rows
in order of severity (failing, then degraded, then healthy; by name within a level), each coloured by its state with
its reason in words, and each square of a row's strip a link to its run that opens it without reloading the app
(pre-rendered HTML's links work as dcc.Link's), Back returning to the board."""

import pytest

from tests.support.browser import expect, sign_in

pytestmark = pytest.mark.browser
BOOTSTRAP_DANGER_BG_SUBTLE = "rgb(248, 215, 218)"


def test_rows_are_sorted_by_severity_coloured_and_say_why(board_app, page):
    app, runs = board_app
    sign_in(page, app, "vera", "/")
    rows = page.locator(".board-row[data-source]")
    expect(rows).to_have_count(4)
    assert [rows.nth(i).get_attribute("data-source") for i in range(4)] == ["charlie", "delta", "bravo", "alpha"]
    assert [rows.nth(i).get_attribute("data-level") for i in range(4)] == ["failing", "failing", "degraded", "healthy"]
    assert rows.nth(0).evaluate("r => getComputedStyle(r).backgroundColor") == BOOTSTRAP_DANGER_BG_SUBTLE
    assert rows.nth(0).locator(".board-state").inner_text() == "Failing"
    charlie = rows.nth(0).locator(".board-reason")
    assert "in extract at 20,000 of 63,435 rows" in charlie.inner_text()
    assert charlie.get_attribute("href") == f"/runs/{runs['charlie'][-1]}"
    assert "extract: ERP unreachable" in rows.nth(1).locator(".board-reason").inner_text()
    assert "no completed run for 31 h (limit 26 h)" in rows.nth(2).locator(".board-reason").inner_text()
    assert rows.nth(3).locator(".board-state").inner_text() == "Healthy"


def test_each_square_links_to_its_run(board_app, page):
    app, runs = board_app
    sign_in(page, app, "vera", "/")
    for source, ids in runs.items():
        squares = page.locator(f".board-row[data-source='{source}'] .strip-run")
        expect(squares).to_have_count(len(ids))
        assert [int(squares.nth(i).get_attribute("data-run-id")) for i in range(len(ids))] == ids
    abandoned = runs["charlie"][-1]
    square = page.locator(f".board-row[data-source='charlie'] .strip-run[data-run-id='{abandoned}']")
    assert square.get_attribute("title").startswith(f"run #{abandoned} · abandoned · ")
    page.evaluate("window.appLoadedOnce = true")  # gone if the page reloads
    square.click()
    page.wait_for_url(f"**/runs/{abandoned}")
    expect(page.locator("body")).to_contain_text("in stage extract")
    # A link in pre-rendered HTML opens its page as dcc.Link does: without reloading the app; Back returns.
    assert page.evaluate("window.appLoadedOnce === true")
    page.go_back()
    page.wait_for_url(f"{app.url}/")
    expect(page.locator(".board-row[data-source='charlie'] .strip-run").first).to_be_visible()
    assert page.evaluate("window.appLoadedOnce === true")
