"""/xref draws each gap's static cells (source, code, first and last seen, nights, lines, value, resolved, state) as
ONE pre-rendered component, every text escaped, beside its map control, which stays a real component with its
pattern-matching id: a page of 50 gaps is some 250 components instead of 1,000 (Dash's time to draw grows with
them). Rows without a control keep an empty cell in its place, so the columns stay aligned."""

import sqlalchemy as sa

from pages.xref import show_gaps
from potrack.store.models import UnmappedCode
from tests.support.html_tables import grid_cells, grid_header, grid_rows
from tests.support.personas import acting_as
from tests.support.web import add_run, find_all, of_type

HOSTILE = "<b>x</b>&"


def listed_gap(web, name):
    """The one gap of a run that left HOSTILE unmapped, as a persona sees /xref: (listing, its row)."""
    run_id = add_run(web.engine, status="success")
    with web.engine.begin() as conn:
        conn.execute(sa.insert(UnmappedCode).values(run_id=run_id, item_code=HOSTILE, line_count=1))
    with acting_as(web.engine, name):
        listing = show_gaps("", 0)[0]
    rows = grid_rows(listing)
    assert len(rows) == 1
    return listing, rows[0]


def test_a_gaps_static_cells_are_one_component_whose_html_escapes_the_item_code(web):
    listing, row = listed_gap(web, "otto")
    static = [c for c in row.children if getattr(c, "data-html", None) is not None]
    assert len(static) == 1
    markup = getattr(static[0], "data-html")
    assert "<code>&lt;b&gt;x&lt;/b&gt;&amp;</code>" in markup and "<b>" not in markup
    cells = grid_cells(row)
    assert cells["xref-item-code"] == HOSTILE and cells["xref-source"] == "demo"
    assert cells["xref-state"] == "unmapped" and '<span class="gap-open">unmapped</span>' in markup
    assert len(find_all(row, lambda c: True)) <= 5  # row, its cells, the part id box, its Map button and their group


def test_the_map_control_is_still_a_component_with_its_id(web):
    _, row = listed_gap(web, "otto")
    key = {"source": "demo", "code": HOSTILE}
    assert [c.id for c in of_type(row, "xref-part")] == [{"type": "xref-part", **key}]
    assert [c.id for c in of_type(row, "xref-map")] == [{"type": "xref-map", **key}]
    assert "xref-map-control" in row.children[-1].className  # the row's last cell


def test_a_row_without_a_control_keeps_an_empty_cell_in_its_place(web):
    listing, row = listed_gap(web, "vera")
    assert len(find_all(row, lambda c: True)) == 2  # the row and its cells: no part id box, no Map button
    cells = grid_cells(row)
    assert len(cells) == len(grid_header(listing)) == 10 and list(cells)[-1] == "xref-no-control"
    assert cells["xref-no-control"] == ""
