"""/api/lines/<source>/<po>/<line>: everything stored about one PO line."""

from __future__ import annotations

import flask

from potrack import runtime
from potrack.api.contract import endpoint
from potrack.api.errors import ApiError
from potrack.api.models import LinePath
from potrack.api.responses import LineHistory
from potrack.api.serialize import plain
from potrack.store.line_history import line_history


@endpoint(LineHistory, path=LinePath, answers={200: "The line's history.", 404: "The store has no such line."})
def get_line(path: LinePath) -> flask.Response:
    """One PO line's history.

    Everything stored about one line: its current values, part id and custom columns, its change events run by run
    (oldest first), its reconstructed receipt batches, the runs that touched it and the rows rejected with its key
    (a PO number holding '/' is sent as %2F, or as it is)."""
    found = runtime.read(line_history, path.source, path.po_number, path.line_number)
    if found is None:
        raise ApiError(404, f"there is no line {path.po_number}/{path.line_number} of source {path.source}")
    return flask.jsonify(plain(found))
