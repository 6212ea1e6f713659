"""A pre-rendered fragment's HTML (pages/_components.fragment) read back as a browser shows it: its table rows'
cell texts, its links and all its text."""

from __future__ import annotations

from html.parser import HTMLParser

from dash.development.base_component import Component


def markup(node: Component) -> str | None:
    """A fragment's HTML, None for any other component."""
    return getattr(node, "data-html", None)


class Reader(HTMLParser):
    """The rows of an HTML table (a header cell's row included), each cell's text, and every link."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.rows: list[list[str]] = []
        self.links: list[tuple[str, str]] = []
        self.words: list[str] = []
        self._cell: list[str] | None = None
        self._href: str | None = None
        self._link_text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "tr":
            self.rows.append([])
        elif tag in ("td", "th"):
            self._cell = []
        elif tag == "a":
            self._href, self._link_text = dict(attrs).get("href") or "", []

    def handle_endtag(self, tag: str) -> None:
        if tag in ("td", "th") and self._cell is not None:
            self.rows[-1].append("".join(self._cell).strip())
            self._cell = None
        elif tag == "a" and self._href is not None:
            self.links.append(("".join(self._link_text), self._href))
            self._href = None

    def handle_data(self, data: str) -> None:
        self.words.append(data)
        if self._cell is not None:
            self._cell.append(data)
        if self._href is not None:
            self._link_text.append(data)


def read(node: Component) -> Reader:
    """A fragment's HTML parsed (nothing for any other component)."""
    reader = Reader()
    reader.feed(markup(node) or "")
    reader.close()
    return reader


def sent(node: object) -> str:
    """The HTML of every fragment in a component tree, as sent to the browser (for what only markup shows: classes,
    hover texts, link addresses)."""
    if isinstance(node, Component):
        return (markup(node) or "") + sent(getattr(node, "children", None))
    if isinstance(node, (list, tuple)):
        return "".join(sent(child) for child in node)
    return ""
