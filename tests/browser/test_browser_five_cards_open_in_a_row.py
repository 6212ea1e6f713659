"""In real Chromium, five run cards opened one after the other on the Ingestion Monitor all open in place and stay
open, each with its own details (how fast is bench/browser.py's to measure, not a test's)."""

import pytest

from tests.support.browser import expect, runs_in_store, sign_in

pytestmark = pytest.mark.browser


def test_five_cards_opened_in_a_row_each_show_their_own_details_and_stay_open(history_app, page):
    newest = runs_in_store(history_app)[:5]
    sign_in(page, history_app, "vera", "/runs")
    page.wait_for_selector(".run-card")
    for n, run in enumerate(newest, start=1):
        card = page.locator(f".run-card[data-run-id='{run['id']}']")
        card.locator(".run-summary").click()
        expect(card.locator(".run-details")).to_be_visible()
        expect(page.locator(".run-details:visible")).to_have_count(n)
        events, new = run["change_events"], run["lines_new"]
        words = f"Changes: {events:,} change event{'s' * (events != 1)} · {new:,} new line{'s' * (new != 1)}"
        expect(card.locator(".detail-changes h6")).to_have_text(words)
    for run in newest:  # the first cards kept their own details
        expect(page.locator(f".run-card[data-run-id='{run['id']}'] .run-details")).to_be_visible()
