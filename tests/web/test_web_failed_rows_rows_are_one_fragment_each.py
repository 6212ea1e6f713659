"""/failed-rows draws each rejected row's static cells (key, source, stage, data, error, where, run, when, retries,
resolution) as ONE pre-rendered component, every text escaped, beside its checkbox, which stays a real component
with its pattern-matching id: a page of 50 rows is some 150 components instead of 800 (Dash's time to draw grows
with them). A resolved row keeps an empty cell where the checkbox would be, so the columns stay aligned."""

from pages.failed_rows import show_rows
from potrack.pipeline.outcome import Rejection
from potrack.store import failed_rows, runs
from tests.support.callbacks import partial_run_with_rows
from tests.support.html_tables import grid_cells, grid_header, grid_links, grid_rows
from tests.support.personas import acting_as
from tests.support.web import add_run, find_all, of_type

HOSTILE = "<b>x</b>&"


def listed(web, name, search="?state=all"):
    """The rows of /failed-rows as a persona sees them."""
    with acting_as(web.engine, name):
        return show_rows(search)[0]


def test_a_rows_static_cells_are_one_component_whose_html_escapes_its_texts(web):
    run_id = add_run(web.engine, status="partial", errors=1)
    hostile = Rejection("validate", HOSTILE, {"po_number": HOSTILE}, f"bad {HOSTILE}", f"{HOSTILE}.csv:2")
    with web.engine.begin() as conn:
        runs.save_failed_rows(conn, run_id, "demo", [hostile])
    (row,) = grid_rows(listed(web, "otto"))
    static = [c for c in row.children if getattr(c, "data-html", None) is not None]
    assert len(static) == 1
    markup = getattr(static[0], "data-html")
    assert "<b>" not in markup and "bad &lt;b&gt;x&lt;/b&gt;&amp;" in markup
    cells = grid_cells(row)
    assert cells["failed-key"] == HOSTILE and cells["failed-error"] == f"bad {HOSTILE}"
    assert cells["failed-data"] == '{"po_number": "<b>x</b>&"}' and cells["failed-where"] == f"{HOSTILE}.csv:2"
    assert cells["failed-run"] == f"#{run_id}" and cells["failed-resolution"] == "unresolved"
    assert len(find_all(row, lambda c: True)) <= 3  # the row, its checkbox and its cells


def test_the_checkbox_is_still_a_component_with_its_id_before_the_cells(web):
    run_id, ids = partial_run_with_rows(web.engine, 1)
    listing = listed(web, "otto")
    (row,) = grid_rows(listing)
    assert [c.id for c in of_type(row, "failed-row-pick")] == [{"type": "failed-row-pick", "index": ids[0]}]
    assert row.children[0].id == {"type": "failed-row-pick", "index": ids[0]}  # the row's first cell
    assert grid_header(listing)[:2] == ["", "row key"]
    assert ("PO-0/1", "/lines/demo/PO-0/1") in grid_links(row) and (f"#{run_id}", f"/runs/{run_id}") in grid_links(row)


def test_a_resolved_row_keeps_an_empty_cell_where_the_checkbox_would_be(web):
    run_id, ids = partial_run_with_rows(web.engine, 1)
    with web.engine.begin() as conn:
        failed_rows.resolve(conn, ids, run_id, "accepted by a row retry")
    listing = listed(web, "otto")
    (row,) = grid_rows(listing)
    assert of_type(row, "failed-row-pick") == []
    cells = grid_cells(row)
    assert list(cells)[0] == "failed-no-pick" and cells["failed-no-pick"] == ""
    assert len(cells) == len(grid_header(listing)) == 11


def test_a_viewer_gets_no_checkbox_column(web):
    partial_run_with_rows(web.engine, 1)
    listing = listed(web, "vera")
    (row,) = grid_rows(listing)
    assert of_type(row, "failed-row-pick") == [] and len(find_all(row, lambda c: True)) == 2
    assert len(grid_cells(row)) == len(grid_header(listing)) == 10 and grid_header(listing)[0] == "row key"
