"""In real Chromium, when the latest run failed: the monitor shows a banner with the failure reason and a link to
the run without any click, the run's card (only that one) is outlined in red, and the navbar's health indicator is
red "Failing" on every page, with the reason on hover and a link to the run."""

import re

import pytest

from tests.support.browser import expect, runs_in_store, sign_in

pytestmark = pytest.mark.browser
BOOTSTRAP_DANGER = "rgb(220, 53, 69)"


def test_the_banner_states_why_the_latest_run_failed_and_links_to_it(history_app, page):
    latest = runs_in_store(history_app)[0]
    assert latest["status"] == "failed"
    sign_in(page, history_app, "vera", "/runs")
    banner = page.locator(".latest-failure")
    expect(banner).to_be_visible()
    text = banner.inner_text()
    assert "The latest run of demo failed" in text and latest["error"] in text
    assert "demo ERP unreachable: connection refused" in text
    assert page.locator(".latest-failure").count() == 1

    page.wait_for_selector(".run-card")
    highlighted = page.eval_on_selector_all(".run-card-failed", "cards => cards.map(c => Number(c.dataset.runId))")
    assert highlighted == [latest["id"]]
    card = page.locator(f".run-card[data-run-id='{latest['id']}']")
    assert card.evaluate("c => getComputedStyle(c).borderTopColor") == BOOTSTRAP_DANGER
    older_failure = next(r for r in runs_in_store(history_app)[1:] if r["status"] == "failed")
    assert "run-card-failed" not in page.locator(f".run-card[data-run-id='{older_failure['id']}']").get_attribute(
        "class"
    )

    banner.get_by_role("link", name=f"Open run #{latest['id']}").click()
    page.wait_for_url(f"**/runs/{latest['id']}")
    expect(page.locator("body")).to_contain_text("demo ERP unreachable")


@pytest.mark.parametrize("path", ["/", "/runs", "/trends"])
def test_the_health_indicator_is_red_failing_on_every_page(history_app, page, path):
    latest = runs_in_store(history_app)[0]
    sign_in(page, history_app, "vera", path)
    health = page.locator("#health-indicator")
    expect(health).to_have_class(re.compile(r"\bhealth-failing\b"))
    assert health.inner_text().strip() == "● Failing"
    assert health.evaluate("e => getComputedStyle(e).backgroundColor") == BOOTSTRAP_DANGER
    assert health.get_attribute("href") == f"/runs/{latest['id']}"
    reason = health.get_attribute("title")
    assert f"demo: run #{latest['id']} failed" in reason and "demo ERP unreachable" in reason
