"""In real Chromium, clicking a run card expands it in place with the run's errors (the first rejected rows with
stage, row key, error and where in a CSV file; their raw data folded until asked for; the failure reason), unmapped
item codes with their line counts, its first change events (field: old → new) with its new lines counted and a link
to the run's page, and failed extract attempts; a second click folds it again."""

import json

import pytest

from tests.support.browser import expect, runs_in_store, sign_in
from tests.support.browser import store_query as store

pytestmark = pytest.mark.browser
CARD_ROWS = 20  # an opened card lists the first 20 rows of each table


def expand(page, run_id):
    """Click a card's summary; returns the card and its details once they are shown."""
    card = page.locator(f".run-card[data-run-id='{run_id}']")
    card.locator(".run-summary").click()
    details = card.locator(".run-details")
    details.wait_for(state="visible")
    return card, details


def monitor(app, page, query):
    """The monitor filtered by a query string (fewer cards to draw), as the viewer vera."""
    sign_in(page, app, "vera", f"/runs?{query}")
    page.wait_for_selector(".run-card")
    return page


def cells(table):
    """A table's cells, once it is drawn (Markdown: drawn once dcc.Markdown's code has loaded, on its first use)."""
    table.locator("tbody tr").first.wait_for()
    return [row.locator("td").all_inner_texts() for row in table.locator("tbody tr").all()]


def test_a_partial_run_shows_rejected_rows_unmapped_codes_and_changes(history_app, page):
    runs = runs_in_store(history_app)
    partial = next(r for r in runs if r["status"] == "partial")
    card, details = expand(monitor(history_app, page, "status=partial"), partial["id"])
    shown = details.inner_text()

    assert f"Errors: rejected rows ({partial['errors']:,})" in shown
    rows = store(
        history_app,
        "SELECT stage, row_key, error, location, raw_data FROM failed_rows WHERE run_id = :r ORDER BY id LIMIT :n",
        r=partial["id"],
        n=CARD_ROWS,
    )
    assert cells(details.locator(".rejected")) == [
        [stage, key or "(no key)", error, location or ""] for stage, key, error, location, _ in rows
    ]
    raw = details.locator(".rejected-raw pre")
    expect(raw).to_be_hidden()  # folded until asked for
    details.locator(".rejected-raw summary").click()
    expect(raw).to_be_visible()
    assert [json.loads(line.split("  ", 1)[1]) for line in raw.inner_text().splitlines()] == [
        json.loads(r[4]) for r in rows
    ]

    codes = store(
        history_app,
        "SELECT item_code, line_count FROM unmapped_codes WHERE run_id = :r ORDER BY line_count DESC, item_code",
        r=partial["id"],
    )
    assert codes and f"Unmapped item codes ({len(codes)})" in shown
    assert cells(details.locator(".unmapped")) == [[code, f"{n:,}"] for code, n in codes][:CARD_ROWS]

    events, new = partial["change_events"], partial["lines_new"]
    assert f"Changes: {events:,} change event{'s' * (events != 1)} · {new:,} new line{'s' * (new != 1)}" in shown
    first = store(
        history_app,
        "SELECT po_number, line_number, field, old_value, new_value FROM change_events "
        "WHERE run_id = :r AND kind = 'changed' ORDER BY id LIMIT 1",
        r=partial["id"],
    )
    listed = cells(details.locator(".changes"))
    assert len(listed) == min(events, CARD_ROWS) and "new line" not in [c[1] for c in listed]
    po, line, field, old, new_value = first[0]
    assert [f"{po}/{line}", f"{field}: {old} → {new_value}"] in listed
    details.get_by_role("link", name=f"run #{partial['id']}'s page").click()
    page.wait_for_url(f"{history_app.url}/runs/{partial['id']}")


def test_a_failed_run_shows_its_reason_and_every_attempt(history_app, page):
    failed = next(r for r in runs_in_store(history_app) if r["status"] == "failed")
    _, details = expand(monitor(history_app, page, "status=failed"), failed["id"])
    shown = details.inner_text()
    assert "Failure reason" in shown and "source demo · stage extract:" in shown
    assert "demo ERP unreachable: connection refused" in shown
    attempts = cells(details.locator(".attempts"))
    assert f"Extract attempts that failed ({failed['retry_attempts']})" in shown
    assert [a[0] for a in attempts] == [str(n) for n in range(1, failed["retry_attempts"] + 1)]
    assert all("unreachable" in a[1] and a[2] == "transient" for a in attempts)
    assert all(a[3].endswith(" s") for a in attempts[:-1]) and attempts[-1][3] == "gave up"
    assert "This run changed no PO line." in shown


def test_a_second_click_folds_the_card(history_app, page):
    run_id = next(r for r in runs_in_store(history_app) if r["status"] == "partial")["id"]
    card, details = expand(monitor(history_app, page, "status=partial"), run_id)
    card.locator(".run-summary").click()
    details.wait_for(state="hidden")
    assert page.locator(".run-details:visible").count() == 0
