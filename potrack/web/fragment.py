"""HTML built on the server for pages that draw a long table or a row of many parts as ONE Dash component: the
browser's time to draw a Dash page grows with its components (a run card of 200 change rows took seconds to open,
50 cards of 18 components each about half a second), while the same content as one piece of HTML is drawn at once
(assets/fragments.js puts it in place; pages/_components.fragment makes the component).

Every text and attribute value is escaped here, so nothing from a source (a PO number, an error, a row's data) is
ever read as HTML; a link's address is a path potrack built (quoted by potrack.links)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from html import escape


@dataclass(frozen=True)
class Link:
    """A table cell that links to a page of potrack (`name`: the link's class)."""

    text: str
    href: str
    name: str = ""


@dataclass(frozen=True)
class Markup:
    """A table cell whose content is HTML built with this module's functions (so its texts are escaped already)."""

    html: str


Cell = str | Link | Markup


def text(value: str) -> str:
    """Text as HTML: every character that could start markup escaped."""
    return escape(value, quote=False)


def attrs(name: str = "", title: str | None = None, **data: str) -> str:
    """An element's class, hover text and data-* attributes (each `data_x` keyword as data-x), escaped."""
    pairs = [("class", name)] if name else []
    pairs += [("title", title)] if title else []
    pairs += [(f"data-{key.replace('_', '-')}", value) for key, value in data.items()]
    # A hover text's line breaks stay line breaks (as character references: the attribute is one line).
    return "".join(f' {key}="{escape(value).replace(chr(10), "&#10;")}"' for key, value in pairs)


def element(tag: str, content: str, name: str = "", title: str | None = None, **data: str) -> str:
    """`<tag class=… title=…>content</tag>`; `content` is HTML already (escape text with text())."""
    return f"<{tag}{attrs(name, title, **data)}>{content}</{tag}>"


def link(href: str, content: str, name: str = "", title: str | None = None, **data: str) -> str:
    """A link to a page of potrack; it opens without reloading the app (assets/fragments.js), like dcc.Link."""
    return f'<a href="{escape(href)}"{attrs(name, title, **data)}>{content}</a>'


def cell(value: Cell) -> str:
    """One table cell's content: escaped text, a link, or HTML built here."""
    if isinstance(value, Link):
        return link(value.href, text(value.text), value.name)
    return value.html if isinstance(value, Markup) else text(value)


def table(header: Sequence[str], rows: Sequence[Sequence[Cell]]) -> str:
    """A small striped table (Bootstrap's classes) with a header row."""
    head = "".join(f"<th>{text(h)}</th>" for h in header)
    body = "".join("<tr>" + "".join(f"<td>{cell(c)}</td>" for c in row) + "</tr>" for row in rows)
    return (
        f'<table class="table table-sm table-striped mb-0"><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>'
    )
