"""In real Chromium, the Overview board's header and every row share one set of columns, whatever a row holds (a long
reason, a strip of two squares or of thirty, a wider Run now button): each column starts at the same x in all."""

import pytest

from tests.support.browser import expect, sign_in

pytestmark = pytest.mark.browser
# The header's columns, in order, and the class of the cell that shows each in a row.
COLUMNS = [("why", ".board-why"), ("data age", ".board-age"), ("next run", ".board-next")]


def test_each_column_starts_at_the_same_x_in_the_header_and_every_row(board_app, page):
    app, _ = board_app
    sign_in(page, app, "otto", "/")
    rows = page.locator(".board-row[data-source]")
    expect(rows).to_have_count(4)
    header = page.locator(".board-header > span")
    titles = [header.nth(i).inner_text() for i in range(header.count())]
    for title, cell in COLUMNS:
        x = round(header.nth(titles.index(title)).bounding_box()["x"])
        assert [round(rows.nth(i).locator(cell).bounding_box()["x"]) for i in range(4)] == [x] * 4, title
    strips = [round(rows.nth(i).locator(".run-strip").bounding_box()["x"]) for i in range(4)]
    assert strips == [round(header.nth(3).bounding_box()["x"])] * 4
