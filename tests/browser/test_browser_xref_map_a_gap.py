"""In real Chromium over the demo history: /xref lists the open xref gaps (the item codes the latest completed run
left unmapped), the costliest first. An operator types an internal part id in a gap's box and clicks its Map
button: the toast says the code is mapped and applies from the next run, the row's state says it was mapped in
potrack by that operator, the store holds the mapping in the operator's name, and the audit log shows the mapping
once, naming the operator. A viewer sees the same gaps without any part id box or Map button.

(The app is shared by this module's tests: the mapping test changes its store; the viewer's test does not depend
on it.)"""

import pytest

from tests.support.browser import expect, sign_in
from tests.support.browser import store_query as store

pytestmark = pytest.mark.browser

PART = "PART-BROWSER-1"


def open_gaps(app):
    """The item codes of the open gaps: those the source's latest completed snapshot run listed as unmapped."""
    return [
        code
        for (code,) in store(
            app,
            """
        SELECT item_code FROM unmapped_codes WHERE run_id = (
            SELECT max(id) FROM runs WHERE source = 'demo' AND status IN ('success', 'partial')
                                       AND "trigger" != 'row_retry')
        ORDER BY item_code""",
        )
    ]


def gap_rows(app, page, name):
    """/xref as a persona, once the gaps are listed; returns their rows (each its static cells and its control)."""
    sign_in(page, app, name, "/xref")
    codes = open_gaps(app)
    assert len(codes) > 1
    expect(page.locator("#xref-count")).to_have_text(f"{len(codes)} item codes · costliest first · page 1 of 1")
    rows = page.locator(".xref-gaps .grid-row")
    expect(rows).to_have_count(len(codes))
    assert sorted(rows.locator(".xref-item-code").all_inner_texts()) == codes
    return rows


def open_value(text):
    """'202,260.00 EUR' → 202260.0."""
    return float(text.split()[0].replace(",", ""))


def test_an_operator_maps_the_costliest_gap_and_it_is_stored_and_audited(history_app, page):
    rows = gap_rows(history_app, page, "otto")
    values = [open_value(v) for v in rows.locator(".xref-open-value").all_inner_texts()]
    assert values == sorted(values, reverse=True) and values[0] > values[1]
    code = rows.first.locator(".xref-item-code").inner_text()
    assert store(history_app, "SELECT count(*) FROM xref_mappings")[0][0] == 0

    row = rows.filter(has=page.locator("code", has_text=code))
    expect(row).to_have_count(1)
    row.get_by_placeholder("internal part id").fill(PART)
    row.get_by_role("button", name="Map").click()
    toast = page.locator(".xref-toast")
    expect(toast).to_be_visible()
    expect(toast).to_contain_text(f"{code} of demo is mapped to {PART}; it applies from the next run.")
    state = row.locator(".gap-open")
    expect(state).to_have_text("unmapped; mapped in potrack by otto: applies from the next run")
    expect(row.get_by_placeholder("internal part id")).to_have_value(PART)
    assert rows.locator(".gap-open").all_inner_texts()[1:] == ["unmapped"] * (len(values) - 1)  # only that code

    assert store(history_app, "SELECT source, item_code, internal_part_id, mapped_by FROM xref_mappings") == [
        ("demo", code, PART, "otto")
    ]

    page.goto(history_app.url + "/audit?type=xref.mapped")
    events = page.locator(".audit-events tbody tr")
    expect(events).to_have_count(1)
    cells = events.first.locator("td").all_inner_texts()
    assert cells[2] == "xref.mapped" and cells[3] == "demo" and cells[5] == "otto"
    assert cells[6] == f"otto mapped item code {code} of demo to {PART}; applies from the next run"


def test_a_viewer_sees_the_gaps_but_cannot_map_them(history_app, page):
    rows = gap_rows(history_app, page, "vera")
    expect(rows.first.locator(".gap-open")).to_be_visible()
    assert page.get_by_role("button", name="Map").count() == 0
    assert page.get_by_placeholder("internal part id").count() == 0
    assert page.locator(".xref-map-control").count() == 0
