"""The tables pages draw as one Markdown component (pages/_components.md_table) read back as a browser shows them:
their cells, their links, and a component tree's visible text with each table's cells instead of its source."""

from __future__ import annotations

import html
import re
from typing import Any

from dash import dcc
from dash.development.base_component import Component

from tests.support.web import find_all, texts

LINK = re.compile(r"\[((?:\\.|[^\]\\])*)\]\(<([^>]*)>\)")
CELL_EDGE = re.compile(r"(?<!\\)\|")


def _unescape(text: str) -> str:
    return html.unescape(re.sub(r"\\(.)", r"\1", text))


def _cells(line: str) -> list[str]:
    return [_unescape(LINK.sub(r"\1", cell).strip()) for cell in CELL_EDGE.split(line.strip())[1:-1]]


def md_header(table: dcc.Markdown) -> list[str]:
    """A Markdown table's column names."""
    return _cells(table.children.splitlines()[0])


def md_rows(table: dcc.Markdown) -> list[list[str]]:
    """A Markdown table's body rows as the text of their cells (a link as its text)."""
    return [_cells(line) for line in table.children.splitlines()[2:]]


def md_links(table: dcc.Markdown) -> list[tuple[str, str]]:
    """Every link of a Markdown table: (text, address)."""
    return [(_unescape(text), href) for text, href in LINK.findall(table.children)]


def md_tables(node: Any, name: str) -> list[dcc.Markdown]:
    """The Markdown tables of a tree whose class names `name`."""
    return find_all(node, lambda c: isinstance(c, dcc.Markdown) and name in (getattr(c, "className", "") or "").split())


def shown(node: Any) -> str:
    """The visible text of a component tree, a Markdown table as its header and cells, joined by single spaces."""
    return " ".join(" ".join(_shown(node)).split())


def _shown(node: Any) -> list[str]:
    if isinstance(node, dcc.Markdown):
        return [cell for row in [md_header(node), *md_rows(node)] for cell in row]
    if isinstance(node, Component):
        return _shown(getattr(node, "children", None))
    if isinstance(node, (list, tuple)):
        return [t for child in node for t in _shown(child)]
    return texts(node)
