"""In real Chromium over the demo history: on /changes a viewer picks a field in the field filter (a multi
dcc.Dropdown, opened, searched and clicked as a user does); the list then holds only that field's changes, the count
line and the tiles count what the store holds for it, the filter goes into the query string (without reloading the
page) and into both export links (the CSV holds just those changes), and a reload keeps it. The slip filter (a
number, sent by Enter) narrows the set to promised dates that moved later by more than that many days."""

import datetime as dt
import re

import pytest

from tests.support.browser import expect, sign_in
from tests.support.browser import store_query as store

pytestmark = pytest.mark.browser

FIELD = "promised_date"


def open_changes(app, page):
    """The change explorer as the viewer vera, once its list is drawn (and a flag that a reload would lose)."""
    sign_in(page, app, "vera", "/changes")
    page.wait_for_selector(".change-rows tbody tr")
    page.evaluate("window.notReloaded = true")
    return page


def pick_field(page, field):
    """Open the field dropdown, type part of the field's name in its search box, click the option, close it."""
    page.click("#changes-filter-field")
    page.keyboard.type(field[:8])
    page.get_by_role("option", name=field, exact=True).click()
    page.keyboard.press("Escape")


def count_text(total):
    return f"{total:,} changes · newest first · page 1 of {-(-total // 50)}"


def column(page, index):
    """The texts of one column of the change list (0: run time … 8: change, 9: difference)."""
    return page.eval_on_selector_all(".change-rows tbody tr", f"rows => rows.map(r => r.cells[{index}].innerText)")


def test_picking_a_field_lists_only_its_changes_in_the_url_exports_and_after_a_reload(history_app, page):
    total = store(history_app, "SELECT count(*) FROM change_events WHERE field = :f", f=FIELD)[0][0]
    lines = store(
        history_app,
        "SELECT count(*) FROM (SELECT DISTINCT source, po_number, line_number FROM change_events WHERE field = :f)",
        f=FIELD,
    )[0][0]
    everything = store(history_app, "SELECT count(*) FROM change_events")[0][0]
    assert 50 < total < everything  # more than a page, less than all
    open_changes(history_app, page)
    expect(page.locator("#changes-count")).to_have_text(count_text(everything))

    pick_field(page, FIELD)
    expect(page.locator("#changes-count")).to_have_text(count_text(total))
    assert page.evaluate("location.search") == f"?field={FIELD}"
    assert page.evaluate("window.notReloaded") is True
    changes = column(page, 8)
    assert len(changes) == 50 and all(c.startswith(f"{FIELD}: ") for c in changes)
    assert all(re.fullmatch(r"[+−]\d+ days?", d) for d in column(page, 9))
    expect(page.locator("#changes-tiles [data-metric=events]")).to_have_text(f"{total:,}\nchange events")
    expect(page.locator("#changes-tiles [data-metric=lines_changed]")).to_have_text(f"{lines:,}\nlines changed")
    for export in ("#changes-export-xlsx", "#changes-export-csv"):
        assert f"field={FIELD}" in page.get_attribute(export, "href")
    csv = page.request.get(history_app.url + page.get_attribute("#changes-export-csv", "href"))  # vera's session
    assert csv.ok and len(csv.text().splitlines()) == 1 + total  # a header, then the filtered set only

    page.reload()
    page.wait_for_selector(".change-rows tbody tr")
    expect(page.locator("#changes-count")).to_have_text(count_text(total))
    assert page.evaluate("location.search") == f"?field={FIELD}"
    assert all(c.startswith(f"{FIELD}: ") for c in column(page, 8))
    expect(page.locator("#changes-filter-field")).to_contain_text(FIELD)
    assert f"field={FIELD}" in page.get_attribute("#changes-export-csv", "href")


def test_the_slip_filter_keeps_promised_dates_that_moved_later_by_more_than_the_days(history_app, page):
    slips = store(
        history_app, "SELECT old_value, new_value FROM change_events WHERE field = :f AND kind = 'changed'", f=FIELD
    )
    days = [(dt.date.fromisoformat(new) - dt.date.fromisoformat(old)).days for old, new in slips if old and new]
    over = sum(1 for d in days if d > 5)
    assert 0 < over < sum(1 for d in days if d > 0)  # some slips, not all, are over 5 days
    open_changes(history_app, page)

    page.fill("#changes-filter-slip", "5")
    page.keyboard.press("Enter")
    expect(page.locator("#changes-count")).to_have_text(count_text(over))
    assert page.evaluate("location.search") == "?slip=5" and page.evaluate("window.notReloaded") is True
    assert all(c.startswith(f"{FIELD}: ") for c in column(page, 8))
    moved = [int(re.fullmatch(r"\+(\d+) days", d)[1]) for d in column(page, 9)]
    assert len(moved) == min(over, 50) and all(d > 5 for d in moved)
    expect(page.locator("#changes-tiles [data-metric=slips]")).to_have_text(f"{over:,}\npromised-date slips")
    assert "slipped_over=5" in page.get_attribute("#changes-export-xlsx", "href")  # the API's name for it
