"""Lines: what the navbar's search found — all lines of a PO, or the lines a PO and line number name, in every
source (the search jumps straight to a line when it names exactly one)."""

from __future__ import annotations

import dash
from dash import html

from pages._components import empty_state, line_link, table
from potrack import runtime
from potrack.store.line_history import MAX_FOUND, find_lines
from potrack.web.search import MAX_SEARCH, searchable

dash.register_page(__name__, path="/lines", name="Lines", nav=False)


def layout(q: str | None = None, **_query: str) -> html.Div:
    """The lines `q` names, by source, PO and line."""
    text = (q or "").strip()
    if not text:
        return html.Div(
            [
                html.H2("Find PO lines"),
                empty_state("Type a PO number, or a PO and a line (PO123/4), in the search box above.", "lines-empty"),
            ],
            id="lines-found",
        )
    if searchable(text) is None:
        return html.Div(
            [
                html.H2("Find PO lines"),
                empty_state(
                    f"potrack cannot search for that text: a search has at most {MAX_SEARCH} "
                    "characters and no NUL character.",
                    "lines-bad-search",
                ),
            ],
            id="lines-found",
        )
    found = runtime.read(find_lines, text)
    if not found:
        return html.Div(
            [
                html.H2(f"Lines of {text}"),
                empty_state(f"No PO number is or starts with {text!r} in any source.", "lines-empty"),
            ],
            id="lines-found",
        )
    rows = [
        [
            ref.source,
            ref.po_number,
            line_link(ref.source, ref.po_number, ref.line_number, str(ref.line_number)),
            ref.item_code,
            ref.supplier_code,
            ref.status,
            "active" if ref.active else "no longer in the snapshot",
        ]
        for ref in found
    ]
    more = f" (the first {MAX_FOUND})" if len(found) == MAX_FOUND else ""
    return html.Div(
        [
            html.H2(f"Lines of {text}"),
            html.P(f"{len(found):,} lines{more}", className="text-muted"),
            table(["source", "PO", "line", "item", "supplier", "status", "state"], rows, "lines-found"),
        ],
        id="lines-found",
    )
