"""/api/lines/<source>/<po>/<line>: everything stored about one PO line."""

from __future__ import annotations

import flask

from potrack.api.errors import ApiError
from potrack.api.params import Query
from potrack.api.serialize import plain
from potrack.store.line_history import line_history
from potrack.web import context


def get_line(source: str, po_number: str, line_number: int) -> flask.Response:
    """GET /api/lines/<source>/<po>/<line>: its current values, change timeline, receipts, runs and rejected rows
    (a PO number holding '/' is sent as %2F, or as it is)."""
    Query()
    found = context.read(line_history, source, po_number, line_number)
    if found is None:
        raise ApiError(404, f"there is no line {po_number}/{line_number} of source {source}")
    return flask.jsonify(plain(found))
