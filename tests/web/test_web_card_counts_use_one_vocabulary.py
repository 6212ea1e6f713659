"""Counts that agree: a run's card tiles, its opened card, its page and the API name the same two numbers the same
way — change events (one per changed field and per removed line) and new lines — and a run's changes are both."""

import re

from pages.run_detail import layout
from pages.runs import refresh_runs, toggle_card
from tests.support.fragments import sent
from tests.support.personas import acting_as, client_as
from tests.support.store import store_rows
from tests.support.web import demo_run, text


def test_tiles_card_page_and_api_agree_on_change_events_and_new_lines(web):
    demo_run(web, 0)
    run_id = demo_run(web, 3).run_id
    kinds = store_rows(
        web.engine, "SELECT kind, COUNT(*) AS n FROM change_events WHERE run_id = :r GROUP BY kind", r=run_id
    )
    by_kind = {k["kind"]: k["n"] for k in kinds}
    events, new = by_kind.get("changed", 0) + by_kind.get("removed", 0), by_kind["new"]
    assert events and new
    words = f"Changes: {events:,} change events · {new:,} new lines"

    with acting_as(web.engine, "vera"):
        cards = refresh_runs("", [], None, None, [])[0]
        opened = toggle_card(1, False, {"type": "run-summary", "index": run_id})[1]
        page = layout(run_id=str(run_id))
    [card] = [c for c in cards if c.id == {"type": "run-card", "index": run_id}]
    tiles = dict(re.findall(r'class="metric-tile[^"]*" data-metric="(\w+)">([^<]*)</div>', sent(card)))
    assert tiles["change_events"] == f"{events:,}\nchange events" and tiles["lines_new"] == f"{new:,}\nnew lines"
    assert words in text(opened) and words in text(page)

    answer = client_as("vera").get(f"/api/runs/{run_id}").get_json()
    assert (answer["change_events"], answer["lines_new"], answer["changes_total"]) == (events, new, events + new)
