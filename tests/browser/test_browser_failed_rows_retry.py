"""In real Chromium over the demo history: /failed-rows lists the unresolved rejected rows; filtering on a run goes
into the URL (a reload keeps it); an operator checks two rows (Retry selected rows is disabled until one is) and
retries them: the toast names the row_retry run, which holds exactly those rows, and the checkboxes clear; the audit
log then shows who did it."""

import re

import pytest

from tests.support.browser import expect, sign_in
from tests.support.browser import store_query as store

pytestmark = pytest.mark.browser


def test_an_operator_retries_checked_rows_of_a_run(history_app, page):
    unresolved = store(history_app, "SELECT run_id, id FROM failed_rows WHERE resolved_at IS NULL ORDER BY id DESC")
    run_id = unresolved[0].run_id
    of_run = [row_id for run, row_id in unresolved if run == run_id]
    assert len(of_run) >= 3
    sign_in(page, history_app, "otto", "/failed-rows")
    expect(page.locator("#failed-count")).to_have_text(f"{len(unresolved)} failed rows · newest first · page 1 of 1")

    page.fill("#failed-filter-run", str(run_id))
    page.keyboard.press("Enter")
    expect(page.locator(".failed-rows .grid-row")).to_have_count(len(of_run))
    assert page.evaluate("location.search") == f"?run={run_id}"
    page.reload()
    expect(page.locator(".failed-rows .grid-row")).to_have_count(len(of_run))
    expect(page.locator("#failed-retry-run")).to_have_text(f"Retry all unresolved rows of run #{run_id}")

    boxes = page.locator(".failed-pick input")
    retry_selected = page.get_by_role("button", name="Retry selected rows")
    expect(retry_selected).to_be_disabled()  # nothing checked yet
    boxes.nth(0).check()
    expect(retry_selected).to_be_enabled()
    boxes.nth(2).check()
    retry_selected.click()
    toast = page.locator(".failed-toast")
    expect(toast).to_contain_text("queued to retry 2 failed rows")
    retry_id = int(re.search(r"Run #(\d+) of demo queued", toast.inner_text())[1])
    expect(page.locator(".failed-pick input:checked")).to_have_count(0)
    picked = store(
        history_app,
        "SELECT failed_row_id FROM row_retry_items WHERE run_id = :r ORDER BY failed_row_id DESC",
        r=retry_id,
    )
    assert [r[0] for r in picked] == [of_run[0], of_run[2]]

    page.goto(history_app.url + "/audit?type=failed_rows.retry")
    expect(page.locator(".audit-events tbody tr")).to_have_count(1)
    assert f"otto retried 2 failed row(s) of demo in run #{retry_id}" in page.inner_text(".audit-events")
