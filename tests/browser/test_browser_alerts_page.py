"""In real Chromium against `python app.py`: an admin opens /alerts and sees the firing alert above the history,
the Rules per source, and a Send test notification button per channel whose test reaches the webhook receiver and
shows as sent; the alert's runbook link lands on its section; a viewer sees the same page without the buttons."""

import pytest

from tests.support.alerts import config, evaluate, fail_twice
from tests.support.browser import WAIT_MS, expect, open_runtime, serve, sign_in
from tests.support.timing import wait_for

pytestmark = pytest.mark.browser


@pytest.fixture
def alerts_app(browser, receiver, tmp_path):
    """The app (scheduler off) on a store whose demo source has a firing consecutive-failures alert."""
    (tmp_path / "potrack.toml").write_text(config(receiver.url), encoding="utf-8")
    with open_runtime(tmp_path) as runtime:
        fail_twice(runtime)
        assert "opened demo/consecutive_failures" in evaluate(runtime)
    with serve(tmp_path) as app:
        yield app


def test_an_admin_sees_the_firing_alert_on_top_the_rules_and_tests_a_channel(alerts_app, browser, page, receiver):
    sign_in(page, alerts_app, "ada", "/alerts")
    firing, history = page.locator("#alerts-firing"), page.locator("#alerts-history")
    expect(firing).to_contain_text("consecutive failed runs")
    expect(firing).to_contain_text("the last 2 runs failed")
    expect(history).to_contain_text("firing")
    assert firing.bounding_box()["y"] < history.bounding_box()["y"]
    rules = page.locator("#alerts-rules")
    expect(page.get_by_role("heading", name="Rules per source")).to_be_visible()
    expect(rules.locator(".rules-card")).to_have_count(2)
    expect(rules).to_contain_text("no completed run for 26 h")
    expect(rules).to_contain_text("notifications muted until 2099-01-01")

    page.locator(".alerts-channel[data-channel=hook]").get_by_role("button", name="Send test notification").click()
    expect(page.locator(".alerts-toast")).to_contain_text("Test notification #")
    expect(page.locator("#alerts-tests .notification-sent")).to_have_count(1)
    assert wait_for(lambda: receiver.posts)[-1]["event"] == "test"

    firing.get_by_role("link", name="what to do").click()
    page.wait_for_url("**/runbook#consecutive-failures")
    expect(page.locator("#consecutive-failures")).to_be_in_viewport()
    page.goto(f"{alerts_app.url}/runbook#stale-data")  # as a notification's link opens it
    expect(page.locator("#stale-data")).to_be_in_viewport()
    page.wait_for_timeout(3000)  # (the Markdown is drawn by then)
    expect(page.locator("#stale-data")).to_be_in_viewport()

    viewer = browser.new_context(viewport={"width": 1400, "height": 1000})
    viewer.set_default_timeout(WAIT_MS)
    try:
        tab = sign_in(viewer.new_page(), alerts_app, "vera", "/alerts")
        expect(tab.locator("#alerts-firing")).to_contain_text("consecutive failed runs")
        expect(tab.locator("#alerts-channels")).to_contain_text("hook")
        assert tab.get_by_role("button", name="Send test notification").count() == 0
    finally:
        viewer.close()
