"""The URLs of a PO line's history and of a search for lines: PO numbers may hold '/', spaces or '%', so every part
is quoted."""

from __future__ import annotations

from urllib.parse import quote, unquote, urlencode

LINES = "/lines"


def line_path(source: str, po_number: str, line_number: int) -> str:
    """/lines/<source>/<po>/<line>, each part quoted."""
    return f"{LINES}/{quote(source, safe='')}/{quote(po_number, safe='')}/{line_number}"


def line_from_path(source: str, po_number: str, line_number: str) -> tuple[str, str, int] | None:
    """The key a /lines/<source>/<po>/<line> path names (its parts as the router passes them, still quoted), or
    None when the line part is not a whole number."""
    line = unquote(line_number)
    if not line.isdigit():
        return None
    return unquote(source), unquote(po_number), int(line)


def search_path(text: str) -> str:
    """/lines?q=<text>: the lines a search names (a PO's lines, or a PO and line)."""
    return f"{LINES}?{urlencode({'q': text})}"


def key_of_row(row_key: str | None) -> tuple[str, int] | None:
    """(PO, line) of a failed row's key 'PO/line', or None when it names no line."""
    po, _, line = (row_key or "").rpartition("/")
    return (po, int(line)) if po and line.isdigit() else None
