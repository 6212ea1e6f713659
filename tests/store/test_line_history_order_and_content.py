"""A PO line's history holds every stored fact in order: its current values, part and custom columns, its changes
night by night (oldest first, every field of a night together), its receipt batches with the cumulative quantity,
the runs that touched it and how, and the rows rejected with its key; the page shows them, the API answers them,
and a PO number holding '/' works in both."""

import pytest

from pages import line_history as page
from potrack.links import line_path
from potrack.store.line_history import FieldChange, line_history
from tests.support.change_history import build_history, serve_history
from tests.support.personas import client_as
from tests.support.web import find_by_id, text

pytestmark = pytest.mark.backends  # the store on SQLite and on PostgreSQL


@pytest.fixture
def history(workdir, erp):
    return build_history(workdir, erp)


def of(history, po, line):
    with history.runtime.engine.connect() as conn:
        return line_history(conn, "erp", po, line)


def test_the_changes_come_night_by_night_oldest_first(history):
    first, second, third = history.run_ids
    slipped = of(history, "PO1", 1)
    assert [(n.run_id, n.changes) for n in slipped.nights] == [
        (second, [FieldChange("changed", "promised_date", "2026-12-01", "2026-12-06")]),
        (third, [FieldChange("changed", "promised_date", "2026-12-06", "2026-12-08")]),
    ]
    assert slipped.values["promised_date"].isoformat() == "2026-12-08" and slipped.internal_part_id == "PART-1"
    assert (slipped.first_seen_run_id, slipped.last_changed_run_id, slipped.active) == (first, third, True)
    assert [(t.run_id, t.how) for t in slipped.runs] == [
        (first, ("first seen",)),
        (second, ("changed",)),
        (third, ("changed",)),
    ]
    received = of(history, "PO2", 3)
    assert [(n.run_id, [c.field for c in n.changes]) for n in received.nights] == [
        (third, ["quantity_received", "unit_price"])
    ]
    assert [(r.run_id, r.quantity, r.cumulative, r.ordered) for r in received.receipts] == [(third, 40.0, 40.0, 100.0)]
    assert [t.how for t in received.runs] == [("first seen",), ("changed", "received")]


def test_a_removed_line_and_a_new_one(history):
    removed = of(history, "PO3", 1)
    assert not removed.active and [(n.run_id, n.changes) for n in removed.nights] == [
        (history.run_ids[1], [FieldChange("removed", None, None, None)])
    ]
    assert [t.how for t in removed.runs] == [("first seen",), ("removed",)]
    new = of(history, "PO4", 1)
    assert [(n.run_id, n.changes[0].kind) for n in new.nights] == [(history.run_ids[2], "new")]
    assert new.first_seen_run_id == history.run_ids[2] and [t.how for t in new.runs] == [("first seen",)]


def test_rows_rejected_with_the_lines_key_are_listed_and_the_stored_line_is_unchanged(history):
    rejected = of(history, "PO1", 4)
    assert [(r.run_id, r.raw["unit_price"]) for r in rejected.rejected] == [(history.run_ids[2], "n/a")]
    assert "unit_price" in rejected.rejected[0].error and rejected.values["unit_price"] == 10.0
    assert rejected.nights == [] and rejected.runs[-1].how == ("rejected a row",)
    assert rejected.custom == {} and of(history, "PO9", 1) is None


def test_the_page_shows_every_section_and_a_missing_line_says_so(history):
    serve_history(history)
    shown = page.layout(source="erp", po="PO2", line="3")
    assert "PO2 / line 3" in text(shown) and "SUP-B" in text(find_by_id(shown, "line-history"))
    assert "quantity_received: 0 → 40" in text(shown) and "40 of 100 (40 %)" in text(shown)
    assert "Runs that touched it (2)" in text(shown) and "changed, received" in text(shown)
    missing = page.layout(source="erp", po="PO2", line="99")
    assert "The store has no line PO2/99 of source erp." in text(missing)
    assert "The store has no line" in text(page.layout(source="erp", po="PO2", line="x"))


def test_a_po_number_with_a_slash_has_a_quoted_path_that_the_page_and_the_api_read(history):
    serve_history(history)
    path = line_path("erp", "A/7", 1)
    assert path == "/lines/erp/A%2F7/1"
    _, source, po, line = path.split("/", 1)[1].split("/")
    assert "A/7 / line 1" in text(page.layout(source=source, po=po, line=line))
    client = client_as("vera")
    for url in ("/api/lines/erp/A%2F7/1", "/api/lines/erp/A/7/1"):
        answer = client.get(url)
        assert answer.status_code == 200 and answer.get_json()["po_number"] == "A/7", url
    body = client.get("/api/lines/erp/PO2/3").get_json()
    assert body["receipts"][0]["cumulative"] == 40.0 and body["nights"][0]["run_at"].endswith("Z")
    assert client.get("/api/lines/erp/PO2/99").status_code == 404
