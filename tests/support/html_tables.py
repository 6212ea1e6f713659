"""Tables pages draw as pre-rendered HTML (pages/_components.fragment: a component whose data-html attribute
assets/fragments.js puts in place) read back as a browser shows them: their header, rows and links; and the grid
tables whose rows hold controls (pages/_components.grid_table)."""

from __future__ import annotations

from html.parser import HTMLParser
from typing import Any

from dash import html
from dash.development.base_component import Component

from tests.support.fragments import markup, read
from tests.support.web import find_all


def table_header(table: Component) -> list[str]:
    """A fragment table's column names."""
    return read(table).rows[0]


def table_rows(table: Component) -> list[list[str]]:
    """A fragment table's body rows as the text of their cells (a link as its text)."""
    return read(table).rows[1:]


def table_links(table: Component) -> list[tuple[str, str]]:
    """Every link of a fragment: (text, address)."""
    return read(table).links


def tables(node: Any, name: str) -> list[html.Div]:
    """The fragments of a tree whose class names `name`."""
    return find_all(node, lambda c: markup(c) is not None and name in (getattr(c, "className", "") or "").split())


# The grid tables (pages/_components.grid_table: rows that hold controls) read back.


class _GridCells(HTMLParser):
    """A grid row's fragment (pages/_components.grid_row): each top-level div's class and text, and every link."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.cells: list[tuple[str, list[str]]] = []
        self.links: list[tuple[str, str]] = []
        self._depth = 0
        self._href: str | None = None
        self._link_text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "div":
            if self._depth == 0:
                self.cells.append((dict(attrs).get("class") or "", []))
            self._depth += 1
        elif tag == "a":
            self._href, self._link_text = dict(attrs).get("href") or "", []

    def handle_endtag(self, tag: str) -> None:
        if tag == "div":
            self._depth -= 1
        elif tag == "a" and self._href is not None:
            self.links.append(("".join(self._link_text), self._href))
            self._href = None

    def handle_data(self, data: str) -> None:
        if self._depth:
            self.cells[-1][1].append(data)
        if self._href is not None:
            self._link_text.append(data)


def _grid_read(node: Any) -> _GridCells:
    """Every grid fragment under a node, read in order as one."""
    reader = _GridCells()
    for part in find_all(node, lambda c: "grid-cells" in (getattr(c, "className", "") or "").split()):
        reader.feed(markup(part) or "")
    reader.close()
    return reader


def grid_rows(node: Any) -> list[html.Div]:
    """The body rows of a grid table (pages/_components.grid_table): each a row Div holding its static cells' ONE
    fragment and its control, if any."""
    return find_all(node, lambda c: "grid-row" in (getattr(c, "className", "") or "").split())


def grid_header(node: Any) -> list[str]:
    """A grid table's column names."""
    head = find_all(node, lambda c: "grid-head" in (getattr(c, "className", "") or "").split())
    assert len(head) == 1, f"{len(head)} grid headers"
    return [" ".join("".join(words).split()) for _, words in _grid_read(head[0]).cells]


def grid_cells(row: Any) -> dict[str, str]:
    """A grid row's static cells as a browser shows them: each cell's text by its class (its column)."""
    return {name: " ".join("".join(words).split()) for name, words in _grid_read(row).cells}


def grid_links(node: Any) -> list[tuple[str, str]]:
    """Every link of the grid fragments under a node: (text, address)."""
    return _grid_read(node).links
