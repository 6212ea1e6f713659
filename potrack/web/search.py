"""GET /find?q=…: the navbar's search. A text naming exactly one line opens its history; anything else opens the
list of the lines it names (a PO's lines, several sources' lines, or none)."""

from __future__ import annotations

import flask
import werkzeug

from potrack import runtime
from potrack.bounds import lenient, text_within
from potrack.links import LINES, line_path, search_path
from potrack.store.line_history import find_lines

MAX_SEARCH = 200
searchable = lenient(text_within(MAX_SEARCH))  # no NUL (PostgreSQL refuses it), nothing longer than a search needs


def register_search(server: flask.Flask) -> None:
    """Serve /find (signed-in users only, as every page)."""
    server.add_url_rule("/find", "find", find, methods=["GET"])


def find() -> werkzeug.Response:
    """Redirect to the line the search names, or to the lines it names."""
    text = flask.request.args.get("q", "").strip()[:MAX_SEARCH]
    if not text:
        return flask.redirect(LINES)
    if searchable(text) is None:
        return flask.redirect(search_path(text))  # the list page says why it cannot search for it
    found = runtime.read(find_lines, text, 2)
    if len(found) == 1:
        ref = found[0]
        return flask.redirect(line_path(ref.source, ref.po_number, ref.line_number))
    return flask.redirect(search_path(text))
