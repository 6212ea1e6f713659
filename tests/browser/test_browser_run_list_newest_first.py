"""In real Chromium, /runs lists the demo history newest first, and each card shows the run's time, source,
trigger, status, duration and every metric exactly as the store has them."""

import pytest

from potrack.timefmt import duration
from tests.support.browser import runs_in_store, sign_in

pytestmark = pytest.mark.browser
METRICS = ("lines_processed", "lines_new", "change_events", "batches_reconstructed", "xref_gaps", "errors")


def test_cards_are_newest_first_with_every_metric(history_app, page):
    runs = runs_in_store(history_app)
    sign_in(page, history_app, "vera", "/runs")
    page.wait_for_selector(".run-card")
    assert page.inner_text("#runs-count") == f"{len(runs)} runs · newest first · page 1 of 1"

    cards = page.eval_on_selector_all(
        ".run-card",
        """cards => cards.map(card => ({
        id: Number(card.dataset.runId), status: card.dataset.status,
        utc: card.querySelector('.moment').title, shown: card.querySelector('.run-summary').innerText,
        badge: card.querySelector('.status-badge').innerText,
        duration: card.querySelector('[title=duration]').innerText,
        metrics: Object.fromEntries([...card.querySelectorAll('[data-metric]')].map(
            tile => [tile.dataset.metric, tile.innerText.split('\\n')[0]]))}))""",
    )
    assert [c["id"] for c in cards] == [r["id"] for r in runs]
    shown_times = [c["utc"] for c in cards]
    assert shown_times == sorted(shown_times, reverse=True) and len(set(shown_times)) == len(runs)
    assert {r["status"] for r in runs} >= {"success", "partial", "failed"}

    for card, run in zip(cards, runs, strict=True):
        assert card["utc"] == run["queued_at"].strftime("%Y-%m-%d %H:%M:%S UTC"), card
        assert card["status"] == card["badge"] == run["status"]
        assert card["duration"] == duration(run["duration_s"])
        assert card["metrics"] == {name: f"{run[name]:,}" for name in METRICS}
        assert f"#{run['id']}" in card["shown"] and "demo" in card["shown"] and run["trigger"] in card["shown"]
        for label in ("lines processed", "new lines", "change events", "batches", "xref gaps", "errors"):
            assert label in card["shown"]
    assert runs[-1]["baseline"] and "schedule · baseline" in cards[-1]["shown"]
