"""In real Chromium, a link inside pre-rendered HTML (the Overview's reasons and run squares, a card's tables) opens
its page the way dcc.Link does: the address changes and Dash draws the page without reloading the app, and Back
returns to the board."""

import pytest

from tests.support.browser import expect, open_runtime, serve, sign_in
from tests.support.overview_board import CONFIG, four_sources

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def board_app(browser, tmp_path_factory):
    root = tmp_path_factory.mktemp("fragment-links")
    (root / "potrack.toml").write_text(CONFIG, encoding="utf-8")
    with open_runtime(root) as runtime:
        runs = four_sources(runtime.engine)
    with serve(root) as app:
        yield app, runs


def test_a_square_opens_its_run_in_the_same_app_and_back_returns(board_app, page):
    app, runs = board_app
    sign_in(page, app, "vera", "/")
    failed = runs["delta"][-1]
    square = page.locator(f".board-row[data-source='delta'] .strip-run[data-run-id='{failed}']")
    expect(square).to_be_visible()
    page.evaluate("window.appLoadedOnce = true")  # gone if the page reloads
    square.click()
    page.wait_for_url(f"**/runs/{failed}")
    expect(page.locator("#run-detail")).to_contain_text("ERP unreachable")
    assert page.evaluate("window.appLoadedOnce === true")
    page.go_back()
    page.wait_for_url(f"{app.url}/")
    expect(page.locator(".board-row[data-source='delta']")).to_be_visible()
    assert page.evaluate("window.appLoadedOnce === true")
