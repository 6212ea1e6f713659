"""GET /find?q=…: the navbar's search. A text naming exactly one line opens its history; anything else opens the
list of the lines it names (a PO's lines, several sources' lines, or none)."""

from __future__ import annotations

import flask

from potrack.store.line_history import find_lines
from potrack.web import context
from potrack.web.links import LINES, line_path, search_path


def register_search(server: flask.Flask) -> None:
    """Serve /find (signed-in users only, as every page)."""
    server.add_url_rule("/find", "find", find, methods=["GET"])


def find() -> flask.Response:
    """Redirect to the line the search names, or to the lines it names."""
    text = flask.request.args.get("q", "").strip()[:200]
    if not text:
        return flask.redirect(LINES)
    found = context.read(find_lines, text, 2)
    if len(found) == 1:
        ref = found[0]
        return flask.redirect(line_path(ref.source, ref.po_number, ref.line_number))
    return flask.redirect(search_path(text))
