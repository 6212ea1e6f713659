"""The xref-gap workbench page: gaps costliest first with their lifecycle and state; operators get a part id box
and a Map button on each open gap, viewers do not; a mapping shows which mapping applies."""

from pages.xref import filters_to_url, show_gaps
from potrack.store.xref import map_item_code
from tests.support.html_tables import grid_cells, grid_links, grid_rows
from tests.support.personas import acting_as
from tests.support.web import demo_run, find_all


def map_buttons(listing):
    return [
        c.id
        for c in find_all(
            listing, lambda c: getattr(c, "id", None) and isinstance(c.id, dict) and c.id.get("type") == "xref-map"
        )
    ]


def test_operators_get_map_controls_on_open_gaps_and_viewers_do_not(web):
    demo_run(web, 0)
    with acting_as(web.engine, "otto"):
        listing, pages, count = show_gaps("", 0)
    assert count.endswith("item codes · costliest first · page 1 of 1") and pages == 1
    buttons = map_buttons(listing)
    assert buttons and all(b["source"] == "demo" for b in buttons)
    assert {href for _, href in grid_links(listing)} == {"/runs/1"}
    with acting_as(web.engine, "vera"):
        assert map_buttons(show_gaps("", 0)[0]) == []
    with acting_as(web.engine, "otto"):
        resolved, _, none_count = show_gaps("?state=resolved", 0)
    assert none_count == "No resolved xref gap yet." and map_buttons(resolved) == []


def test_a_mapping_shows_which_mapping_applies(web):
    demo_run(web, 0)
    with acting_as(web.engine, "otto"):
        code = map_buttons(show_gaps("", 0)[0])[0]["code"]
        map_item_code(web.engine, "demo", code, "PART-NEW", "otto")
        listing = show_gaps("", 1)[0]
    states = [grid_cells(row)["xref-state"] for row in grid_rows(listing)]
    assert "unmapped; mapped in potrack by otto: applies from the next run" in states


def test_the_filters_go_to_the_url():
    assert filters_to_url("demo", "all", 3, "?state=all&source=demo&page=3") == ("?source=demo&state=all&page=3", 3)
    assert filters_to_url("demo", "resolved", 3, "?source=demo&page=3") == ("?source=demo&state=resolved", 1)
