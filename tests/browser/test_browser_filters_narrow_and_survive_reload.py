"""In real Chromium, the monitor's status filter (multi-select) and date filter (DatePickerRange) narrow the list by
callback, without reloading the page; they go into the query string, so a reload (or a shared link) shows the
same view; a filter that matches nothing says so."""

import datetime as dt

import pytest

from tests.support.browser import expect, runs_in_store, sign_in

pytestmark = pytest.mark.browser


def shown(page):
    """(run id, status) of the cards on the page."""
    return [
        (int(i), s)
        for i, s in page.eval_on_selector_all(
            ".run-card", "cards => cards.map(c => [c.dataset.runId, c.dataset.status])"
        )
    ]


def search(page):
    return page.evaluate("location.search")


def open_monitor(app, page, query="", ready=".run-card"):
    sign_in(page, app, "vera", f"/runs{query}")
    page.wait_for_selector(ready)
    page.evaluate("window.notReloaded = true")  # gone if the page reloads


def pick_statuses(page, *statuses):
    page.click("#runs-filter-status")
    for status in statuses:
        page.get_by_role("option", name=status, exact=True).click()
    page.keyboard.press("Escape")


def test_the_status_filter_narrows_the_list_and_survives_a_reload(history_app, page):
    runs = runs_in_store(history_app)
    open_monitor(history_app, page)
    failed = [(r["id"], r["status"]) for r in runs if r["status"] == "failed"]
    partial_or_failed = [(r["id"], r["status"]) for r in runs if r["status"] in ("partial", "failed")]
    assert 2 <= len(failed) < len(partial_or_failed) < len(runs)

    pick_statuses(page, "failed")
    expect(page.locator("#runs-count")).to_have_text(f"{len(failed)} runs · newest first · page 1 of 1")
    assert shown(page) == failed and "status=failed" in search(page)
    assert page.evaluate("window.notReloaded") is True

    pick_statuses(page, "partial")
    expect(page.locator(".run-card")).to_have_count(len(partial_or_failed))
    assert shown(page) == partial_or_failed and "status=partial,failed" in search(page)

    page.reload()
    page.wait_for_selector(".run-card")
    expect(page.locator(".run-card")).to_have_count(len(partial_or_failed))
    assert shown(page) == partial_or_failed and "status=partial,failed" in search(page)
    expect(page.locator("#runs-filter-status")).to_contain_text("partial")
    expect(page.locator("#runs-filter-status")).to_contain_text("failed")


def test_the_date_filter_narrows_the_list_and_survives_a_reload(history_app, page):
    runs = runs_in_store(history_app)
    days = sorted({r["queued_at"].date() for r in runs})
    start, end = days[10], days[14]
    inside = [(r["id"], r["status"]) for r in runs if start <= r["queued_at"].date() <= end]
    assert len(inside) == 5
    open_monitor(history_app, page)

    page.fill("#runs-filter-dates", start.isoformat())
    page.keyboard.press("Tab")
    page.fill("#runs-filter-dates-end-date", end.isoformat())
    page.keyboard.press("Tab")
    expect(page.locator(".run-card")).to_have_count(len(inside))
    assert shown(page) == inside
    assert search(page) == f"?start={start}&end={end}" and page.evaluate("window.notReloaded") is True

    page.reload()
    page.wait_for_selector(".run-card")
    expect(page.locator(".run-card")).to_have_count(len(inside))
    assert shown(page) == inside and search(page) == f"?start={start}&end={end}"
    assert page.input_value("#runs-filter-dates") == start.isoformat()
    assert page.input_value("#runs-filter-dates-end-date") == end.isoformat()


def test_a_filter_that_matches_nothing_says_so(history_app, page):
    first = min(r["queued_at"] for r in runs_in_store(history_app)).date()
    before = (first - dt.timedelta(days=40)).isoformat()
    open_monitor(history_app, page, f"?start={before}&end={before}", ready=".runs-empty")
    assert page.inner_text(".runs-empty") == "No runs match these filters."
    assert page.locator(".run-card").count() == 0
