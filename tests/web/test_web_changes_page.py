"""The change explorer page: its filters round-trip through the URL (back to page 1 when one changes), and one
URL draws the count, the list with links to runs and lines, the tiles, both charts and export links carrying the
same filters."""

import datetime as dt

import pytest

from pages.changes import difference, filters_to_url, layout, show_changes, show_nights, show_suppliers, show_tiles
from potrack.store.changes import ChangeRow
from potrack.web.filters import ChangeView
from tests.support.change_history import build_history, serve_history
from tests.support.html_tables import table_links
from tests.support.personas import acting_as
from tests.support.web import find_by_id, text

UTC = dt.UTC


@pytest.fixture
def served(workdir, erp):
    history = build_history(workdir, erp)
    serve_history(history)
    return history


def test_the_view_round_trips_through_the_query_string():
    view = ChangeView(
        dt.date(2026, 11, 1),
        dt.date(2026, 11, 30),
        "erp",
        "SUP-A",
        "alice",
        "P1",
        ("promised_date", "unit_price"),
        ("changed",),
        5,
        3,
    )
    assert ChangeView.from_search(view.search()) == view
    assert view.search() == (
        "?start=2026-11-01&end=2026-11-30&source=erp&supplier=SUP-A&buyer=alice&plant=P1"
        "&field=promised_date,unit_price&kind=changed&slip=5&page=3"
    )
    assert ChangeView.from_search("?kind=moved,new&slip=-3&page=x") == ChangeView(kinds=("new",))


def test_a_changed_filter_goes_back_to_page_1():
    search, page = filters_to_url(None, None, None, "SUP-B", None, None, [], [], None, 4, "?supplier=SUP-A&page=4")
    assert (search, page) == ("?supplier=SUP-B", 1)
    assert filters_to_url(None, None, None, "SUP-A", None, None, [], [], None, 2, "?supplier=SUP-A") == (
        "?supplier=SUP-A&page=2",
        2,
    )


def test_one_url_draws_the_list_tiles_charts_and_export_links(served):
    with acting_as(served.runtime.engine, "vera"):
        shown = layout(supplier="SUP-A")
        listing, pages, count, xlsx, csv = show_changes("?supplier=SUP-A&field=promised_date")
        search = "?supplier=SUP-A&field=promised_date"
        tiles, nights, suppliers = show_tiles(search), show_nights(search), show_suppliers(search)
    assert find_by_id(shown, "changes-filter-supplier").value == "SUP-A"
    assert count == "3 changes · newest first · page 1 of 1" and pages == 1
    links = {href for _, href in table_links(listing)}
    assert links >= {"/lines/erp/PO1/1", "/lines/erp/PO1/2", f"/runs/{served.run_ids[2]}"}
    assert "promised_date: 2026-12-06 → 2026-12-08" in text(listing) and "+2 days" in text(listing)
    figures = {tile.children.split("\n")[1]: tile.children.split("\n")[0] for tile in tiles}
    assert (figures["lines changed"], figures["promised-date slips"], figures["median slip"]) == ("2", "3", "5 days")
    assert nights.figure["data"][0]["name"] == "promised_date" and suppliers.figure["data"][0]["y"] == ["SUP-A"]
    assert xlsx == "/api/changes/export?supplier=SUP-A&field=promised_date&format=xlsx"
    assert csv.endswith("&format=csv")


def test_differences_read_as_days_and_amounts():
    def row(field, old, new, open_quantity=10.0):
        return ChangeRow(
            1,
            1,
            dt.datetime(2026, 11, 1, tzinfo=UTC),
            "erp",
            "PO1",
            1,
            "changed",
            field,
            old,
            new,
            "S",
            "I",
            None,
            None,
            None,
            open_quantity,
        )

    assert difference(row("promised_date", "2026-12-01", "2026-11-30")) == "−1 day"
    assert difference(row("need_by_date", "2026-12-01", "2026-12-15")) == "+14 days"
    assert difference(row("unit_price", "8", "10")) == "+2 (+25.0 %) · impact +20.00"
    assert difference(row("quantity_ordered", "0", "5")) == "+5"
    assert difference(row("status", "open", "partial")) == ""
