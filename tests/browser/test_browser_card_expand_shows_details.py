"""In real Chromium, clicking a run card expands it in place with the run's errors (rejected rows with stage, row
key, source, error, where in a CSV file and data; the failure reason), unmapped item codes with their line counts,
changes (field: old → new) and failed extract attempts; a second click folds it again."""

import pytest

from tests.support.browser import expect, runs_in_store, sign_in
from tests.support.browser import store_query as store

pytestmark = pytest.mark.browser


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


def test_a_partial_run_shows_rejected_rows_unmapped_codes_and_changes(history_app, page):
    runs = runs_in_store(history_app)
    partial = next(r for r in runs if r["status"] == "partial")
    card, details = expand(monitor(history_app, page, "status=partial"), partial["id"])
    shown = details.inner_text()

    assert f"Errors: rejected rows ({partial['errors']:,})" in shown
    rejected = details.locator(".rejected tbody tr")
    assert rejected.count() == partial["errors"]
    rows = store(
        history_app,
        "SELECT stage, row_key, source, error, location FROM failed_rows WHERE run_id = :r ORDER BY id",
        r=partial["id"],
    )
    for row, (stage, key, source, error, location) in zip(rejected.all(), rows, strict=True):
        cells = row.locator("td").all_inner_texts()
        assert cells[:5] == [stage, key or "(no key)", source, error, location or ""] and cells[5].startswith("{")
    assert "quantity_ordered: not a number: 'n/a'" in shown and '"quantity_ordered": "n/a"' in shown

    codes = store(
        history_app,
        "SELECT item_code, line_count FROM unmapped_codes WHERE run_id = :r ORDER BY line_count DESC, item_code",
        r=partial["id"],
    )
    assert codes and f"Unmapped item codes ({len(codes)})" in shown
    assert [r.locator("td").all_inner_texts() for r in details.locator(".unmapped tbody tr").all()] == [
        [code, f"{n:,}"] for code, n in codes
    ]

    total = partial["change_events"] + partial["lines_new"]
    assert f"Changes ({total:,})" in shown
    first = store(
        history_app,
        "SELECT po_number, line_number, kind, field, old_value, new_value FROM change_events "
        "WHERE run_id = :r ORDER BY id LIMIT 200",
        r=partial["id"],
    )
    changes = details.locator(".changes tbody tr")
    assert changes.count() == len(first)
    changed = next(i for i, c in enumerate(first) if c.kind == "changed")
    po, line, _, field, old, new = first[changed]
    assert changes.nth(changed).locator("td").all_inner_texts() == [f"{po}/{line}", f"{field}: {old} → {new}"]
    if total > 200:
        assert f"… and {total - 200:,} more." in shown
        assert details.get_by_role("link", name=f"all {total:,} changes of run #{partial['id']}").count() == 1
    expect(card.locator(".collapse.show .run-details")).to_have_count(1)  # in place, inside its own card


def test_a_failed_run_shows_its_reason_and_every_attempt(history_app, page):
    failed = next(r for r in runs_in_store(history_app) if r["status"] == "failed")
    _, details = expand(monitor(history_app, page, "status=failed"), failed["id"])
    shown = details.inner_text()
    assert "Failure reason" in shown and "source demo · stage extract:" in shown
    assert "demo ERP unreachable: connection refused" in shown
    attempts = [r.locator("td").all_inner_texts() for r in details.locator(".attempts tbody tr").all()]
    assert f"Extract attempts that failed ({failed['retry_attempts']})" in shown
    assert [a[0] for a in attempts] == [str(n) for n in range(1, failed["retry_attempts"] + 1)]
    assert all("unreachable" in a[1] and a[2] == "transient" for a in attempts)
    assert all(a[3].endswith(" s") for a in attempts[:-1]) and attempts[-1][3] == "gave up"
    assert "This run changed no PO line." in shown


def test_a_retried_run_shows_its_attempts_and_its_changes(history_app, page):
    retried = next(r for r in runs_in_store(history_app) if r["status"] == "success" and r["retry_attempts"])
    day = retried["queued_at"].date().isoformat()
    _, details = expand(monitor(history_app, page, f"start={day}&end={day}"), retried["id"])
    shown = details.inner_text()
    assert f"Extract attempts that failed ({retried['retry_attempts']})" in shown and "Failure reason" not in shown
    assert " → " in shown and f"Changes ({retried['change_events'] + retried['lines_new']:,})" in shown


def test_a_second_click_folds_the_card(history_app, page):
    run_id = next(r for r in runs_in_store(history_app) if r["status"] == "partial")["id"]
    card, details = expand(monitor(history_app, page, "status=partial"), run_id)
    card.locator(".run-summary").click()
    details.wait_for(state="hidden")
    assert page.locator(".run-details:visible").count() == 0
