"""In real Chromium over the demo history whose latest run failed: a viewer sees no Run now and, in a failed run's
expanded card, no Retry run; an operator retries the failed run from its card, the toast names the new run, and the
monitor shows its card (queued, trigger retry, 'retry of #N'), whose details link back ('retried by')."""

import re

import pytest

from tests.support.browser import expect, runs_in_store, sign_in

pytestmark = pytest.mark.browser


def expand(page, run_id):
    card = page.locator(f".run-card[data-run-id='{run_id}']")
    card.locator(".run-summary").click()
    card.locator(".run-details").wait_for(state="visible")
    return card


def test_a_viewer_sees_no_run_now_and_no_retry(history_app, page):
    latest = runs_in_store(history_app)[0]
    sign_in(page, history_app, "vera", "/")
    page.wait_for_selector(".board-row[data-source]")
    assert page.locator(".run-now").count() == 0
    page.goto(history_app.url + "/runs")
    page.wait_for_selector(".run-card")
    card = expand(page, latest["id"])
    expect(card.locator(".detail-failure")).to_be_visible()
    assert page.locator(".run-now").count() == 0 and card.locator(".retry-run").count() == 0


def test_an_operator_retries_a_failed_run_from_its_card(history_app, page):
    failed = runs_in_store(history_app)[0]
    assert failed["status"] == "failed"
    sign_in(page, history_app, "otto", "/runs")
    page.wait_for_selector(".run-card")
    expect(page.get_by_role("button", name="Run demo now")).to_be_visible()
    expand(page, failed["id"]).get_by_role("button", name="Retry run").click()

    toast = page.locator(".retry-toast")
    expect(toast).to_contain_text("queued as a retry of")
    new_id = int(re.search(rf"Run #(\d+) queued as a retry of #{failed['id']}", toast.inner_text())[1])
    card = page.locator(f".run-card[data-run-id='{new_id}']")
    expect(card.locator(".status-badge")).to_have_text("queued")
    expect(card.locator(".run-trigger")).to_have_text("retry")
    expect(card.locator(".retry-of")).to_have_text(f"retry of #{failed['id']}")
    assert page.eval_on_selector_all(".run-card", "cs => cs.map(c => Number(c.dataset.runId))")[0] == new_id

    stored = runs_in_store(history_app)[0]
    assert (stored["id"], stored["trigger"], stored["retry_of"], stored["requested_by"]) == (
        new_id,
        "retry",
        failed["id"],
        "otto",
    )
    chain = expand(page, failed["id"]).locator(".retry-chain")
    expect(chain).to_have_text(f"retried by #{new_id}")
    chain.get_by_role("link", name=f"#{new_id}").click()
    page.wait_for_url(f"**/runs/{new_id}")
    expect(page.locator(".retry-chain")).to_have_text(f"retry of #{failed['id']}")
