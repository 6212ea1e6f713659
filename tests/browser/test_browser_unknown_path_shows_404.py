"""In real Chromium against `python app.py`: a path that names no page shows potrack's own 'Page not found' inside
the navbar, naming the path, with a link back that works; the navbar links the runbook on every page."""

import pytest

from tests.support.browser import expect, sign_in

pytestmark = pytest.mark.browser


def test_an_unknown_path_shows_potrack_s_404_in_the_navbar_with_a_way_back(history_app, page):
    sign_in(page, history_app, "vera", "/no/such/page")
    expect(page.get_by_role("heading", name="Page not found")).to_be_visible()
    expect(page.locator("#not-found-path")).to_have_text("/no/such/page")
    expect(page.locator("#navbar")).to_be_visible()
    expect(page.locator("#health-indicator")).to_contain_text("●")  # the shell's callbacks run here too
    page.click("#not-found-home")
    page.wait_for_url(history_app.url + "/")
    expect(page.locator("#not-found")).to_have_count(0)


def test_the_navbar_links_the_runbook(history_app, page):
    sign_in(page, history_app, "vera", "/runs")
    page.click("#nav-runbook")
    page.wait_for_url(history_app.url + "/runbook")
    expect(page.locator("#runbook-contents")).to_be_visible()
