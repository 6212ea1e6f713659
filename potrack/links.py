"""The URLs of a PO line's history and of a search for lines: PO numbers may hold '/', spaces or '%', so every part
is quoted; a path is read back with the store's bounds (potrack.bounds), so no URL names a line it cannot hold."""

from __future__ import annotations

from urllib.parse import quote, unquote, urlencode

from potrack.bounds import column_max, lenient, text_of, whole_number
from potrack.store.models import PoLine

LINES = "/lines"
LINE_NUMBER = lenient(whole_number(0, column_max(PoLine.line_number)))
_SOURCE, _PO = lenient(text_of(PoLine.source)), lenient(text_of(PoLine.po_number))


def line_path(source: str, po_number: str, line_number: int) -> str:
    """/lines/<source>/<po>/<line>, each part quoted."""
    return f"{LINES}/{quote(source, safe='')}/{quote(po_number, safe='')}/{line_number}"


def _line_number(text: str) -> int | None:
    """A line number of ASCII digits a store holds ('²' passes str.isdigit() but is none), or None."""
    return LINE_NUMBER(text) if text.isascii() and text.isdigit() else None


def line_from_path(source: str, po_number: str, line_number: str) -> tuple[str, str, int] | None:
    """The key a /lines/<source>/<po>/<line> path names (its parts as the router passes them, still quoted), or
    None when it names no line the store can hold (a line part that is not a whole number, NUL, too long a part)."""
    line = _line_number(unquote(line_number))
    src, po = _SOURCE(unquote(source)), _PO(unquote(po_number))
    if line is None or src is None or po is None:
        return None
    return src, po, line


def search_path(text: str) -> str:
    """/lines?q=<text>: the lines a search names (a PO's lines, or a PO and line)."""
    return f"{LINES}?{urlencode({'q': text})}"


def key_of_row(row_key: str | None) -> tuple[str, int] | None:
    """(PO, line) of a failed row's key 'PO/line', or None when it names no line."""
    po, _, line = (row_key or "").rpartition("/")
    number = _line_number(line)
    return (po, number) if po and number is not None else None
