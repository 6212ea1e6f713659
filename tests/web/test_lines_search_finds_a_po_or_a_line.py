"""The navbar's search: a PO number finds all its lines, "PO/line" or "PO line" one line, ignoring case when
nothing matches exactly, and PO numbers that start with the text last; /find opens the line when the search names
exactly one, else the list of what it names; both need a signed-in user."""

from urllib.parse import quote

import pytest
from dash import dcc

import app
from pages import lines as page
from potrack.store.line_history import find_lines
from tests.support.change_history import build_history, serve_history
from tests.support.personas import client_as
from tests.support.web import find_all, text


@pytest.fixture
def served(workdir, erp):
    history = build_history(workdir, erp)
    serve_history(history)
    return history


def found(history, search):
    with history.runtime.engine.connect() as conn:
        return [(ref.po_number, ref.line_number, ref.active) for ref in find_lines(conn, search)]


def test_a_po_finds_its_lines_and_a_po_and_line_finds_one(served):
    assert found(served, "PO1") == [("PO1", n, True) for n in range(1, 5)]
    assert found(served, "PO1/3") == found(served, "PO1 3") == found(served, "po1/3") == [("PO1", 3, True)]
    assert found(served, "po3") == [("PO3", 1, False)]
    assert found(served, "A/7") == [("A/7", 1, True)] and found(served, "A/7/1") == [("A/7", 1, True)]
    assert found(served, "PO") == [
        (po, n, po != "PO3")
        for po, lines in (("PO1", 4), ("PO2", 3), ("PO3", 1), ("PO4", 1))
        for n in range(1, lines + 1)
    ]
    assert found(served, "PO1/9") == [] and found(served, "XYZ") == [] and found(served, "  ") == []
    assert found(served, "%") == []  # no wildcard: the text is matched as it is


def test_find_opens_the_one_line_or_the_list(served):
    client = client_as("vera")
    assert client.get("/find?q=PO2%2F3").headers["Location"] == "/lines/erp/PO2/3"
    assert client.get("/find?q=PO4").headers["Location"] == "/lines/erp/PO4/1"  # a PO of one line
    assert client.get(f"/find?q={quote('A/7')}").headers["Location"] == "/lines/erp/A%2F7/1"
    assert client.get("/find?q=PO1").headers["Location"] == "/lines?q=PO1"
    assert client.get("/find?q=nothing").headers["Location"] == "/lines?q=nothing"
    assert client.get("/find?q=").headers["Location"] == "/lines"
    assert app.server.test_client().get("/find?q=PO1").headers["Location"].startswith("/login")


def test_the_list_shows_each_line_with_a_link_to_its_history(served):
    shown = page.layout(q="PO1")
    assert "Lines of PO1" in text(shown) and "4 lines" in text(shown)
    links = [c.href for c in find_all(shown, lambda c: isinstance(c, dcc.Link))]
    assert links == [f"/lines/erp/PO1/{n}" for n in range(1, 5)]
    assert "No PO number is or starts with 'ZZ'" in text(page.layout(q="ZZ"))
    assert "Type a PO number" in text(page.layout())
