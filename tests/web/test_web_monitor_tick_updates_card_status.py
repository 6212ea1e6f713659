"""A refresh that keeps the same cards also updates each card's data-status attribute (what scripts and the
browser tests select cards by), not only the badge inside it."""

from dash import no_update

from pages.runs import refresh_runs
from potrack.store import runs
from tests.support.web import add_run


def test_a_tick_keeps_the_cards_and_updates_their_status(web):
    run_id = add_run(web.engine, status="queued")
    shown = [{"type": "run-summary", "index": run_id}]
    assert refresh_runs("", [], None, None, shown)[-1] == ["queued"]
    assert runs.claim_run(web.engine, run_id)
    out = refresh_runs("", [], None, None, shown)
    assert out[0] is no_update and out[-1] == ["running"]


def test_new_cards_carry_their_status_themselves(web):
    add_run(web.engine, status="failed")
    cards, *_, statuses = refresh_runs("", [], None, None, [])
    assert cards[0].to_plotly_json()["props"]["data-status"] == "failed" and statuses == []
