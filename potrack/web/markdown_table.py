"""Tables as Markdown text, for pages that draw a long table as ONE Dash component (dcc.Markdown) instead of a
component per row and cell: Dash's renderer slows down with the number of components on a page (a run card of
200 change rows took seconds to open, and each open card made the next slower).

Every cell is plain text with Markdown's punctuation escaped, so nothing from a source (a PO number, an error, a
row's data) is read as Markdown or HTML; a link's address is a path potrack built (quoted by
potrack.links)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

# The characters dcc.Markdown's parser (remark, GitHub-flavoured) lets a backslash escape; it shows a backslash before
# any other character. & and < as entities: no entity or HTML is read from a cell.
_ESCAPED = str.maketrans(
    {c: "\\" + c for c in "\\`*{}[]()#+-.!_>~|"} | {"&": "&amp;", "<": "&lt;", "\n": " ", "\r": " ", "\t": " "}
)


@dataclass(frozen=True)
class Link:
    """A cell that links to a page of potrack."""

    text: str
    href: str


Cell = str | Link


def escape(text: str) -> str:
    """Text as it reads in a Markdown table cell: Markdown's punctuation escaped, line breaks as spaces."""
    return text.translate(_ESCAPED).strip() or " "


def cell(value: Cell) -> str:
    """One cell: escaped text, or a link."""
    if isinstance(value, Link):
        return f"[{escape(value.text)}](<{value.href.replace('>', '%3E')}>)"
    return escape(value)


def markdown_table(header: Sequence[str], rows: Sequence[Sequence[Cell]]) -> str:
    """A GitHub-flavoured Markdown table."""
    lines = ["| " + " | ".join(escape(h) for h in header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(cell(c) for c in row) + " |" for row in rows]
    return "\n".join(lines)
